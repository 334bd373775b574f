// A TLS client session (OpenSSL) over a connected socket, for rediss:// URLs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "rqcpp/redis_url.hpp"

struct ssl_st;      // SSL
struct ssl_ctx_st;  // SSL_CTX

namespace rqcpp::detail {

// Owns its SSL_CTX and SSL (freed on destruction); the socket stays the
// caller's and must outlive the session. The socket's own I/O goes through
// send(MSG_NOSIGNAL)/recv, so a closed peer never raises SIGPIPE. Not
// thread-safe.
class TlsSession {
 public:
  // Loads the CA and client certificate files `tls` names, then handshakes
  // over `fd` (a connected stream socket, left blocking or not as it was)
  // before `deadline`, sending `host` as SNI unless it is an IP address and
  // verifying the server as `tls` says. Throws RedisError whose message
  // starts with "TLS" and names the reason: OpenSSL's for a certificate
  // that does not verify ("certificate verify failed: self-signed
  // certificate in certificate chain"), a file that does not load, a
  // handshake error or the deadline.
  TlsSession(int fd, const std::string& host, const TlsOptions& tls,
             std::chrono::steady_clock::time_point deadline);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Like recv()/send() on the socket: > 0 bytes moved; 0 from read() when
  // the peer closed; -1 with errno EAGAIN (the socket's timeout, or nothing
  // there with `dont_wait`), EINTR, or EPROTO / another errno with the
  // reason in last_error(). `dont_wait` reads without blocking even on a
  // blocking socket (after poll(): the readable bytes may be a TLS record
  // that carries no application data, e.g. a TLS 1.3 session ticket).
  ssize_t read(char* buf, size_t n, bool dont_wait);
  ssize_t write(const char* buf, size_t n);
  // Decrypted bytes OpenSSL holds that a poll() on the socket cannot see.
  size_t pending() const;
  const std::string& last_error() const { return error_; }
  // `why` a connection broke, plus a hint when the server asked for a
  // client certificate and the URL names none: with TLS 1.3 such a server
  // refuses only after the handshake, by closing the connection (its alert
  // may be lost in a TCP reset).
  std::string explain_broken(const std::string& why) const;

  // What the session's socket BIO reads from (its data pointer points here).
  struct Socket {
    int fd;
    bool dont_wait = false;
  };

 private:
  struct CtxFree {
    void operator()(ssl_ctx_st* c) const;
  };
  struct SslFree {
    void operator()(ssl_st* s) const;
  };
  ssize_t result(int rc);
  std::unique_ptr<Socket> socket_;
  std::unique_ptr<ssl_ctx_st, CtxFree> ctx_;
  std::unique_ptr<ssl_st, SslFree> ssl_;
  std::string error_;
  bool cert_requested_ = false;  // set by OpenSSL's client certificate callback
};

}  // namespace rqcpp::detail
