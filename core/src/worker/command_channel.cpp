// Pub/sub worker commands; see command_channel.hpp.
#include "worker/command_channel.hpp"

#include <nlohmann/json.hpp>

#include "rqcpp/error.hpp"

namespace rqcpp {

namespace {

std::optional<WorkerCommand> parse(std::string_view payload) {
  nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("command") || !j["command"].is_string()) return std::nullopt;
  std::string cmd = j["command"].get<std::string>();
  if (cmd == "shutdown") return WorkerCommand{WorkerCommand::Kind::kShutdown, ""};
  if (cmd == "kill-horse") return WorkerCommand{WorkerCommand::Kind::kKillHorse, ""};
  if (cmd == "stop-job" && j.contains("job_id") && j["job_id"].is_string()) {
    return WorkerCommand{WorkerCommand::Kind::kStopJob, j["job_id"].get<std::string>()};
  }
  return std::nullopt;
}

}  // namespace

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
        if (auto cmd = parse(r->at(2).str())) out.push_back(*cmd);
      }
    }
  } catch (const RedisError&) {
    conn_.reset();
    throw;
  }
  return out;
}

}  // namespace rqcpp
