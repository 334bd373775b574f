// The worker's periodic duties besides heartbeats: the in-process scheduler
// (--with-scheduler, wire doc 1.8 / 3.3) and registry maintenance (wire doc
// 3.4 / 3.12). Both are driven from the worker's poll loop: no extra thread.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "rqcpp/maintenance.hpp"
#include "worker/worker_impl.hpp"

namespace rqcpp {

void Worker::Impl::start_periodic() {
  const auto now = Steady::now();
  next_schedule = now;
  next_maintenance = now;
  if (opt.with_scheduler) {
    scheduler.emplace(*conn, opt.queues);
    run_scheduler_if_due();
    if (scheduler->held_queues().empty()) {
      spdlog::info("Scheduler: another process holds the scheduler locks of {} queue(s)",
                   opt.queues.size());
    }
    if (opt.burst) stop_periodic();  // RQ: a burst worker moves due jobs once
  }
  maintain_if_due();
}

void Worker::Impl::stop_periodic() {
  if (!scheduler) return;
  redis_once("releasing the scheduler locks", [&](Connection&) { scheduler->release(); });
  scheduler.reset();
}

void Worker::Impl::run_scheduler_if_due() {
  if (!scheduler || Steady::now() < next_schedule) return;
  next_schedule = Steady::now() + opt.scheduler_interval;
  long long moved = 0;
  redis_once("moving due scheduled jobs", [&](Connection&) { moved = scheduler->run_once(); });
  if (moved > 0) spdlog::info("Scheduler: {} due job(s) moved to their queues", moved);
}

void Worker::Impl::maintain_if_due() {
  if (Steady::now() < next_maintenance) return;
  next_maintenance = Steady::now() + opt.maintenance_interval;
  // RQ holds its lock 899 s; held for just under our interval, the next run
  // (ours or another worker's) finds it free again.
  const auto lock_ttl =
      std::max(std::chrono::seconds(1), opt.maintenance_interval - std::chrono::seconds(1));
  for (const std::string& q : opt.queues) {
    redis_once("cleaning registries", [&](Connection& c) {
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

Steady::time_point Worker::Impl::next_periodic(Steady::time_point t,
                                               bool with_maintenance) const {
  if (with_maintenance) t = std::min(t, next_maintenance);
  return scheduler ? std::min(t, next_schedule) : t;
}

}  // namespace rqcpp
