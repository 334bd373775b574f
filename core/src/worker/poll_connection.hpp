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

namespace rqcpp {

namespace detail {
class RedisStream;
}

// Owns one RedisStream (socket, TLS session, reader; closed on destruction).
// Not thread-safe; never used across fork() (a work horse closes the
// descriptor and never calls it).
class PollConnection {
 public:
  // Connects (TLS for rediss://), AUTHs and SELECTs as `url` says
  // (blocking, bounded by `timeout`, which also bounds wait_reply()); a
  // redis+sentinel:// URL connects to the master its Sentinels name
  // (rqcpp/sentinel.hpp). Throws RedisError naming the redacted URL on
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
  // Reads what the socket holds without blocking (call after poll()
  // reports POLLIN; with TLS that includes what OpenSSL already decrypted)
  // and returns the next complete reply, or nullopt while none is complete.
  // Throws RedisError when the server closed the connection, I/O failed or
  // the reply is over the limits of defaults.hpp.
  std::optional<Reply> read();
  // A reply already buffered from an earlier read(), without any I/O.
  std::optional<Reply> buffered();
  // Blocks for the next reply, each wait bounded by open()'s timeout.
  // Throws RedisError as read() does, and on timeout.
  Reply wait_reply();

 private:
  explicit PollConnection(std::unique_ptr<detail::RedisStream> stream);
  std::unique_ptr<detail::RedisStream> stream_;
};

}  // namespace rqcpp
