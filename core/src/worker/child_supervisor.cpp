// The supervision loop; see child_supervisor.hpp.
#include "worker/child_supervisor.hpp"

#include <poll.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "worker/child_process.hpp"
#include "worker/event_loop.hpp"

namespace rqcpp {

namespace {

// A killed child still has to be reaped; without the loop's SIGCHLD pipe a
// child that closed its pipe is checked this often.
constexpr std::chrono::milliseconds kReapPoll{10};

std::chrono::milliseconds until(Steady::time_point t) {
  if (t == Steady::time_point::max()) return std::chrono::hours(24);
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Steady::now());
  return std::max(d, std::chrono::milliseconds(0)) + std::chrono::milliseconds(1);
}

}  // namespace

ChildEnd ChildSupervisor::wait(ChildProcess& child, const ChildWatch& watch) const {
  ChildEnd end;
  std::optional<EventLoop::Running> running;
  if (loop_ != nullptr && watch.reachable) running.emplace(*loop_, child, watch.job_id);
  auto done = [&] { return (watch.finished && watch.finished()) || child.try_reap(); };
  while (!done()) {
    const auto now = Steady::now();
    if (!end.timed_out && now >= watch.deadline) {
      end.timed_out = true;
      child.kill();  // the whole process group; SIGCHLD wakes us when it is gone
      continue;
    }
    Steady::time_point wake = end.timed_out ? now + std::chrono::milliseconds(100) : watch.deadline;
    if (watch.duties) wake = std::min(wake, watch.duties());
    std::vector<pollfd> extra;
    const int fd = child.fd();
    if (fd >= 0) extra.push_back(pollfd{fd, POLLIN, 0});
    if (loop_ == nullptr && fd < 0) wake = std::min(wake, now + kReapPoll);
    std::vector<pollfd> fds;
    if (loop_ != nullptr) {
      fds = loop_->poll(std::move(extra), until(wake));
    } else {
      fds = std::move(extra);
      if (::poll(fds.data(), fds.size(), static_cast<int>(until(wake).count())) < 0) {
        for (auto& p : fds) p.revents = 0;
      }
    }
    for (const pollfd& p : fds) {
      if (fd >= 0 && p.fd == fd && p.revents != 0) child.on_readable();
    }
  }
  if (running) {
    end.cold_killed = running->cold_killed();
    end.stop_job = running->stop_job();
  }
  return end;
}

}  // namespace rqcpp
