// Running one taken job (the worker's processor): hands the decoded call to
// a work horse (the standby one forked ahead when it can) and supervises it,
// or, for --worker-class simple, calls it in this process while a heartbeat
// thread keeps the job alive in Redis; then produces the finish request and
// picks the job's callback. docs/hot-path.md describes the optimisations
// kept here: the standby horse, tried plugins inherited by horses, and the
// outcome recorded as soon as its frame arrived (the horse is reaped later).
#pragma once

#include <list>
#include <optional>

#include "rqcpp/worker/worker.hpp"
#include "worker/callback_runner.hpp"
#include "worker/child_process.hpp"
#include "worker/job_execution.hpp"
#include "worker/job_heartbeat.hpp"
#include "worker/tried_plugins.hpp"
#include "worker/work_horse.hpp"

namespace rqcpp {

class EventLoop;
class PeriodicTasks;
class RedisSession;
class WorkerRecord;

// A processed job: its finish request and the callback due once it is
// written.
struct ProcessedJob {
  ExecutedJob executed;
  std::optional<PendingCallback> callback;
};

// Owns the tried plugins, the standby horse, the horses still exiting and
// (simple worker) the heartbeat thread. Holds non-owning references to the
// options, session, record, event loop and periodic tasks, which must
// outlive it.
class JobProcessor {
 public:
  JobProcessor(const WorkerOptions& options, RedisSession& redis, WorkerRecord& record,
               EventLoop& loop, PeriodicTasks& periodic);

  // Runs `job` to its outcome. Never throws: every failure is the job's.
  ProcessedJob process(const TakenJob& job);

  // The supervisor of this worker's children (callbacks use it too).
  const ChildSupervisor& supervisor() const { return supervisor_; }

  // Forks a standby horse unless a current one waits (forking worker, no
  // stop requested); a failed fork is logged and the next job forks its own.
  void prepare_standby();
  void drop_standby() { standby_.reset(); }
  // Reaps the exiting horses that are gone; with `block` (idle, shutdown)
  // waits for all of them. Never kills: each reported and is in _exit().
  void reap_exiting_horses(bool block);

  // Redis calls made by the heartbeat thread (simple worker), for the stats.
  long long heartbeat_thread_calls();

 private:
  using Steady = std::chrono::steady_clock;
  using Duties = std::function<Steady::time_point()>;
  CallOutcome run_in_horse(PluginCall& call, const TakenJob& job, double timeout,
                           Steady::time_point start, const Duties& duties, bool& stopped);
  CallOutcome run_in_process(PluginCall& call, const TakenJob& job, double timeout,
                             Steady::time_point start, const Duties& duties);
  // The standby horse when it is current and alive, else a fresh fork.
  // Throws std::system_error when fork() fails.
  WorkHorse start_horse(const PluginCall& call);

  const WorkerOptions& opt_;
  RedisSession& redis_;
  WorkerRecord& record_;
  EventLoop& loop_;
  PeriodicTasks& periodic_;
  ChildSupervisor supervisor_;
  PluginCall base_;       // the Redis URL and plugin directory of every call
  TriedPlugins plugins_;  // loaded here after a probe; horses inherit them
  std::optional<WorkHorse> standby_;
  long long standby_generation_ = -1;  // plugins_.generation() when it was forked
  // Horses whose outcome arrived but which may still be exiting (their
  // teardown overlaps the next jobs); reaped without a kill.
  std::list<WorkHorse> exiting_;
  std::optional<InProcessHeartbeat> in_process_beat_;  // simple worker only
};

}  // namespace rqcpp
