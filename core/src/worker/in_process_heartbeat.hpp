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
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "rqcpp/connection.hpp"
#include "rqcpp/redis_url.hpp"
#include "worker/fetcher.hpp"

namespace rqcpp {

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
