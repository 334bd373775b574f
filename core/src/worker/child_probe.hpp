// Running untrusted code (loading a plugin) in a short-lived forked child,
// so that a crash or a hang there costs the caller one error, not itself.
// Used by the worker before it loads a plugin in-process (tried_plugins.hpp)
// and by the plugin catalog (rqcpp/worker/plugin_catalog.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "worker/child_process.hpp"

namespace rqcpp {

// How a probe child ended.
struct ChildProbe {
  std::string output;      // the bytes `body` returned, as far as they arrived
  bool timed_out = false;  // the child was SIGKILLed at the deadline
  int wait_status = 0;     // waitpid()'s status (WIFSIGNALED etc.)

  // One line for a child that did not answer: "crashed while loading
  // (signal 11: SIGSEGV)", "loading did not finish within 5 s (killed)" or
  // "exited with status N without an answer".
  std::string failure_text(std::chrono::milliseconds timeout) const;
};

// Forks a child (child_process.hpp) that runs `body` and writes what it
// returns back through its pipe, then _exit()s; waits for it with
// `supervisor` (serving the worker's signals and `duties` meanwhile), at
// most `timeout`. `body` must not throw (the child would exit without an
// answer). Throws std::system_error when pipe() or fork() fails.
ChildProbe run_child_probe(const std::function<std::string()>& body,
                           std::chrono::milliseconds timeout,
                           const ChildSupervisor& supervisor = ChildSupervisor(),
                           const std::function<Steady::time_point()>& duties = nullptr);

}  // namespace rqcpp
