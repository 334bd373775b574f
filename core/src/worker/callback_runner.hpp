// Job callbacks (on_success / on_failure / on_stopped): which one a job's
// outcome calls, and running it in its own work horse after the job's
// outcome is written, with RQ's callback timeout. A callback cannot change
// its job's outcome; its own failure is only logged.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "worker/fetcher.hpp"
#include "worker/plugin_call.hpp"

namespace rqcpp {

class ChildSupervisor;

// A job's callback due once its outcome is written.
struct PendingCallback {
  std::string kind;  // "success", "failure" or "stopped", for logs
  PluginCall call;   // func_name = the callback, args = the convention's array
};

// The callback `job` names for this outcome (stopped by a stop-job command,
// else success or failure), with its arguments (callback_args.hpp); nullopt
// when the job names none. `call` is the job's own call (meta, serializer,
// plugin directory, Redis URL are the callback's too).
std::optional<PendingCallback> pick_callback(const TakenJob& job, const PluginCall& call,
                                             const CallOutcome& outcome, bool stopped);

// Runs `cb` in a work horse waited for by `supervisor` at most `timeout`
// (kill-horse and a cold shutdown reach it); `duties` run meanwhile. A
// failure, crash, timeout or failed fork is logged (warning). Never throws.
void run_callback(const PendingCallback& cb, std::chrono::seconds timeout,
                  const ChildSupervisor& supervisor,
                  const std::function<std::chrono::steady_clock::time_point()>& duties);

}  // namespace rqcpp
