// The worker's life cycle (RQ's Worker.work()): birth, the take / process /
// finish loop, waiting for work, suspension, warm and cold shutdown, death.
// One processed job costs one Redis round trip: its outcome is finished and
// the next job taken by one script call (fetcher.hpp).
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include "rqcpp/worker/worker.hpp"
#include "worker/event_loop.hpp"
#include "worker/fetcher.hpp"
#include "worker/job_processor.hpp"
#include "worker/periodic_tasks.hpp"
#include "worker/redis_session.hpp"
#include "worker/worker_record.hpp"

namespace rqcpp {

// Owns every part of one worker: the event loop, the Redis session, the
// worker's record, the take/finish client, the queue waiter, the periodic
// tasks and the job processor, plus the loop's own state (stats, the next
// idle heartbeat, --max-jobs / --max-idle-time counters, the dequeue
// order's random source). Single-threaded (the simple worker's heartbeat
// thread belongs to the processor).
class Launcher {
 public:
  // `options` as validate_worker_options() returned them.
  explicit Launcher(WorkerOptions options);

  const std::string& name() const { return opt_.name; }
  // Worker::run(): connects, registers, works, records the death.
  WorkerStats run();

 private:
  using Steady = std::chrono::steady_clock;
  // Handles one taken job; returns the next take's reply, or nullopt when
  // the worker stops.
  std::optional<TakeReply> handle_job(const TakenJob& job);
  // Handles an empty or suspended take; false when the worker stops.
  bool handle_no_job(TakeReply::Kind kind);
  void log_and_count(const TakenJob& job, const ExecutedJob& done);
  TakeReply take();
  // Logs a change in what the take passed over and tells the waiter.
  void note_skipped(const TakeReply& r);
  TakeReply finish(const FinishRequest& request, bool take_next);
  void wait_for_work();
  void wait_while_suspended();
  void idle_heartbeat();
  // While a callback runs: the idle heartbeat and the scheduler.
  Steady::time_point idle_duties();

  WorkerOptions opt_;
  EventLoop loop_;
  RedisSession redis_;
  WorkerRecord record_;
  Fetcher fetcher_;
  QueueWaiter waiter_;
  PeriodicTasks periodic_;
  JobProcessor processor_;
  WorkerStats stats_;
  bool suspended_ = false;                   // the last take found rq:suspended (logged once)
  std::vector<TakeReply::Skipped> skipped_;  // what the last take passed over (logged on change)
  Steady::time_point next_heartbeat_;
  long long jobs_run_ = 0;
  std::optional<Steady::time_point> idle_deadline_;  // while idle with max_idle_time
  std::mt19937 rng_{std::random_device{}()};         // --dequeue-strategy random
};

}  // namespace rqcpp
