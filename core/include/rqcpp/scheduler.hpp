// RQ's scheduler (docs/redis-layout.md 1.8 and 3.3): moves jobs of the
// scheduled registries into their queues once they are due, for the queues
// whose per-queue lock rq:scheduler-lock:<q> it holds.
//
// Meant to be driven by a loop that calls run_once() about once a second
// (rqworker --with-scheduler); in burst mode call run_once() then release().
//
//   rqcpp::Scheduler scheduler(conn, {"high", "default"});
//   while (running) { scheduler.run_once(); sleep(1s); }
//   scheduler.release();
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rqcpp {

class Connection;

struct SchedulerOptions {
  // EX of the locks, refreshed by every run_once() (RQ: 61 s for a 1 s loop).
  std::chrono::seconds lock_ttl{61};
  // How long after an attempt a lock that could not be taken (or was lost)
  // is tried again (RQ's scheduler: 120 s).
  std::chrono::milliseconds lock_retry{std::chrono::seconds(120)};
  // Value written into the locks; RQ writes the scheduler's pid and Python
  // reads it as Queue.scheduler_pid, so keep it an integer. Empty: getpid().
  std::string lock_value;
  // Most jobs moved per queue in one run_once() (RQ: 1000).
  long long batch = 1000;
};

// Not thread-safe; not to be used on both sides of a fork(). Holds a
// non-owning reference to `conn`, which must outlive it.
class Scheduler {
 public:
  // No Redis access here: the locks are first tried by run_once() (or
  // acquire_locks()). Throws std::invalid_argument for an empty queue list
  // or queue name, a lock_ttl below 1 s or a batch below 1.
  Scheduler(Connection& conn, std::vector<std::string> queues, SchedulerOptions options = {});
  // Releases the held locks (release()); Redis errors are swallowed here.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // One pass, one round trip (core/scripts/schedule_due.lua), atomically:
  // for each queue whose lock we hold, check the lock still has our value
  // and EXPIRE it lock_ttl (a lock found taken by someone else is dropped
  // and retried later); for each queue we do not hold and whose retry time
  // has come, SET rq:scheduler-lock:<q> <value> NX EX lock_ttl. Then, for
  // every queue held, each job with score <= NOW in rq:scheduled:<q> is
  // moved into the queue as RQ does: status queued, enqueued_at, the job's
  // ttl applied, LPUSH when its hash says enqueue_at_front 1 else RPUSH,
  // ZREM, SADD rq:queues (ids whose hash is gone are only ZREMed). Returns
  // how many jobs were moved. No Redis access when no lock is held and no
  // retry is due. Throws RedisError; the lock state stays as before then.
  long long run_once();

  // Tries every lock not held right now, regardless of the retry time (no
  // jobs are moved). Returns how many queues are held afterwards. Throws
  // RedisError.
  size_t acquire_locks();

  // DELs every held lock that still has our value (one round trip) and
  // forgets them; run_once() would take them again at its next retry.
  // Throws RedisError.
  void release();

  // Queues whose lock this scheduler holds, in the constructor's order.
  std::vector<std::string> held_queues() const;
  const std::string& lock_value() const { return options_.lock_value; }

 private:
  long long pass(bool move_jobs, bool force_retry);

  Connection* conn_;
  std::vector<std::string> queues_;
  std::vector<bool> held_;
  SchedulerOptions options_;
  std::optional<std::chrono::steady_clock::time_point> last_try_;
};

}  // namespace rqcpp
