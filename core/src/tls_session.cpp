// OpenSSL client sessions; see tls_session.hpp.
#include "tls_session.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "rqcpp/error.hpp"

namespace rqcpp::detail {
namespace {

using TlsSocket = TlsSession::Socket;

// errno of the socket call that failed last inside OpenSSL on this thread:
// SSL_get_error() says "retry" for a timeout and for EINTR alike.
thread_local int g_io_errno = 0;

bool retryable(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

int bio_write(BIO* b, const char* data, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = ::send(static_cast<TlsSocket*>(BIO_get_data(b))->fd, data, static_cast<size_t>(len),
                     MSG_NOSIGNAL);
  if (n < 0) {
    g_io_errno = errno;
    if (retryable(errno)) BIO_set_retry_write(b);
  }
  return static_cast<int>(n);
}

int bio_read(BIO* b, char* data, int len) {
  BIO_clear_retry_flags(b);
  const auto* s = static_cast<TlsSocket*>(BIO_get_data(b));
  ssize_t n = ::recv(s->fd, data, static_cast<size_t>(len), s->dont_wait ? MSG_DONTWAIT : 0);
  if (n < 0) {
    g_io_errno = errno;
    if (retryable(errno)) BIO_set_retry_read(b);
  }
  return static_cast<int>(n);
}

long bio_ctrl(BIO* /*b*/, int cmd, long /*num*/, void* /*ptr*/) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

// OpenSSL's socket BIO writes with write(), which raises SIGPIPE on a
// closed connection and would kill rqctl or a C++ producer: this one uses
// send(MSG_NOSIGNAL). Made once, kept for the life of the process.
BIO_METHOD* socket_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rqcpp socket");
    if (m == nullptr || BIO_meth_set_write(m, bio_write) != 1 ||
        BIO_meth_set_read(m, bio_read) != 1 || BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
        BIO_meth_set_create(m, bio_create) != 1) {
      throw RedisError("TLS: cannot set up OpenSSL's socket I/O");
    }
    return m;
  }();
  return method;
}

// OpenSSL's reason for the last failure on this thread ("" if none).
std::string openssl_reason() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "";
  if (const char* reason = ERR_reason_error_string(last)) return reason;
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

[[noreturn]] void fail(const std::string& what) {
  std::string reason = openssl_reason();
  throw RedisError("TLS: " + what + (reason.empty() ? "" : ": " + reason));
}

bool is_ip(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Called by OpenSSL when the server asks for a client certificate and none
// is configured: none is sent, and the session remembers the request.
int no_client_cert(SSL* ssl, X509** /*x509*/, EVP_PKEY** /*pkey*/) {
  *static_cast<bool*>(SSL_get_app_data(ssl)) = true;
  return 0;
}

// An encrypted private key would make OpenSSL prompt on the terminal.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return 0;
}

}  // namespace

void TlsSession::CtxFree::operator()(SSL_CTX* c) const {
  SSL_CTX_free(c);
}
void TlsSession::SslFree::operator()(SSL* s) const {
  SSL_free(s);
}

