// A forked child that reports through a pipe: the one fork shared by work
// horses (work_horse.hpp) and plugin probes (child_probe.hpp).
//
// The child is SIGKILLed by the kernel if its parent dies first
// (PR_SET_PDEATHSIG), runs in its own process group, has default signal
// handling and keeps only stdio, its output pipe (fd kOutFd) and optionally
// an input pipe (fd kInFd): none of the parent's Redis sockets or its
// self-pipe. The parent polls fd() with its other descriptors and never
// blocks on the child except in wait(); ChildSupervisor (below) is that
// wait for the worker.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace rqcpp {

// How a child with waitpid() status `status` ended: "signal 11: SIGSEGV"
// or "status N".
std::string wait_status_text(int status);

// Owns the child process (SIGKILLed on its whole process group and reaped by
// the destructor if still running) and the read end of its output pipe.
// Move-only.
class ChildProcess {
 public:
  static constexpr int kOutFd = 3;
  static constexpr int kInFd = 4;

  // Forks. `in_fd` >= 0 becomes the child's kInFd. Returns, in the parent,
  // the handle of the child and, in the child, a handle with is_child() true
  // (the caller runs the child's work there and ends it with _exit()).
  // Throws std::system_error when pipe() or fork() fails.
  static ChildProcess fork(int in_fd = -1);

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  bool is_child() const { return pid_ == 0; }
  pid_t pid() const { return pid_; }
  // The output pipe for poll() (POLLIN); -1 once it reached end of file.
  int fd() const { return fd_; }
  // Reads whatever the pipe holds now; call when poll() reports fd() readable.
  void on_readable();
  // What the child wrote so far.
  const std::string& output() const { return output_; }
  // Caps what is kept of the child's output: once it wrote more than
  // `max_bytes`, the child is killed, its pipe closed and output_overflowed()
  // is true (a runaway child cannot fill the parent's memory).
  void limit_output(size_t max_bytes) { output_limit_ = max_bytes; }
  bool output_overflowed() const { return overflowed_; }
  size_t output_limit() const { return output_limit_; }
  // Non-blocking: reaps the child if it has exited (then drains the pipe).
  // Returns true once the child is reaped.
  bool try_reap();
  bool reaped() const { return reaped_; }
  // Blocks until the child has exited and reaps it, without killing it.
  void wait();
  // SIGKILLs the child's process group (no-op once reaped).
  void kill();
  // waitpid()'s status once reaped (WIFSIGNALED...).
  int wait_status() const { return status_; }
  // CPU time (user + system) the child used, once reaped.
  std::chrono::microseconds cpu_time() const { return cpu_time_; }
  // How a reaped child ended: wait_status_text(wait_status()).
  std::string end_text() const;

 private:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_ = -1;
  int fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::chrono::microseconds cpu_time_{0};
  std::string output_;
  size_t output_limit_ = SIZE_MAX;
  bool overflowed_ = false;
};

// Waiting for a forked child without ever blocking the
// worker: the one loop used for a job's work horse, a job callback's horse
// and a plugin probe. While it waits it keeps serving signals and pub/sub
// commands (event_loop.hpp) and runs the caller's duties (heartbeats, the
// scheduler); it kills the child at its deadline, on kill-horse / stop-job,
// or on a cold shutdown.
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
