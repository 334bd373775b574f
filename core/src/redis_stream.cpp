// Socket, TLS, output buffer and bounded reader of one Redis connection; see
// redis_stream.hpp.
#include "redis_stream.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>

#include "rqcpp/error.hpp"
#include "tls_session.hpp"

namespace rqcpp::detail {
namespace {

using Clock = std::chrono::steady_clock;

// hiredis' keepalive (redisEnableKeepAlive, REDIS_KEEPALIVE_INTERVAL): a
// dead peer is noticed after about 30 s of silence.
constexpr int kKeepAliveIdle = 15;

// Closes the socket unless released (constructor failures).
struct FdGuard {
  int fd = -1;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

// Waits for a non-blocking connect() to finish before `deadline`; returns 0
// or the errno of the failure.
int finish_connect(int fd, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return ETIMEDOUT;
    pollfd p{fd, POLLOUT, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left + 1, INT_MAX)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return errno;
    if (rc == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
    return err;
  }
}

int connect_to(int family, const sockaddr* addr, socklen_t len, Clock::time_point deadline,
               FdGuard& out) {
  FdGuard s{::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return errno;
  int err = ::connect(s.fd, addr, len) == 0 ? 0 : errno;
  if (err == EINPROGRESS) err = finish_connect(s.fd, deadline);
  if (err == 0) std::swap(out.fd, s.fd);
  return err;
}

void connect_tcp(const RedisUrl& url, Clock::time_point deadline, FdGuard& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw RedisError(std::string("cannot resolve ") + url.host + ": " + gai_strerror(rc));
  }
  int err = 0;
  for (addrinfo* a = found; a != nullptr && out.fd < 0; a = a->ai_next) {
    err = connect_to(a->ai_family, a->ai_addr, a->ai_addrlen, deadline, out);
  }
  freeaddrinfo(found);
  if (out.fd < 0) throw RedisError(err == ETIMEDOUT ? "connection timed out" : std::strerror(err));
  const int on = 1;
  setsockopt(out.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  setsockopt(out.fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  const int idle = kKeepAliveIdle, interval = kKeepAliveIdle / 3, count = 3;
  setsockopt(out.fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(out.fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(out.fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

void connect_unix(const RedisUrl& url, Clock::time_point deadline, FdGuard& out) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (url.unix_path.size() >= sizeof addr.sun_path) throw RedisError("socket path too long");
  std::memcpy(addr.sun_path, url.unix_path.data(), url.unix_path.size());
  const int err =
      connect_to(AF_UNIX, reinterpret_cast<const sockaddr*>(&addr), sizeof addr, deadline, out);
  if (err != 0) throw RedisError(err == ETIMEDOUT ? "connection timed out" : std::strerror(err));
}

}  // namespace

RedisStream::RedisStream(const RedisUrl& url, std::chrono::milliseconds connect_timeout,
                         std::chrono::milliseconds io_timeout)
    : where_(url.redacted()), io_timeout_(io_timeout) {
  const auto deadline = Clock::now() + connect_timeout;
  FdGuard guard;
  try {
    if (url.unix_path.empty()) {
      connect_tcp(url, deadline, guard);
    } else {
      connect_unix(url, deadline, guard);
    }
    if (url.tls.enabled) tls_ = std::make_unique<TlsSession>(guard.fd, url.host, url.tls, deadline);
  } catch (const RedisError& e) {
    throw RedisError("cannot connect to Redis at " + where_ + ": " + e.what());
  }
  // Blocking from here on, each wait bounded by SO_RCVTIMEO/SO_SNDTIMEO: a
  // command is one send() and one recv(), no poll() (docs/hot-path.md).
  const int flags = fcntl(guard.fd, F_GETFL);
  fcntl(guard.fd, F_SETFL, flags & ~O_NONBLOCK);
  std::swap(fd_, guard.fd);
  apply_timeout();
}

RedisStream::~RedisStream() {
  if (fd_ >= 0) ::close(fd_);
}

void RedisStream::set_timeout(std::chrono::milliseconds io_timeout) {
  io_timeout_ = io_timeout;
  apply_timeout();
}

void RedisStream::apply_timeout() {
  const long long ms = std::max<long long>(io_timeout_.count(), 0);
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void RedisStream::fail(std::string_view what, const std::string& why) {
  broken_ = true;
  throw RedisError(std::string(what) + " on Redis at " + where_ + ": " + why);
}

std::string RedisStream::broken_why(const std::string& why) const {
  return tls_ ? tls_->explain_broken(why) : why;
}

void RedisStream::append(const std::vector<std::string_view>& argv) {
  // Room for the array header ("*", up to 20 digits, CRLF) and for each
  // argument "$", its length, two CRLFs. Formatted here rather than by
  // hiredis (sdscatfmt per argument, ~500 instructions each: a third of a
  // worker's CPU per job, docs/hot-path.md).
  size_t total = out_len_ + 23;
  for (auto a : argv) total += a.size() + 25;
  if (out_.size() < total) out_.resize(std::max(total, out_.size() * 2));
  char* p = out_.data() + out_len_;
  auto header = [&p](char tag, size_t n) {
    *p++ = tag;
    p = std::to_chars(p, p + 20, n).ptr;
    *p++ = '\r';
    *p++ = '\n';
  };
  header('*', argv.size());
  for (auto a : argv) {
    header('$', a.size());
    if (!a.empty()) std::memcpy(p, a.data(), a.size());
    p += a.size();
    *p++ = '\r';
    *p++ = '\n';
  }
  out_len_ = static_cast<size_t>(p - out_.data());
}

void RedisStream::flush(std::string_view what) {
  if (broken_) fail(what, "connection broken earlier");
  size_t off = 0;
  while (off < out_len_) {
    const char* data = out_.data() + off;
    const size_t left = out_len_ - off;
    const ssize_t n = tls_ ? tls_->write(data, left) : ::send(fd_, data, left, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      fail(what, "timed out sending");
    } else if (n == 0) {  // no errno to report: the peer closed (TLS close_notify)
      fail(what, broken_why("connection closed by the server"));
    } else {
      fail(what, broken_why(n < 0 && errno == EPROTO && tls_ ? tls_->last_error()
                                                             : std::strerror(errno)));
    }
  }
  out_len_ = 0;
  if (out_.size() > (size_t{1} << 20)) std::string().swap(out_);  // after a huge pipeline
}

bool RedisStream::read_once(std::string_view what, bool dont_wait) {
  char buf[16 * 1024];
  ssize_t n = tls_ ? tls_->read(buf, sizeof buf, dont_wait)
                   : ::recv(fd_, buf, sizeof buf, dont_wait ? MSG_DONTWAIT : 0);
  if (n == 0) fail(what, broken_why("connection closed by the server"));
  if (n < 0) {
    if (errno == EINTR || (dont_wait && (errno == EAGAIN || errno == EWOULDBLOCK))) return false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) fail(what, "timed out waiting for the reply");
    fail(what, broken_why(errno == EPROTO && tls_ ? tls_->last_error() : std::strerror(errno)));
  }
  reader_.feed(buf, static_cast<size_t>(n));
  // Bytes OpenSSL decrypted beyond `buf` would be invisible to poll().
  while (tls_ && tls_->pending() > 0) {
    n = tls_->read(buf, sizeof buf, true);
    if (n <= 0) break;
    reader_.feed(buf, static_cast<size_t>(n));
  }
  return true;
}

redisReply* RedisStream::buffered(std::string_view what) {
  redisReply* reply = nullptr;
  std::string error;
  if (!reader_.next(reply, error)) fail(what, error);
  return reply;
}

redisReply* RedisStream::next_reply(std::string_view what) {
  if (broken_) fail(what, "connection broken earlier");
  if (redisReply* r = buffered(what)) return r;
  // A reply that needs more than one read (large, or a slow server) must
  // still complete within about the timeout; checked only from the second
  // read on, so the usual one-read reply costs no clock call.
  Clock::time_point deadline{};
  for (int reads = 0;; ++reads) {
    if (io_timeout_.count() > 0) {
      if (reads == 1) deadline = Clock::now() + io_timeout_;
      if (reads > 1 && Clock::now() > deadline) fail(what, "timed out waiting for the reply");
    }
    if (!read_once(what, false)) continue;
    if (redisReply* r = buffered(what)) return r;
  }
}

redisReply* RedisStream::read_available(std::string_view what) {
  if (broken_) fail(what, "connection broken earlier");
  if (redisReply* r = buffered(what)) return r;
  if (!read_once(what, true)) return nullptr;
  return buffered(what);
}

}  // namespace rqcpp::detail
