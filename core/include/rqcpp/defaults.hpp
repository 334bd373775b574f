// Every default value of rqcpp, in one place (the role of RQ's
// rq/defaults.py). The library, rqworker's and rqctl's option defaults, their
// --help text and the docs all take their numbers from here; where RQ has the
// same setting the value is RQ 1.13's, and the comment names RQ's constant.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rqcpp::defaults {

// Redis used when neither --url nor RQ_REDIS_URL is given.
inline constexpr std::string_view kRedisUrl = "redis://127.0.0.1:6379/0";
// The port of a redis:// URL that names none (Redis' own default).
inline constexpr int kRedisPort = 6379;
// The port of a Sentinel in a redis+sentinel:// URL that names none
// (Sentinel's own default).
inline constexpr int kSentinelPort = 26379;
// How long master discovery waits for one Sentinel, and then for the node it
// names, to connect and answer (at most; a shorter connection timeout wins).
// Short, as the Sentinel client guidelines ask: a Sentinel that does not
// answer in time is skipped for the next one.
inline constexpr std::chrono::milliseconds kSentinelTimeout{1000};
// Plugin directory of rqworker and `rqctl plugins` when neither
// --plugin-dir nor RQCPP_PLUGIN_DIR is given.
inline constexpr std::string_view kPluginDir = "./plugins";

// --- Redis replies: what a broken or hostile server can make a client hold
// (a reply announcing *2147483647 must fail at once, not allocate 16 GB).

// The most elements one reply may have, counting those of nested arrays: a
// larger array header is a RedisError before anything is allocated, and an
// array's memory grows only with the elements actually received. Read ids in
// pages (LRANGE/ZRANGE start stop) when more are needed.
inline constexpr long long kMaxReplyElements = 1LL << 24;
// The most bytes held of one value of a reply (a bulk string) before it is
// complete: Redis' own default proto-max-bulk-len, 512 MiB. A reply of many
// values is bounded by this times kMaxReplyElements.
inline constexpr std::size_t kMaxReplyBulkBytes = std::size_t{512} << 20;

// --- jobs (RQ: Queue.DEFAULT_TIMEOUT, DEFAULT_RESULT_TTL, DEFAULT_FAILURE_TTL)

// A job's maximum run time when the producer gave none.
inline constexpr std::chrono::seconds kJobTimeout{180};
// The longest job timeout taken as a limit (about 100 years): a longer one
// (1e10, inf) means no limit, as -1 does. A deadline that far out would
// overflow the clock's 64-bit nanoseconds (about 292 years) and fire at once.
inline constexpr std::chrono::seconds kMaxJobTimeout{3'155'760'000};
// The deepest nesting of arrays and maps rqcpp converts between msgpack and
// JSON or shows (args, kwargs, meta, results): a deeper value is a
// DecodeError instead of a recursion that exhausts the stack. Python's json
// gives up near the same depth (its recursion limit, 1,000).
inline constexpr int kMaxNestingDepth = 1000;
// The largest payloads a worker takes (rqworker --max-data-size,
// --max-meta-size, --max-result-size; rqctl and the C++ API read job data
// with the first): bigger ones fail the job with a message naming the
// limit, so a small zlib bomb (1 MiB that inflates to 1 GiB) or a runaway
// result cannot exhaust the worker's memory. `data` is the inflated call
// (function name, args and kwargs); Redis caps any one value at 512 MB.
inline constexpr std::uint64_t kMaxDataSize = std::uint64_t{64} << 20;
inline constexpr std::uint64_t kMaxMetaSize = std::uint64_t{16} << 20;
inline constexpr std::uint64_t kMaxResultSize = std::uint64_t{64} << 20;
// How long a finished job (and its result) is kept when it has no result_ttl.
inline constexpr std::chrono::seconds kResultTtl{500};
// How long a failed job is kept when it has no failure_ttl (one year).
inline constexpr std::chrono::seconds kFailureTtl{31536000};

// --- workers (RQ: DEFAULT_WORKER_TTL, DEFAULT_JOB_MONITORING_INTERVAL,
// CALLBACK_TIMEOUT, DEFAULT_MAINTENANCE_TASK_INTERVAL)

// An idle worker's key lives worker_ttl + heartbeat_grace seconds.
inline constexpr std::chrono::seconds kWorkerTtl{420};
// The grace RQ adds to every worker-key and job-heartbeat TTL (fixed at 60 s
// in RQ; an option in rqcpp).
inline constexpr std::chrono::seconds kHeartbeatGrace{60};
// Heartbeat period while a job runs.
inline constexpr std::chrono::seconds kJobMonitoringInterval{30};
// Registry maintenance period (also run at start).
inline constexpr std::chrono::seconds kMaintenanceInterval{600};
// How long a job callback may run before it is killed.
inline constexpr std::chrono::seconds kCallbackTimeout{60};
// How often a --with-scheduler worker moves due scheduled jobs.
inline constexpr std::chrono::milliseconds kSchedulerInterval{1000};
// Per-job resource limits of a work horse (rqworker --job-memory-limit,
// --job-cpu-limit, --job-max-open-files; worker/job_limits.hpp): none unless
// given (0 means no limit).
inline constexpr unsigned long long kJobMemoryLimitBytes = 0;
inline constexpr std::chrono::seconds kJobCpuLimit{0};
inline constexpr long long kJobMaxOpenFiles = 0;
// The worker hash's python_version field of an rqcpp worker.
inline constexpr std::string_view kWorkerVersionText = "rqcpp (C++)";

}  // namespace rqcpp::defaults
