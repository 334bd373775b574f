// Picking and running job callbacks; see callback_runner.hpp.
#include "worker/callback_runner.hpp"

#include <spdlog/spdlog.h>

#include <system_error>

#include "worker/callback_args.hpp"
#include "worker/child_process.hpp"
#include "worker/work_horse.hpp"

namespace rqcpp {

std::optional<PendingCallback> pick_callback(const TakenJob& job, const PluginCall& call,
                                             const CallOutcome& outcome, bool stopped) {
  PendingCallback cb{"", call};
  cb.call.fn = nullptr;
  cb.call.kwargs = std::string("\x80", 1);
  if (stopped) {
    if (job.on_stopped.empty()) return std::nullopt;
    cb.kind = "stopped";
    cb.call.func_name = job.on_stopped;
    cb.call.args = stopped_callback_args(job.id);
  } else if (outcome.ok) {
    if (job.on_success.empty()) return std::nullopt;
    cb.kind = "success";
    cb.call.func_name = job.on_success;
    const bool value = outcome.result && !outcome.result->empty();
    cb.call.args = success_callback_args(job.id, value ? *outcome.result : std::string("\xc0", 1));
  } else {
    if (job.on_failure.empty()) return std::nullopt;
    cb.kind = "failure";
    cb.call.func_name = job.on_failure;
    cb.call.args = failure_callback_args(job.id, outcome.exc_type, outcome.exc_message);
  }
  return cb;
}

void run_callback(const PendingCallback& cb, std::chrono::seconds timeout,
                  const ChildSupervisor& supervisor,
                  const std::function<std::chrono::steady_clock::time_point()>& duties) {
  const std::string& name = cb.call.func_name;
  const std::string& id = cb.call.id;
  std::optional<WorkHorse> h;
  try {
    h.emplace(WorkHorse::spawn(cb.call));
  } catch (const std::system_error& e) {
    spdlog::warn("job {}: {} callback {} not run: cannot start a work horse: {}", id, cb.kind, name,
                 e.what());
    return;
  }
  ChildWatch watch;
  // kill-horse and a cold shutdown reach the callback; stop-job (its job is
  // over) does not.
  watch.deadline = std::chrono::steady_clock::now() + timeout;
  watch.duties = duties;
  if (supervisor.wait(h->process(), watch).timed_out) {
    spdlog::warn("job {}: {} callback {} timed out after {}s and was killed", id, cb.kind, name,
                 timeout.count());
    return;
  }
  CallOutcome out = h->outcome();
  if (!out.ok) {
    spdlog::warn("job {}: {} callback {} failed: {}{}{}", id, cb.kind, name, out.exc_type,
                 out.exc_type.empty() ? "" : ": ", out.exc_message);
    return;
  }
  spdlog::debug("job {}: {} callback {} done", id, cb.kind, name);
}

}  // namespace rqcpp
