// Signals, commands and poll(), and the queue waits polled with them; see
// event_loop.hpp.
#include "worker/event_loop.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "worker/child_process.hpp"

namespace rqcpp {

EventLoop::EventLoop(RedisUrl url, std::string command_channel)
    : commands_(std::move(url), std::move(command_channel)) {}

void EventLoop::open() {
  signals_.emplace();
  try {
    commands_.connect();
  } catch (const RedisError& e) {
    spdlog::warn("pub/sub commands unavailable for now: {}", e.what());
  }
}

void EventLoop::close() {
  commands_.reset();
  signals_.reset();
}

void EventLoop::subscribe() {
  if (commands_.connected()) return;
  try {
    commands_.connect();
  } catch (const RedisError&) {
    // Redis is away: tried again at the next idle wait or heartbeat
  }
}

std::vector<pollfd> EventLoop::poll(std::vector<pollfd> extra, std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  if (signals_) fds.push_back(pollfd{signals_->fd(), POLLIN, 0});
  commands_.add_fd(fds);
  fds.insert(fds.end(), extra.begin(), extra.end());
  const int ms = static_cast<int>(std::clamp<long long>(timeout.count(), 0, 24LL * 3600 * 1000));
  if (::poll(fds.data(), fds.size(), ms) < 0) {
    for (auto& p : fds) p.revents = 0;  // EINTR: the self-pipe has the signal
  }
  if (signals_ && (fds[0].revents & POLLIN)) {
    for (int sig : signals_->drain()) {
      if (sig == SIGTERM || sig == SIGINT) request_stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
  }
  std::vector<WorkerCommand> cmds;
  try {
    cmds = commands_.on_poll(fds);
  } catch (const RedisError& e) {
    spdlog::warn("pub/sub connection lost: {}", e.what());
  }
  for (const WorkerCommand& cmd : cmds) handle(cmd);
  return fds;
}

void EventLoop::handle(const WorkerCommand& cmd) {
  switch (cmd.kind) {
    case WorkerCommand::Kind::kShutdown:
      request_stop("shutdown command");
      break;
    case WorkerCommand::Kind::kKillHorse:
      if (running_ != nullptr) {
        spdlog::info("kill-horse command: killing the work horse of job {}", running_->job_id_);
        running_->child_.kill();
      }
      break;
    case WorkerCommand::Kind::kStopJob:
      if (running_ != nullptr && cmd.job_id == running_->job_id_) {
        spdlog::info("stop-job command: stopping job {}", cmd.job_id);
        running_->stop_job_ = true;
        running_->child_.kill();
      } else {
        spdlog::info("stop-job command for job {} ignored (not running here)", cmd.job_id);
      }
      break;
  }
}

void EventLoop::request_stop(const char* why) {
  ++stop_requests_;
  if (stop_requests_ == 1) {
    spdlog::info("Warm shut down requested ({}){}", why,
                 running_ ? "; finishing the current job first" : "");
    if (running_ != nullptr && busy_stop_hook_) busy_stop_hook_();
  } else if (stop_requests_ == 2) {
    spdlog::warn("Cold shut down ({})", why);
    if (running_ != nullptr) {
      running_->cold_killed_ = true;
      running_->child_.kill();
    }
  }
}

EventLoop::Running::Running(EventLoop& loop, ChildProcess& child, std::string job_id)
    : loop_(loop), child_(child), job_id_(std::move(job_id)) {
  loop_.running_ = this;
  if (loop_.stop_requests_ >= 2) {
    cold_killed_ = true;
    child_.kill();
  }
}

EventLoop::Running::~Running() {
  loop_.running_ = nullptr;
}

QueueWaiter::QueueWaiter(RedisUrl url, const std::vector<std::string>& queues)
    : url_(std::move(url)) {
  for (const auto& q : queues) slots_.push_back(Slot{q, keys::queue(q), std::nullopt, false});
}

void QueueWaiter::arm() {
  for (Slot& s : slots_) {
    if (s.in_flight || s.skipped) continue;
    if (!s.conn) s.conn.emplace(PollConnection::open(url_));
    s.conn->send({"BLMOVE", s.key, s.key, "RIGHT", "RIGHT", "0"});
    s.in_flight = true;
  }
}

void QueueWaiter::add_fds(std::vector<pollfd>& fds) const {
  for (const Slot& s : slots_) {
    if (s.in_flight && s.conn) fds.push_back(pollfd{s.conn->fd(), POLLIN, 0});
  }
}

bool QueueWaiter::on_poll(const std::vector<pollfd>& fds) {
  bool ready = false;
  for (Slot& s : slots_) {
    if (!s.in_flight || !s.conn) continue;
    for (const pollfd& p : fds) {
      if (p.fd != s.conn->fd() || !(p.revents & (POLLIN | POLLERR | POLLHUP))) continue;
      std::optional<Reply> r = s.conn->read();
      if (!r) break;  // partial reply; the rest comes with the next poll
      s.in_flight = false;
      // The key changed type while we waited: the take that follows
      // reports it and passes it over.
      if (r->is_error() && r->str().find("WRONGTYPE") == std::string_view::npos) {
        throw RedisError("waiting on " + s.key + " failed: " + std::string(r->str()));
      }
      ready = true;
      break;
    }
  }
  return ready;
}

void QueueWaiter::skip(const std::vector<std::string>& queues) {
  for (Slot& s : slots_) {
    s.skipped = std::find(queues.begin(), queues.end(), s.name) != queues.end();
  }
}

bool QueueWaiter::skipping() const {
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.skipped; });
}

void QueueWaiter::reset() {
  for (Slot& s : slots_) {
    s.conn.reset();
    s.in_flight = false;
  }
}

}  // namespace rqcpp