TlsSession::TlsSession(int fd, const std::string& host, const TlsOptions& tls,
                       std::chrono::steady_clock::time_point deadline) {
  ERR_clear_error();
  ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!ctx_) fail("cannot create a context");
  SSL_CTX* ctx = ctx_.get();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // As Python's ssl.create_default_context(): the system store, plus the
  // CA file or directory the URL names.
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) fail("cannot load the system CA store");
  if (!tls.ca_certs.empty() || !tls.ca_path.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.ca_certs.empty() ? nullptr : tls.ca_certs.c_str(),
                                      tls.ca_path.empty() ? nullptr : tls.ca_path.c_str()) != 1) {
      fail("cannot load CA certificates from " +
           (tls.ca_certs.empty() ? "ssl_ca_path " + tls.ca_path : "ssl_ca_certs " + tls.ca_certs));
    }
  }
  if (!tls.keyfile.empty() && tls.certfile.empty()) {
    throw RedisError("TLS: ssl_keyfile needs ssl_certfile");
  }
  if (!tls.certfile.empty()) {
    const std::string& key = tls.keyfile.empty() ? tls.certfile : tls.keyfile;
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.certfile.c_str()) != 1)
      fail("cannot load the client certificate ssl_certfile " + tls.certfile);
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
      fail("cannot load the client key " + key);
    if (SSL_CTX_check_private_key(ctx) != 1)
      fail("the client key " + key + " does not match ssl_certfile " + tls.certfile);
  }
  if (tls.certfile.empty()) SSL_CTX_set_client_cert_cb(ctx, no_client_cert);
  const bool verify = tls.cert_reqs != TlsOptions::CertReqs::kNone;
  SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);

  ssl_.reset(SSL_new(ctx));
  if (!ssl_) fail("cannot create a session");
  SSL* ssl = ssl_.get();
  SSL_set_app_data(ssl, &cert_requested_);
  BIO* bio = BIO_new(socket_method());
  if (bio == nullptr) fail("cannot create a socket BIO");
  socket_ = std::make_unique<Socket>(Socket{fd});
  BIO_set_data(bio, socket_.get());
  SSL_set_bio(ssl, bio, bio);  // the session owns it now
  const bool ip = is_ip(host);
  if (!ip && !host.empty() && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
    fail("cannot set the server name " + host);
  if (verify && tls.check_hostname) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    if (ok != 1) fail("cannot check the host name " + host);
  }

  for (;;) {
    ERR_clear_error();
    g_io_errno = 0;
    const int rc = SSL_connect(ssl);
    if (rc == 1) break;
    const int err = SSL_get_error(ssl, rc);
    short events = 0;
    if (err == SSL_ERROR_WANT_READ) events = POLLIN;
    if (err == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events == 0) {
      const long verified = SSL_get_verify_result(ssl);
      if (verify && verified != X509_V_OK) {
        ERR_clear_error();
        throw RedisError(std::string("TLS: certificate verify failed: ") +
                         X509_verify_cert_error_string(verified));
      }
      if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        throw RedisError(std::string("TLS handshake failed: ") +
                         (g_io_errno != 0
                              ? std::strerror(g_io_errno)
                              : "the server closed the connection (is it a TLS port?)"));
      }
      fail("handshake failed");
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw RedisError("TLS handshake timed out");
    pollfd p{fd, events, 0};
    const int ms = static_cast<int>(std::min<long long>(left.count() + 1, INT_MAX));
    if (::poll(&p, 1, ms) == 0) throw RedisError("TLS handshake timed out");
  }
}

TlsSession::~TlsSession() = default;

std::string TlsSession::explain_broken(const std::string& why) const {
  if (!cert_requested_) return why;
  return why +
         " (the server asked for a client certificate and the URL names none: "
         "ssl_certfile, ssl_keyfile)";
}

ssize_t TlsSession::result(int rc) {
  if (rc > 0) return rc;
  const int err = SSL_get_error(ssl_.get(), rc);
  switch (err) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      errno = g_io_errno != 0 ? g_io_errno : EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        if (g_io_errno == 0) return 0;  // EOF without close_notify
        error_ = std::strerror(g_io_errno);
        errno = g_io_errno;
        return -1;
      }
      [[fallthrough]];
    default:
      error_ = "TLS: " + openssl_reason();
      errno = EPROTO;
      return -1;
  }
}

ssize_t TlsSession::read(char* buf, size_t n, bool dont_wait) {
  ERR_clear_error();
  g_io_errno = 0;
  socket_->dont_wait = dont_wait;
  const int rc = SSL_read(ssl_.get(), buf, static_cast<int>(std::min<size_t>(n, INT_MAX)));
  socket_->dont_wait = false;
  return result(rc);
}

ssize_t TlsSession::write(const char* buf, size_t n) {
  ERR_clear_error();
  g_io_errno = 0;
  return result(SSL_write(ssl_.get(), buf, static_cast<int>(std::min<size_t>(n, INT_MAX))));
}

size_t TlsSession::pending() const {
  return static_cast<size_t>(std::max(SSL_pending(ssl_.get()), 0));
}

}  // namespace rqcpp::detail
