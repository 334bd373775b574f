// BLMOVE-based waiting; see queue_waiter.hpp.
#include "worker/queue_waiter.hpp"

#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {

QueueWaiter::QueueWaiter(RedisUrl url, const std::vector<std::string>& queues)
    : url_(std::move(url)) {
  for (const auto& q : queues) slots_.push_back(Slot{keys::queue(q), std::nullopt, false});
}

void QueueWaiter::arm() {
  for (Slot& s : slots_) {
    if (s.in_flight) continue;
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
      if (r->is_error()) {
        throw RedisError("waiting on " + s.key + " failed: " + std::string(r->str()));
      }
      ready = true;
      break;
    }
  }
  return ready;
}

void QueueWaiter::reset() {
  for (Slot& s : slots_) {
    s.conn.reset();
    s.in_flight = false;
  }
}

}  // namespace rqcpp
