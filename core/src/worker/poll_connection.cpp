// poll()-driven Redis connection over a RedisStream; see poll_connection.hpp.
#include "worker/poll_connection.hpp"

#include <string>

#include "redis_stream.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/sentinel.hpp"

namespace rqcpp {

PollConnection::PollConnection(std::unique_ptr<detail::RedisStream> stream)
    : stream_(std::move(stream)) {}

PollConnection PollConnection::open(const RedisUrl& given, std::chrono::milliseconds timeout) {
  const RedisUrl url = resolve_master(given, timeout);  // `given` unless redis+sentinel://
  // The timeout bounds the blocking reads of open() and of callers waiting
  // for a reply they know is due; poll()-driven reads never wait on it.
  PollConnection conn(std::make_unique<detail::RedisStream>(url, timeout, timeout));
  auto sync = [&conn](const std::vector<std::string_view>& argv) {
    conn.send(argv);
    Reply r = conn.wait_reply();
    if (r.is_error()) {
      throw RedisError("Redis at " + conn.stream_->where() + " refused " + std::string(argv[0]) +
                       ": " + std::string(r.str()));
    }
  };
  if (!url.password.empty()) {
    if (url.user.empty()) {
      sync({"AUTH", url.password});
    } else {
      sync({"AUTH", url.user, url.password});
    }
  }
  if (url.db != 0) sync({"SELECT", std::to_string(url.db)});
  return conn;
}

PollConnection::PollConnection(PollConnection&&) noexcept = default;
PollConnection& PollConnection::operator=(PollConnection&&) noexcept = default;
PollConnection::~PollConnection() = default;

int PollConnection::fd() const {
  return stream_ ? stream_->fd() : -1;
}

void PollConnection::send(const std::vector<std::string_view>& argv) {
  stream_->append(argv);
  stream_->flush(argv.empty() ? std::string_view("send") : argv[0]);
}

std::optional<Reply> PollConnection::buffered() {
  if (redisReply* r = stream_->buffered("read")) return Reply(r);
  return std::nullopt;
}

std::optional<Reply> PollConnection::read() {
  if (redisReply* r = stream_->read_available("read")) return Reply(r);
  return std::nullopt;
}

Reply PollConnection::wait_reply() {
  return Reply(stream_->next_reply("read"));
}

}  // namespace rqcpp
