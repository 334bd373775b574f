// Where Redis is: parsed from redis://[[user]:password@]host[:port][/db],
// rediss://... (the same over TLS, with redis-py's ssl_* query parameters) or
// unix://[[user]:password@]/path/to.sock[?db=N][&password=P].
// User, password and query values may be percent-encoded (as in redis-py URLs).
#pragma once

#include <string>
#include <string_view>

#include "rqcpp/defaults.hpp"

namespace rqcpp {

// TLS settings of a rediss:// URL, named and defaulted as redis-py 4.3's
// SSLConnection (its URL query parameters), so one RQ_REDIS_URL serves
// Python RQ and rqcpp alike.
struct TlsOptions {
  // How the server's certificate is checked (ssl_cert_reqs). kRequired and
  // kOptional both verify the chain (a TLS server always presents a
  // certificate; Python treats "optional" on a client as "required");
  // kNone accepts any certificate.
  enum class CertReqs { kRequired, kOptional, kNone };

  bool enabled = false;  // rediss://
  std::string ca_certs;  // ssl_ca_certs: PEM CA file, trusted besides the system store
  std::string ca_path;   // ssl_ca_path: directory of hashed CA files (c_rehash)
  std::string certfile;  // ssl_certfile: client certificate chain (PEM)
  std::string keyfile;   // ssl_keyfile: its private key (PEM; default: in certfile)
  CertReqs cert_reqs = CertReqs::kRequired;  // ssl_cert_reqs=required|optional|none
  bool check_hostname = false;  // ssl_check_hostname: the certificate must name the host (or IP)

  bool operator==(const TlsOptions&) const = default;
};

struct RedisUrl {
  std::string host = "127.0.0.1";  // empty when unix_path is set
  int port = defaults::kRedisPort;
  std::string unix_path;  // non-empty for unix:// URLs
  int db = 0;
  std::string user;      // empty: AUTH with password only (or no AUTH)
  std::string password;  // empty: no AUTH
  TlsOptions tls;        // enabled for rediss:// only

  // Parses `url`. Defaults: port defaults::kRedisPort, db 0. A db may also be given as
  // ?db=N. rediss:// takes the ssl_* parameters of TlsOptions (booleans:
  // true/false, yes/no, 1/0, t/f, y/n in any case). Throws UrlError naming what is wrong
  // (scheme, host, port, db, escape, an unknown parameter, a bad value, an
  // ssl_* parameter on a URL without TLS) and quoting the URL with the
  // password masked.
  static RedisUrl parse(std::string_view url);

  // The URL back as text with the password masked, for logs and errors. A
  // rediss:// URL keeps its non-default TLS parameters (none is secret).
  std::string redacted() const;
};

// URL text with every password replaced by *** (as in errors: the
// authority's password, and query values named like "password"). Never
// throws; `url` need not be valid.
std::string redact_url(std::string_view url);

// RQ_REDIS_URL from the environment when set and non-empty, else
// defaults::kRedisUrl.
std::string default_redis_url();

}  // namespace rqcpp
