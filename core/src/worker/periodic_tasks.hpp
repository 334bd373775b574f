// The worker's periodic duties besides heartbeats: the in-process scheduler
// (--with-scheduler, docs/redis-layout.md 1.8 / 3.3) and registry maintenance (docs/redis-layout.md
// 3.4 / 3.12). Both are driven from the worker's waits (idle, or while a
// child runs): no extra thread.
#pragma once

#include <chrono>
#include <optional>

#include "rqcpp/scheduler.hpp"
#include "rqcpp/worker/worker.hpp"

namespace rqcpp {

class RedisSession;

// Owns the Scheduler (while started) and both timers. Holds non-owning
// references to the options and the session, which must outlive it.
class PeriodicTasks {
 public:
  using Steady = std::chrono::steady_clock;

  PeriodicTasks(const WorkerOptions& options, RedisSession& redis);

  // First scheduler pass (burst: that pass, then the locks are released,
  // as RQ) and first maintenance. Needs the session connected.
  void start();
  // Releases the scheduler locks.
  void stop();
  // One Scheduler::run_once() when its time has come.
  void run_scheduler_if_due();
  // Registry maintenance of every queue when its time has come.
  void maintain_if_due();
  // The earliest of `t`, the next scheduler pass and (with_maintenance) the
  // next maintenance, which only runs between jobs.
  Steady::time_point next(Steady::time_point t, bool with_maintenance = true) const;

 private:
  const WorkerOptions& opt_;
  RedisSession& redis_;
  std::optional<Scheduler> scheduler_;  // uses the session's connection
  Steady::time_point next_schedule_;
  Steady::time_point next_maintenance_;
};

}  // namespace rqcpp
