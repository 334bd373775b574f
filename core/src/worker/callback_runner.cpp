// Job callbacks (on_success / on_failure / on_stopped): run in their own work
// horse after the job's outcome is written, with RQ's callback timeout. A
// callback cannot change its job's outcome; its own failure is only logged.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <system_error>

#include "worker/worker_impl.hpp"

namespace rqcpp {

void Worker::Impl::run_callback(const PendingCallback& cb) {
  const std::string& name = cb.call.func_name;
  const std::string& id = cb.call.id;
  std::optional<WorkHorse> h;
  try {
    h.emplace(WorkHorse::spawn(cb.call));
  } catch (const std::system_error& e) {
    spdlog::warn("job {}: {} callback {} not run: cannot start a work horse: {}", id, cb.kind,
                 name, e.what());
    return;
  }
  horse = &*h;  // kill-horse and cold shutdown reach the callback too
  struct Forget {
    Impl& w;
    ~Forget() { w.horse = nullptr; }
  } forget{*this};
  const auto deadline = Steady::now() + opt.callback_timeout;
  bool timed_out = false;
  if (stop_requests >= 2) h->kill();
  while (!h->try_reap()) {
    const auto now = Steady::now();
    if (!timed_out && now >= deadline) {
      timed_out = true;
      h->kill();
      continue;
    }
    if (now >= next_heartbeat) idle_heartbeat();
    const auto wake = std::min({timed_out ? now + std::chrono::milliseconds(100) : deadline,
                                next_heartbeat, next_periodic(deadline, false)});
    std::vector<pollfd> extra;
    const int fd = h->fd();
    if (fd >= 0) extra.push_back(pollfd{fd, POLLIN, 0});
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Steady::now()) +
                std::chrono::milliseconds(1);
    std::vector<pollfd> fds =
        poll_events(std::move(extra), std::max(wait, std::chrono::milliseconds(0)));
    for (const pollfd& p : fds) {
      if (fd >= 0 && p.fd == fd && p.revents != 0) h->on_readable();
    }
    run_scheduler_if_due();
  }
  if (timed_out) {
    spdlog::warn("job {}: {} callback {} timed out after {}s and was killed", id, cb.kind, name,
                 opt.callback_timeout.count());
    return;
  }
  HorseOutcome out = h->outcome();
  if (!out.ok) {
    spdlog::warn("job {}: {} callback {} failed: {}{}{}", id, cb.kind, name, out.exc_type,
                 out.exc_type.empty() ? "" : ": ", out.exc_message);
    return;
  }
  spdlog::debug("job {}: {} callback {} done", id, cb.kind, name);
}

}  // namespace rqcpp
