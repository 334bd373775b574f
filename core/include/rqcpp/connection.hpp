// A synchronous connection to Redis (TCP, unix socket or TLS; hiredis' reply
// reader), owned RAII-style.
//
// A Connection is not thread-safe and must never be used on both sides of a
// fork(): a forked child opens its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rqcpp/redis_url.hpp"

struct redisReply;

namespace rqcpp {

namespace detail {
class RedisStream;
}

class Script;

// One reply from Redis. Owns the hiredis reply tree; move-only. Accessors
// never throw except where stated; an element of an array reply is a
// non-owning view into its parent and must not outlive it.
class Reply {
 public:
  enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };

  Reply() = default;
  explicit Reply(redisReply* owned);  // takes ownership (may be null = nil)
  Reply(Reply&&) noexcept;
  Reply& operator=(Reply&&) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();

  Type type() const;
  bool is_nil() const { return type() == Type::kNil; }
  bool is_error() const { return type() == Type::kError; }
  // The error Redis answers a call of a script or function it does not
  // know (NOSCRIPT, "Function not found"): the call did not run.
  bool is_unknown_script() const;

  // Text of a string, status or error reply; "" for others.
  std::string_view str() const;
  // Value of an integer reply; a string reply holding a decimal integer is
  // parsed too. Throws RedisError for anything else.
  long long integer() const;
  // Elements of an array reply (0 for non-arrays) and a view of element i
  // (i < size()). The view is valid while this Reply lives.
  size_t size() const;
  Reply at(size_t i) const;

  // Array of strings (nils become "") for convenience.
  std::vector<std::string> strings() const;
  // A flat [field, value, ...] array (HGETALL, a stream entry's fields) as a
  // map; empty for anything else.
  std::map<std::string, std::string> hash() const;

 private:
  Reply(redisReply* borrowed, bool owned);
  redisReply* reply_ = nullptr;
  bool owned_ = false;
};

class Connection {
 public:
  // Connects, AUTHs and SELECTs as `url` says; for rediss:// first
  // handshakes TLS and verifies the server (RedisUrl's TlsOptions); a
  // redis+sentinel:// URL connects to the master its Sentinels name
  // (rqcpp/sentinel.hpp), here and at every reconnect(). `timeout` bounds
  // connect plus handshake, and each command (zero: no command timeout,
  // needed for blocking commands). Throws UrlError for a bad URL, RedisError
  // when Redis cannot be reached, no Sentinel names a master, its
  // certificate does not verify (the message gives OpenSSL's reason), or it
  // refuses AUTH/SELECT; the message names the (redacted) URL. A reply
  // with more than defaults::kMaxReplyElements elements, or one value over
  // kMaxReplyBulkBytes, is a RedisError too (the connection is then
  // broken()).
  static Connection open(const std::string& url,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));
  static Connection open(const RedisUrl& url,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Sends one command (binary-safe arguments) and waits for its reply. Throws
  // RedisError on I/O failure or timeout (the connection is then broken();
  // reconnect() makes it usable again). A Redis error reply is returned, not
  // thrown, except READONLY and LOADING (also as a script's or a pipelined
  // command's reply, everywhere in this class): the node is not a usable
  // master (a failover demoted it, or it is still loading), so the
  // connection is closed (broken()) and RedisError thrown; the command may or
  // may not have run. Must not be called while appended commands await
  // replies() (std::logic_error).
  Reply command(const std::vector<std::string_view>& argv);
  Reply command(std::initializer_list<std::string_view> argv);

  // Like command() but throws RedisError when Redis answers with an error.
  Reply checked(const std::vector<std::string_view>& argv);
  Reply checked(std::initializer_list<std::string_view> argv);

  // Pipelining: append() queues a command locally; replies() sends everything
  // queued in one write and reads one reply per appended command, in order
  // (one round trip). Throws RedisError on I/O failure.
  void append(const std::vector<std::string_view>& argv);
  void append(std::initializer_list<std::string_view> argv);
  std::vector<Reply> replies();
  // Writes the queued commands to the socket now, without reading replies
  // (replies() reads them later). Throws RedisError on an I/O error.
  void flush();

  // Runs a script: FCALL for a library function, EVALSHA for a plain
  // script. Loads it first (FUNCTION LOAD / SCRIPT LOAD) when this
  // connection has not loaded it yet, and again when Redis answers that it
  // does not know it (e.g. after a restart or FUNCTION FLUSH), so it costs
  // one round trip once loaded. Error replies are thrown as RedisError
  // naming the script. When given, `while_waiting` runs after the call is
  // sent and before its reply is read, so the caller works while Redis
  // executes the script; it must not throw or use this connection.
  Reply eval(const Script& script, const std::vector<std::string_view>& keys,
             const std::vector<std::string_view>& args,
             const std::function<void()>& while_waiting = nullptr);
  // Queues an FCALL or EVALSHA for replies(); loads the script first when
  // nothing is queued yet, else it must already be loaded (prepare() it
  // before the pipeline; std::logic_error otherwise). Its reply may say the
  // script is unknown if Redis lost it meanwhile; the script did not run
  // then.
  void append_eval(const Script& script, const std::vector<std::string_view>& keys,
                   const std::vector<std::string_view>& args);
  // Loads `script` unless this connection already did (no round trip then).
  // Throws RedisError.
  void prepare(const Script& script);
  // Loads `script` now: SCRIPT LOAD, or FUNCTION LOAD of its library (a
  // library of that name already there counts as loaded: libraries are
  // named for their content). Caches that in this connection (not in
  // `script`, which other threads' connections may use at the same time)
  // and returns the SHA or the library name. Throws RedisError, naming Redis
  // 7.0 as the minimum when the server has no FUNCTION command.
  const std::string& load(const Script& script);

  // True after an I/O error; every call then throws until reconnect().
  bool broken() const;
  // Re-establishes the connection with the original URL and timeout (for
  // redis+sentinel://, asking the Sentinels for the master again). Throws
  // RedisError when Redis is still unreachable.
  void reconnect();

  // The socket, for poll(); -1 when broken.
  int fd() const;
  // Changes the per-command timeout (zero: wait forever).
  void set_timeout(std::chrono::milliseconds timeout);

  // The URL given to open() (for redis+sentinel://, the Sentinels, not the
  // master they named).
  const RedisUrl& url() const { return url_; }

 private:
  Connection(RedisUrl url, std::chrono::milliseconds timeout);
  void connect();
  [[noreturn]] void not_connected() const;
  static bool is_failover_reply(const Reply& r);
  [[noreturn]] void fail_over(const Reply& r);
  std::unique_ptr<detail::RedisStream> stream_;
  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  size_t pending_ = 0;
  // Script::id() -> what loading it returned on this server (SHA or
  // function name).
  std::unordered_map<std::uint64_t, std::string> shas_;
};

}  // namespace rqcpp
