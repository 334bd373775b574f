// Every default value of rqcpp, in one place (the role of RQ's
// rq/defaults.py). The library, rqworker's and rqctl's option defaults, their
// --help text and the docs all take their numbers from here; where RQ has the
// same setting the value is RQ 1.13's, and the comment names RQ's constant.
#pragma once

#include <chrono>
#include <string_view>

namespace rqcpp::defaults {

// Redis used when neither --url nor RQ_REDIS_URL is given.
inline constexpr std::string_view kRedisUrl = "redis://127.0.0.1:6379/0";
// The port of a redis:// URL that names none (Redis' own default).
inline constexpr int kRedisPort = 6379;
// Plugin directory of rqworker and `rqctl plugins` when neither
// --plugin-dir nor RQCPP_PLUGIN_DIR is given.
inline constexpr std::string_view kPluginDir = "./plugins";

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
