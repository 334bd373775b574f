// poll()-driven Redis connection over hiredis; see poll_connection.hpp.
#include "worker/poll_connection.hpp"

#include <hiredis/hiredis.h>

#include <string>

#include "rqcpp/error.hpp"
#include "rqcpp/sentinel.hpp"

namespace rqcpp {

void PollConnection::Free::operator()(redisContext* c) const {
  redisFree(c);
}

PollConnection PollConnection::open(const RedisUrl& given, std::chrono::milliseconds timeout) {
  const RedisUrl url = resolve_master(given, timeout);  // `given` unless redis+sentinel://
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  redisContext* c = url.unix_path.empty() ? redisConnectWithTimeout(url.host.c_str(), url.port, tv)
                                          : redisConnectUnixWithTimeout(url.unix_path.c_str(), tv);
  if (c == nullptr)
    throw RedisError("cannot connect to Redis at " + url.redacted() + ": out of memory");
  PollConnection conn(c, url.redacted());
  if (c->err) conn.fail("cannot connect to Redis at");
  // Bounds the blocking reads of open() and of callers waiting for a reply
  // they know is due; poll()-driven reads never wait on it.
  if (redisSetTimeout(c, tv) != REDIS_OK) conn.fail("cannot configure the connection to Redis at");

  auto sync = [&](const std::vector<std::string>& argv) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    Reply r(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
    if (c->err) conn.fail("lost connection to Redis at");
    if (r.is_error()) {
      throw RedisError("Redis at " + conn.where_ + " refused " + argv[0] + ": " +
                       std::string(r.str()));
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

void PollConnection::fail(const char* what) {
  std::string why = ctx_ && ctx_->err ? ctx_->errstr : "connection closed";
  throw RedisError(std::string(what) + " " + where_ + ": " + why);
}

int PollConnection::fd() const {
  return ctx_ ? ctx_->fd : -1;
}

void PollConnection::send(const std::vector<std::string_view>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (auto a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv.size()), ptrs.data(), lens.data()) !=
      REDIS_OK) {
    fail("cannot send to Redis at");
  }
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx_.get(), &done) != REDIS_OK) fail("lost connection to Redis at");
  }
}

std::optional<Reply> PollConnection::buffered() {
  void* reply = nullptr;
  if (redisGetReplyFromReader(ctx_.get(), &reply) != REDIS_OK) fail("bad reply from Redis at");
  if (reply == nullptr) return std::nullopt;
  return Reply(static_cast<redisReply*>(reply));
}

std::optional<Reply> PollConnection::read() {
  if (auto r = buffered()) return r;
  if (redisBufferRead(ctx_.get()) != REDIS_OK) fail("lost connection to Redis at");
  return buffered();
}

}  // namespace rqcpp
