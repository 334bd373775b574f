// Heartbeats of a running job: the rules for its deadline in rq:wip:<q>
// (the started registry) and for the worker key's TTL (one rule,
// busy_heartbeat_ttl), and the two senders of those heartbeats: JobHeartbeat
// while a supervised child runs the job (the worker's loop sends them), and
// InProcessHeartbeat while the worker's own thread is inside the job
// function (--worker-class simple: a second thread sends them).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "rqcpp/connection.hpp"
#include "rqcpp/redis_url.hpp"
#include "rqcpp/worker/worker.hpp"
#include "worker/fetcher.hpp"

namespace rqcpp {

class RedisSession;
class WorkerRecord;

// The job's `timeout` field in seconds: "" or unreadable or 0 is the default
// (defaults::kJobTimeout); a negative value, or one above
// defaults::kMaxJobTimeout (inf included), no limit (RQ's -1, returned as
// -1).
double job_timeout_seconds(const std::string& field);

// The heartbeat TTL (seconds) of a job `elapsed` seconds into its run:
// - in a work horse (killed at its deadline): RQ's Worker rule,
//   min(timeout - elapsed, interval) + grace; without a limit interval + grace.
// - in process (--worker-class simple: never interrupted, may overrun):
//   max(timeout - elapsed, interval) + grace, i.e. RQ's SimpleWorker deadline
//   (start + timeout + grace) while within its timeout and never less than
//   one heartbeat period + grace after it; without a limit interval + grace
//   (RQ's Worker rule: renewed each heartbeat, so the job never looks
//   abandoned while its worker lives, and a dead worker's job is recovered
//   within interval + grace; RQ's SimpleWorker gives a fixed 420 s instead).
enum class JobPlace { kHorse, kInProcess };
long long busy_heartbeat_ttl(JobPlace place, double timeout, double elapsed,
                             std::chrono::seconds interval, std::chrono::seconds grace);

// The heartbeats of one job run by a supervised child, every
// job_monitoring_interval. Holds non-owning references to the session and
// the record, which must outlive it.
class JobHeartbeat {
 public:
  using Steady = std::chrono::steady_clock;
  JobHeartbeat(const TakenJob& job, double timeout, Steady::time_point start,
               const WorkerOptions& options, RedisSession& redis, WorkerRecord& record);
  // Sends the heartbeat when due (registering again if the worker key is
  // gone); returns when the next one is due.
  Steady::time_point beat_if_due();

 private:
  std::string id_, origin_;
  double timeout_;
  Steady::time_point start_, next_;
  std::chrono::seconds interval_, grace_;
  RedisSession& redis_;
  WorkerRecord& record_;
};

// Heartbeats for a job that runs in the worker process itself
// (--worker-class simple): the worker's thread is inside the job function,
// so a second thread sends them, on its own Redis connection. Without them a
// job longer than its first heartbeat TTL would be failed as abandoned by
// maintenance while it still runs.
//
// The thread only ever talks to Redis while a job is armed; arm() and
// disarm() cost a mutex each (no wake-up), and disarm() waits for a
// heartbeat in flight, so none lands after the job's finish. It ticks every
// half job_monitoring_interval and beats when armed, so a beat comes at
// most that long after the job started (its take-time TTL is one interval
// plus grace).
class WorkerRecord;

// Owns the thread (started by the first arm(), joined by the destructor),
// its connection and the armed job. Holds a non-owning reference to
// `record`, which must outlive it and which the caller does not use while
// a job is armed.
class InProcessHeartbeat {
 public:
  using Steady = std::chrono::steady_clock;
  InProcessHeartbeat(RedisUrl url, WorkerRecord& record, std::chrono::seconds interval,
                     std::chrono::seconds grace);
  ~InProcessHeartbeat();
  InProcessHeartbeat(const InProcessHeartbeat&) = delete;
  InProcessHeartbeat& operator=(const InProcessHeartbeat&) = delete;

  // Heartbeats `job` (taken at `start`, `timeout` as job_timeout_seconds)
  // from now until disarm().
  void arm(const TakenJob& job, double timeout, Steady::time_point start);
  // Stops beating; returns after a heartbeat in flight has ended.
  void disarm();
  // Successful Redis calls made by the thread (call while disarmed).
  long long calls();

 private:
  struct Armed {
    std::string id, origin;
    double timeout;
    Steady::time_point start;
  };
  void loop();
  void beat(const Armed& job);  // with mu_ held

  RedisUrl url_;
  WorkerRecord& record_;
  std::chrono::seconds interval_, grace_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::optional<Armed> armed_;
  bool quit_ = false;
  long long calls_ = 0;
  std::optional<Connection> conn_;  // the thread's own, opened by its first beat
  std::thread thread_;
};

}  // namespace rqcpp
