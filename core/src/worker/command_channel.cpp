// Pub/sub worker commands; see command_channel.hpp.
#include "worker/command_channel.hpp"

#include "rqcpp/error.hpp"

namespace rqcpp {

CommandChannel::CommandChannel(RedisUrl url, std::string channel)
    : url_(std::move(url)), channel_(std::move(channel)) {}

void CommandChannel::connect() {
  conn_.reset();
  PollConnection c = PollConnection::open(url_);
  c.send({"SUBSCRIBE", channel_});
  // Wait for the confirmation (bounded by the connection's timeout) so a
  // command published right after start-up is not missed.
  c.wait_reply();
  conn_.emplace(std::move(c));
}

void CommandChannel::add_fd(std::vector<pollfd>& fds) const {
  if (conn_) fds.push_back(pollfd{conn_->fd(), POLLIN, 0});
}

std::vector<WorkerCommand> CommandChannel::on_poll(const std::vector<pollfd>& fds) {
  std::vector<WorkerCommand> out;
  if (!conn_) return out;
  bool readable = false;
  for (const pollfd& p : fds) {
    if (p.fd == conn_->fd() && (p.revents & (POLLIN | POLLERR | POLLHUP))) readable = true;
  }
  if (!readable) return out;
  try {
    for (std::optional<Reply> r = conn_->read(); r; r = conn_->buffered()) {
      // ["message", channel, payload]; subscribe confirmations are skipped
      if (r->size() == 3 && r->at(0).str() == "message") {
        if (auto cmd = parse_worker_command(r->at(2).str())) out.push_back(*cmd);
      }
    }
  } catch (const RedisError&) {
    conn_.reset();
    throw;
  }
  return out;
}

}  // namespace rqcpp
