// Outage handling; see redis_session.hpp.
#include "worker/redis_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "rqcpp/error.hpp"
#include "worker/event_loop.hpp"

namespace rqcpp {

RedisSession::RedisSession(RedisUrl url, EventLoop& loop) : url_(std::move(url)), loop_(loop) {}

Connection& RedisSession::connection() {
  if (!conn_) conn_.emplace(Connection::open(url_));
  return *conn_;
}

Connection& RedisSession::ready() {
  Connection& c = connection();
  if (c.broken()) c.reconnect();
  return c;
}

bool RedisSession::once(const std::string& what, const std::function<void(Connection&)>& fn) {
  try {
    fn(ready());
    ++calls_;
    return true;
  } catch (const RedisError& e) {
    spdlog::warn("{} failed: {}", what, e.what());
    return false;
  }
}

bool RedisSession::retry(const std::string& what, bool must_complete,
                         const std::function<void(Connection&)>& fn) {
  const int give_up_at = must_complete ? 2 : 1;
  auto backoff = std::chrono::milliseconds(100);
  bool failed_before = false;
  for (;;) {
    try {
      fn(ready());
      ++calls_;
      if (failed_before) spdlog::info("{}: Redis answers again", what);
      return true;
    } catch (const RedisError& e) {
      if (!failed_before) {
        spdlog::warn("{} failed: {}; retrying until Redis answers", what, e.what());
      }
      failed_before = true;
    }
    if (loop_.stop_requests() >= give_up_at) return false;
    loop_.poll({}, backoff);
    if (loop_.stop_requests() >= give_up_at) return false;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }
}

}  // namespace rqcpp
