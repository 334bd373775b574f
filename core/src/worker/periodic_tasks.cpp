// Scheduler passes and registry maintenance; see periodic_tasks.hpp.
#include "worker/periodic_tasks.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "rqcpp/maintenance.hpp"
#include "worker/redis_session.hpp"

namespace rqcpp {

PeriodicTasks::PeriodicTasks(const WorkerOptions& options, RedisSession& redis)
    : opt_(options), redis_(redis) {}

void PeriodicTasks::start() {
  const auto now = Steady::now();
  next_schedule_ = now;
  next_maintenance_ = now;
  if (opt_.with_scheduler) {
    scheduler_.emplace(redis_.connection(), opt_.queues);
    run_scheduler_if_due();
    if (scheduler_->held_queues().empty()) {
      spdlog::info("Scheduler: another process holds the scheduler locks of {} queue(s)",
                   opt_.queues.size());
    }
    if (opt_.burst) stop();  // RQ: a burst worker moves due jobs once
  }
  maintain_if_due();
}

void PeriodicTasks::stop() {
  if (!scheduler_) return;
  redis_.once("releasing the scheduler locks", [&](Connection&) { scheduler_->release(); });
  scheduler_.reset();
}

void PeriodicTasks::run_scheduler_if_due() {
  if (!scheduler_ || Steady::now() < next_schedule_) return;
  next_schedule_ = Steady::now() + opt_.scheduler_interval;
  long long moved = 0;
  redis_.once("moving due scheduled jobs", [&](Connection&) { moved = scheduler_->run_once(); });
  if (moved > 0) spdlog::info("Scheduler: {} due job(s) moved to their queues", moved);
}

void PeriodicTasks::maintain_if_due() {
  if (Steady::now() < next_maintenance_) return;
  next_maintenance_ = Steady::now() + opt_.maintenance_interval;
  // RQ holds its lock 899 s; held for just under our interval, the next run
  // (ours or another worker's) finds it free again.
  const auto lock_ttl =
      std::max(std::chrono::seconds(1), opt_.maintenance_interval - std::chrono::seconds(1));
  for (const std::string& q : opt_.queues) {
    redis_.once("cleaning registries", [&](Connection& c) {
      CleanReport r = clean_registries(c, q, CleanLock::kAcquire, lock_ttl);
      if (!r.ran) return;
      if (!r.failed.empty() || !r.retried.empty()) {
        spdlog::warn("{}: maintenance: {} abandoned job(s) failed, {} retried", q, r.failed.size(),
                     r.retried.size());
      }
      clean_worker_registry(c, q);
    });
  }
}

PeriodicTasks::Steady::time_point PeriodicTasks::next(Steady::time_point t,
                                                      bool with_maintenance) const {
  if (with_maintenance) t = std::min(t, next_maintenance_);
  return scheduler_ ? std::min(t, next_schedule_) : t;
}

}  // namespace rqcpp
