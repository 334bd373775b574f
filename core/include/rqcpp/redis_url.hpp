// Where Redis is: parsed from redis://[[user]:password@]host[:port][/db],
// rediss://... (the same over TLS, with redis-py's ssl_* query parameters),
// unix://[[user]:password@]/path/to.sock[?db=N][&password=P], or
// redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/service[/db]
// [?sentinel_username=U][&sentinel_password=P][&db=N][&password=P] (the
// Sentinels to ask for the master of `service`; see rqcpp/sentinel.hpp).
// User, password and query values may be percent-encoded (as in redis-py URLs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// One Sentinel of a redis+sentinel:// URL.
struct SentinelAddress {
  std::string host;                    // name, IPv4 or IPv6 address (no brackets)
  int port = defaults::kSentinelPort;  // when the URL names none
};

struct RedisUrl {
  std::string host = "127.0.0.1";   // empty when unix_path is set or for redis+sentinel://
  int port = defaults::kRedisPort;  // 0 for unix:// and redis+sentinel://
  std::string unix_path;            // non-empty for unix:// URLs
  int db = 0;
  // The data node's credentials (for redis+sentinel://, the master's; the
  // Sentinels get sentinel_user / sentinel_password).
  std::string user;      // empty: AUTH with password only (or no AUTH)
  std::string password;  // empty: no AUTH
  TlsOptions tls;        // enabled for rediss:// only

  // redis+sentinel:// only (all empty otherwise). The Sentinels, in the
  // order given (asked in that order), and the service name they know the
  // master by (`sentinel monitor <service> ...` in sentinel.conf). A
  // Connection asks them for the master each time it connects.
  std::vector<SentinelAddress> sentinels;
  std::string service;
  // AUTH for the Sentinels (query parameters sentinel_username and
  // sentinel_password); empty: no AUTH. Never taken from user/password, as
  // in redis-py's Sentinel.
  std::string sentinel_user;
  std::string sentinel_password;

  // True for a redis+sentinel:// URL.
  bool is_sentinel() const { return !sentinels.empty(); }

  // Parses `url`. Defaults: port defaults::kRedisPort (a Sentinel's:
  // defaults::kSentinelPort), db 0. A db may also be given as ?db=N.
  // rediss:// takes the ssl_* parameters of TlsOptions (booleans:
  // true/false, yes/no, 1/0, t/f, y/n in any case). Throws UrlError naming
  // what is wrong (scheme, host, port, db, escape, service, an unknown
  // parameter, a bad value, an ssl_* parameter on a URL without TLS) and
  // quoting the URL with every password masked.
  static RedisUrl parse(std::string_view url);

  // The URL back as text with every password (also sentinel_password)
  // masked, for logs and errors. A rediss:// URL keeps its non-default TLS
  // parameters (none is secret).
  std::string redacted() const;
};

// `text` with everything but RFC 3986's unreserved characters as %XX: safe
// in a URL as a user name, password, path segment or query value.
std::string percent_encode(std::string_view text);

// URL text with every password replaced by *** (as in errors: the
// authority's password, and query values named like "password"). Never
// throws; `url` need not be valid.
std::string redact_url(std::string_view url);

// RQ_REDIS_URL from the environment when set and non-empty, else
// defaults::kRedisUrl.
std::string default_redis_url();

}  // namespace rqcpp
