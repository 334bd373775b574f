// The byte stream to one Redis server under rqcpp::Connection and the
// worker's PollConnection: the socket (TCP or unix), TLS for rediss://, the
// output buffer (RESP written here) and hiredis' protocol reader with bounded
// replies (reply_reader.hpp).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reply_reader.hpp"
#include "rqcpp/redis_url.hpp"

struct redisReply;

namespace rqcpp::detail {

class TlsSession;

// Owns the socket (closed on destruction), the TLS session and the reader.
// Not thread-safe, not movable (owners hold it by unique_ptr). Every error
// is a RedisError "<what> on Redis at <redacted URL>: <why>" and leaves the
// stream broken(); nothing is retried here.
class RedisStream {
 public:
  // Connects as `url` says (TCP with TCP_NODELAY and keepalive, or a unix
  // socket), then handshakes TLS for rediss://, both within
  // `connect_timeout`. Afterwards each socket wait is bounded by
  // `io_timeout` (zero: none). Does not AUTH or SELECT.
  RedisStream(const RedisUrl& url, std::chrono::milliseconds connect_timeout,
              std::chrono::milliseconds io_timeout);
  ~RedisStream();
  RedisStream(const RedisStream&) = delete;
  RedisStream& operator=(const RedisStream&) = delete;

  int fd() const { return fd_; }
  bool broken() const { return broken_; }
  const std::string& where() const { return where_; }
  void set_timeout(std::chrono::milliseconds io_timeout);

  // Appends one command (a RESP array of bulk strings) to the output buffer.
  void append(const std::vector<std::string_view>& argv);
  // Writes the whole output buffer (blocking, each wait bounded).
  void flush(std::string_view what);
  // The next complete reply (owned by the caller), reading as needed; a
  // reply still incomplete after about the I/O timeout is a timeout.
  redisReply* next_reply(std::string_view what);
  // After poll() saw the socket readable: reads what is there (one socket
  // read plus what TLS already decrypted) and returns the next complete
  // reply, or nullptr while none is complete. Throws when the server closed
  // the connection.
  redisReply* read_available(std::string_view what);
  // A complete reply already buffered, without I/O, or nullptr.
  redisReply* buffered(std::string_view what);

 private:
  [[noreturn]] void fail(std::string_view what, const std::string& why);
  // One read into the reader; false on EAGAIN/EINTR (nothing read).
  bool read_once(std::string_view what, bool dont_wait);
  void apply_timeout();
  std::string broken_why(const std::string& why) const;

  std::string where_;
  int fd_ = -1;
  bool broken_ = false;
  std::chrono::milliseconds io_timeout_;
  std::unique_ptr<TlsSession> tls_;
  ReplyReader reader_;
  std::string out_;
  size_t out_len_ = 0;  // bytes of out_ in use
};

}  // namespace rqcpp::detail
