// The worker's own Redis connection and how it lives through outages:
// reconnecting before a call when the connection broke, and retrying a call
// with backoff until Redis answers or a stop request says to give up.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "rqcpp/connection.hpp"
#include "rqcpp/redis_url.hpp"

namespace rqcpp {

class EventLoop;

// Owns the connection (emplaced once, reconnected in place, so references
// to it stay valid) and the count of successful calls. Holds a non-owning
// reference to the event loop (served between retries), which must outlive
// it. Single-threaded.
class RedisSession {
 public:
  RedisSession(RedisUrl url, EventLoop& loop);

  const RedisUrl& url() const { return url_; }
  // Opens the connection if none is open and returns it. Throws RedisError.
  Connection& connection();

  // One attempt of `fn` (reconnecting first if needed); a RedisError is
  // logged as "<what> failed: ..." and gives false.
  bool once(const std::string& what, const std::function<void(Connection&)>& fn);
  // Runs `fn` until it succeeds, waiting out an outage with backoff (100 ms
  // doubling to 5 s) while the event loop is served. After a failed attempt
  // it gives up (false) once a warm stop was requested and `must_complete`
  // is false, or a cold stop otherwise.
  bool retry(const std::string& what, bool must_complete,
             const std::function<void(Connection&)>& fn);

  // Successful calls so far (one round trip each), plus add_calls().
  long long calls() const { return calls_; }
  void add_calls(long long n) { calls_ += n; }

 private:
  Connection& ready();  // connected, reconnecting a broken connection; throws RedisError

  RedisUrl url_;
  EventLoop& loop_;
  std::optional<Connection> conn_;
  long long calls_ = 0;
};

}  // namespace rqcpp
