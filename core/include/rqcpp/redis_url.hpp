// Where Redis is: parsed from redis://[[user]:password@]host[:port][/db] or
// unix://[[user]:password@]/path/to.sock[?db=N][&password=P].
// User and password may be percent-encoded (as in redis-py URLs).
#pragma once

#include <string>
#include <string_view>

#include "rqcpp/defaults.hpp"

namespace rqcpp {

struct RedisUrl {
  std::string host = "127.0.0.1";  // empty when unix_path is set
  int port = defaults::kRedisPort;
  std::string unix_path;  // non-empty for unix:// URLs
  int db = 0;
  std::string user;      // empty: AUTH with password only (or no AUTH)
  std::string password;  // empty: no AUTH

  // Parses `url`. Defaults: port defaults::kRedisPort, db 0. A db may also be given as
  // ?db=N (redis:// and unix://). Throws UrlError naming what is wrong
  // (scheme, host, port, db, escape) and quoting the URL with the password
  // masked.
  static RedisUrl parse(std::string_view url);

  // The URL back as text with the password masked, for logs and errors.
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
