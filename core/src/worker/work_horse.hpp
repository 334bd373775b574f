// A work horse: one forked child (child_process.hpp) running one plugin
// call, for a job or a job's callback (docs/design.md).
//
// The child opens no Redis connection of its own except, lazily, for
// save_meta; it calls the function (from a plugin the parent already loaded
// after a probe, or else loading the plugin itself), sends the outcome to
// the parent through its pipe (work_horse.cpp), then leaves with _exit().
#pragma once

#include <sys/types.h>

#include "worker/child_process.hpp"
#include "worker/plugin_call.hpp"

namespace rqcpp {

// The parent's handle on a horse: owns its ChildProcess and, for a standby
// horse, the write end of its job pipe. Move-only.
class WorkHorse {
 public:
  // Forks a child that runs `call`. Throws std::system_error when pipe() or
  // fork() fails. The child never returns from this call.
  static WorkHorse spawn(const PluginCall& call);

  // Forks a child that waits, without a call, for start(): forking ahead
  // takes the fork off the path from taking a job to running it. Such a
  // horse only calls a PluginCall's `fn` if that function's plugin was
  // loaded in the parent before this call. Throws std::system_error like
  // spawn().
  static WorkHorse standby();

  // Hands `call` to a standby horse. Returns false when the child is gone
  // (killed while it waited) or this is not an unstarted standby horse; the
  // caller then spawns a fresh one.
  bool start(const PluginCall& call);

  WorkHorse(WorkHorse&&) noexcept;
  WorkHorse& operator=(WorkHorse&&) = delete;
  WorkHorse(const WorkHorse&) = delete;
  WorkHorse& operator=(const WorkHorse&) = delete;
  ~WorkHorse();

  // The process, for supervision (ChildSupervisor, child_process.hpp) and reaping.
  ChildProcess& process() { return child_; }
  bool reaped() const { return child_.reaped(); }
  // True once the child's whole outcome frame has arrived: it reported and
  // is leaving with _exit(), so outcome() is final even before reaping.
  bool reported() const;

  // After reaping or reported(): the outcome the child sent, or a failure
  // describing how it died: "Work-horse terminated unexpectedly; waitpid
  // returned 11 (signal 11: SIGSEGV); " or "Work-horse exited with status N
  // without reporting an outcome".
  CallOutcome outcome() const;

 private:
  explicit WorkHorse(ChildProcess child) : child_(std::move(child)) {}
  ChildProcess child_;
  int job_fd_ = -1;  // standby, until start()
};

}  // namespace rqcpp
