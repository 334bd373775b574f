// A Redis connection driven by poll(): send a command, go on polling the
// socket with everything else, read the reply when it arrives. Used for the
// BLMOVE waits and the pub/sub subscription, which must not block the
// worker's single thread the way rqcpp::Connection's commands do.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "rqcpp/connection.hpp"
#include "rqcpp/redis_url.hpp"

struct redisContext;

namespace rqcpp {

// Owns one hiredis context (freed on destruction). Not thread-safe; never
// used across fork() (a work horse closes the descriptor and never calls it).
class PollConnection {
 public:
  // Connects, AUTHs and SELECTs as `url` says (blocking, bounded by
  // `timeout`); a redis+sentinel:// URL connects to the master its Sentinels
  // name (rqcpp/sentinel.hpp). Throws RedisError naming the redacted URL on
  // failure.
  static PollConnection open(const RedisUrl& url,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));

  PollConnection(PollConnection&&) noexcept;
  PollConnection& operator=(PollConnection&&) noexcept;
  ~PollConnection();

  // The socket, for poll() (POLLIN when a reply is due).
  int fd() const;
  // Writes one command completely; its reply comes later through read().
  // Throws RedisError on I/O failure.
  void send(const std::vector<std::string_view>& argv);
  // Reads what the socket holds (call after poll() reports POLLIN) and
  // returns the next complete reply, or nullopt while none is complete.
  // Throws RedisError when the server closed the connection or I/O failed.
  std::optional<Reply> read();
  // A reply already buffered from an earlier read(), without any I/O.
  std::optional<Reply> buffered();

 private:
  struct Free {
    void operator()(redisContext* c) const;
  };
  explicit PollConnection(redisContext* c, std::string where) : ctx_(c), where_(std::move(where)) {}
  [[noreturn]] void fail(const char* what);
  std::unique_ptr<redisContext, Free> ctx_;
  std::string where_;  // redacted URL for messages
};

}  // namespace rqcpp
