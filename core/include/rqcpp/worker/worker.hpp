// The rqworker engine: registers a worker in Redis the way RQ 1.13 does, runs
// jobs from its queues in forked work horses, and records every outcome
// (docs/redis-layout.md 1.5, 1.6, 3.4-3.13; docs/design.md "hot path" and
// "zero-loss hand-over").
//
// Single-threaded. It installs handlers for SIGTERM, SIGINT and SIGCHLD while
// run() executes: the first SIGTERM/SIGINT (or a "shutdown" pub/sub command)
// is a warm shutdown (the running job finishes, then the worker dies), a
// second one a cold shutdown (the horse is SIGKILLed and its job fails "Job
// stopped by shutdown").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/worker/job_limits.hpp"

namespace rqcpp {

// A live worker (its hash has no `death` field) already uses the name.
class WorkerNameTaken : public Error {
 public:
  using Error::Error;
};

// RQ's worker classes: which queue the next take tries first.
enum class DequeueStrategy {
  kDefault,     // strict priority: the order given
  kRoundRobin,  // after a job from queue q, start with the queue after q
  kRandom,      // shuffle the queues after each job
};

// The largest job payloads a worker handles, in bytes (defaults.hpp says
// why there are limits). A job over one fails with a SizeLimitError that
// names the limit; its function is never run for data or meta over the
// limit.
struct PayloadLimits {
  std::uint64_t data = defaults::kMaxDataSize;      // the `data` field, inflated
  std::uint64_t meta = defaults::kMaxMetaSize;      // meta as stored, and as the job sets it
  std::uint64_t result = defaults::kMaxResultSize;  // the return value, msgpack
};

struct WorkerOptions {
  std::string redis_url;            // redis://..., unix://... or redis+sentinel://...
  std::vector<std::string> queues;  // priority order; at least one
  std::string plugin_dir;           // where lib<name>.so plugins live
  // Load plugins from a directory or file anyone on the host may write
  // (refused by default: anyone could run code as the worker's user). A
  // process-wide policy: the last Worker constructed sets it.
  bool allow_world_writable_plugins = false;
  std::string name;    // empty: uuid4 hex
  bool burst = false;  // exit once the queues are empty
  // Heartbeat period while busy (and idle); RQ's job_monitoring_interval.
  // A running job's heartbeat TTL (worker key and rq:wip deadline) is
  // min(timeout - elapsed, this) + heartbeat_grace.
  std::chrono::seconds job_monitoring_interval = defaults::kJobMonitoringInterval;
  // RQ's worker_ttl: an idle worker's key rq:worker:<w> expires
  // worker_ttl + heartbeat_grace seconds after its last refresh, and is
  // refreshed at least every min(job_monitoring_interval, max(1 s,
  // worker_ttl / 2)) while idle, suspended or running a callback. Once a
  // killed worker's key has expired, any worker's maintenance treats its
  // started jobs as abandoned (docs/zero-loss.md). At least 1 s.
  std::chrono::seconds worker_ttl = defaults::kWorkerTtl;
  // rqcpp extension: the grace RQ adds to every worker key TTL and job
  // heartbeat TTL (fixed at 60 s there, which is the default). A shorter
  // grace gets a dead worker's jobs recovered sooner; it must cover the
  // longest stall of a live worker (a Redis hiccup, a loaded machine), or
  // its running job is treated as abandoned and run again. At least 1 s.
  std::chrono::seconds heartbeat_grace = defaults::kHeartbeatGrace;
  long long default_result_ttl = defaults::kResultTtl.count();  // for jobs without result_ttl
  // RQ's --with-scheduler: the worker owns a Scheduler (scheduler.hpp) for
  // its queues, calls run_once() about every scheduler_interval from its
  // poll loop (also while a job runs) and releases the locks on exit; in
  // burst mode it runs once at start and releases at once (as RQ).
  bool with_scheduler = false;
  std::chrono::milliseconds scheduler_interval = defaults::kSchedulerInterval;
  // Registry maintenance (maintenance.hpp: clean_registries under RQ's lock
  // and clean_worker_registry, per queue) at start and then every interval,
  // between jobs; RQ's DEFAULT_MAINTENANCE_TASK_INTERVAL is 600 s. The lock
  // rq:clean_registries:<q> is taken for max(1, interval - 1) seconds, so
  // with several workers a queue is cleaned about once per interval.
  std::chrono::seconds maintenance_interval = defaults::kMaintenanceInterval;
  // Stop (exit 0, as after a burst) once this many jobs were run; 0: no limit.
  long long max_jobs = 0;
  // Stop once no job arrived for this long while idle; 0: no limit.
  std::chrono::seconds max_idle_time{0};
  DequeueStrategy dequeue_strategy = DequeueStrategy::kDefault;
  // How long a job's on_success/on_failure/on_stopped callback may run in its
  // own work horse before it is killed (RQ's CALLBACK_TIMEOUT).
  std::chrono::seconds callback_timeout = defaults::kCallbackTimeout;
  // rqworker --max-data-size, --max-meta-size, --max-result-size.
  PayloadLimits payload_limits;
  // Written to the worker hash's python_version field.
  std::string version_text{defaults::kWorkerVersionText};
  // kFork (RQ's Worker): each job runs in a forked work horse. kSimple (RQ's
  // SimpleWorker): jobs run in the worker process itself, after the plugin
  // passed a load probe in a forked child; a crashing job kills the worker
  // (its job is recovered from the started registry), a job is never
  // interrupted (an overrun of its timeout is only logged); a heartbeat
  // thread keeps a running job's deadline ahead while the worker lives
  // (docs/hot-path.md).
  enum class Class { kFork, kSimple };
  Class worker_class = Class::kFork;
  // The most each job's work horse may use (job_limits.hpp; all 0: none). A
  // job's meta rqcpp_limits can lower them for that job, never raise them; a
  // job that crosses one fails with an exc_info naming it
  // (JobMemoryLimitExceeded, JobCpuLimitExceeded) and the worker goes on.
  // Its callbacks run under the same limits. Refused with kSimple, and a
  // memory limit in a build without kJobMemoryLimitSupported.
  JobLimits job_limits;
};

// What a run did, for the caller's summary line and tests.
struct WorkerStats {
  long long jobs_finished = 0;
  long long jobs_failed = 0;
  // Successful Redis calls of the worker process (one round trip each; the
  // FUNCTION LOAD of a lost script library and failed attempts are not
  // counted).
  long long redis_calls = 0;
};

// The one check of worker options (rqworker uses it too): returns `options`
// with a generated name (uuid4 hex) when it had none. Throws
// std::invalid_argument, naming the option by its rqworker flag, for an
// empty queue list, a queue name that is empty or contains ',', an
// interval, worker_ttl, heartbeat_grace or callback_timeout below 1 s
// (scheduler interval: below 10 ms), a negative max_jobs / max_idle_time,
// a payload limit below 1 KiB, a plugin_dir that does not exist or is
// writable by anyone (unless allow_world_writable_plugins), a negative job
// limit, job limits with Class::kSimple, or a memory limit where
// kJobMemoryLimitSupported is false.
// The URL is not checked here.
WorkerOptions validate_worker_options(WorkerOptions options);

class Launcher;

class Worker {
 public:
  // Validates options (validate_worker_options: std::invalid_argument) and
  // the URL (UrlError). Nothing touches Redis yet.
  explicit Worker(WorkerOptions options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The worker name (generated when the options had none).
  const std::string& name() const;

  // Connects, registers, works until the queues are empty (burst) or a
  // shutdown, then records its death. Throws RedisError when Redis cannot be
  // reached at start, WorkerNameTaken when a live worker already has the
  // name. Once registered, Redis outages are waited out (with the
  // result of a running job kept until it can be written), not thrown.
  WorkerStats run();

 private:
  std::unique_ptr<Launcher> launcher_;  // core/src/worker/launcher.hpp
};

}  // namespace rqcpp
