// Waiting for a forked child (child_process.hpp) without ever blocking the
// worker: the one loop used for a job's work horse, a job callback's horse
// and a plugin probe. While it waits it keeps serving signals and pub/sub
// commands (event_loop.hpp) and runs the caller's duties (heartbeats, the
// scheduler); it kills the child at its deadline, on kill-horse / stop-job,
// or on a cold shutdown.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace rqcpp {

class ChildProcess;
class EventLoop;

using Steady = std::chrono::steady_clock;

// What one wait is for.
struct ChildWatch {
  // Commands reach the child (kill-horse; stop-job under this id; a cold
  // stop): true for jobs and callbacks, false for probes, whose failure
  // would be cached against the plugin.
  bool reachable = true;
  std::string job_id;
  Steady::time_point deadline = Steady::time_point::max();  // killed then
  // Stop waiting once this returns true, before the child is reaped (a
  // horse whose outcome has arrived); nullptr: wait until it is reaped.
  std::function<bool()> finished;
  // The caller's periodic duties: runs those that are due and returns when
  // the next one is; nullptr: none.
  std::function<Steady::time_point()> duties;
};

// How a wait ended besides the child's own outcome.
struct ChildEnd {
  bool timed_out = false;    // killed at the deadline
  bool cold_killed = false;  // killed by a cold shutdown
  bool stop_job = false;     // killed by a stop-job command
};

// Holds a non-owning pointer to the event loop, which must outlive it.
class ChildSupervisor {
 public:
  // `loop` nullptr (rqctl): only the child is polled, no signal or command
  // is served.
  explicit ChildSupervisor(EventLoop* loop = nullptr) : loop_(loop) {}

  // Waits until `watch.finished` or the child is reaped (after a kill, until
  // it is reaped). Never throws.
  ChildEnd wait(ChildProcess& child, const ChildWatch& watch) const;

 private:
  EventLoop* loop_;
};

}  // namespace rqcpp
