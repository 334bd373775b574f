// Parsing of redis://, rediss://, unix:// and redis+sentinel:// URLs.
#include "rqcpp/redis_url.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "redis_url_tls.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"

namespace rqcpp {
namespace {

// The URL with any password replaced by ***, so error messages never show
// one: in the authority, everything between the first ':' and the LAST '@'
// of the whole URL (an unescaped '/', '?' or '@' inside a password must not
// end it early: masking too much is harmless, too little is not), and the
// value of every query parameter whose name contains "password".
std::string mask(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, scheme_end + 3));
  auto rest = url.substr(scheme_end + 3);
  auto at = rest.rfind('@');
  if (at != std::string_view::npos) {
    auto creds = rest.substr(0, at);
    auto colon = creds.find(':');
    out.append(creds.substr(0, colon));  // a bare user name is not secret
    if (colon != std::string_view::npos) out.append(":***");
    rest = rest.substr(at);
  }
  auto q = rest.find('?');
  out.append(rest.substr(0, q));
  if (q == std::string_view::npos) return out;
  auto query = rest.substr(q);
  for (size_t i = 0; i < query.size();) {
    auto end = query.find('&', i + 1);
    auto item = query.substr(i, end == std::string_view::npos ? query.npos : end - i);
    auto eq = item.find('=');
    if (eq != std::string_view::npos &&
        item.substr(0, eq).find("password") != std::string_view::npos) {
      out.append(item.substr(0, eq + 1)).append("***");
    } else {
      out.append(item);
    }
    if (end == std::string_view::npos) break;
    i = end;
  }
  return out;
}

[[noreturn]] void bad(std::string_view url, const std::string& what) {
  throw UrlError("invalid Redis URL '" + mask(url) + "': " + what);
}

std::string percent_decode(std::string_view url, std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int value = 0;
    if (i + 2 >= s.size()) bad(url, "truncated %-escape");
    auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + i + 3) bad(url, "bad %-escape");
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

int parse_int(std::string_view url, std::string_view text, const char* what, int lo, int hi) {
  int value = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || value < lo ||
      value > hi) {
    bad(url, std::string(what) + " '" + std::string(text) + "' is not a number in " +
                 std::to_string(lo) + ".." + std::to_string(hi));
  }
  return value;
}

// One ssl_* parameter (redis_url_tls.cpp); false for another name.
bool apply_tls_query(std::string_view url, std::string_view name, std::string_view value,
                     RedisUrl& out) {
  try {
    return detail::apply_tls_parameter(name, percent_decode(url, value), out.tls);
  } catch (const std::invalid_argument& e) {
    bad(url, e.what());
  }
}

// "host", "host:port", "[v6]" or "[v6]:port"; `default_port` when none.
SentinelAddress parse_host_port(std::string_view url, std::string_view authority,
                                int default_port) {
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:6379
    auto close = authority.find(']');
    if (close == std::string_view::npos) bad(url, "unclosed '[' in host");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad(url, "expected ':' after ']'");
      port = after.substr(1);
      if (port.empty()) bad(url, "empty port");
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) bad(url, "empty port");
  }
  if (host.empty()) bad(url, "missing host");
  return SentinelAddress{std::string(host),
                         port.empty() ? default_port : parse_int(url, port, "port", 1, 65535)};
}

// Calls fn(item, name, value) for each item of "a=1&b=2" (value not yet
// percent-decoded).
template <class Fn>
void for_each_query_item(std::string_view query, Fn fn) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = item.find('=');
    fn(item, item.substr(0, eq),
       eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
  }
}

// "a=1&b=2" -> applies db, password and, when `tls` (rediss://), the ssl_*
// parameters.
void apply_query(std::string_view url, std::string_view query, RedisUrl& out, bool tls) {
  for_each_query_item(query, [&](std::string_view, std::string_view name, std::string_view value) {
    if (name == "db") {
      out.db = parse_int(url, value, "db", 0, 1 << 20);
    } else if (name == "password") {
      out.password = percent_decode(url, value);
    } else if (apply_tls_query(url, name, value, out)) {
      if (!tls) bad(url, "ssl_* parameters need a rediss:// URL");
    } else if (!name.empty()) {
      bad(url, "unsupported query parameter '" + std::string(name) + "'");
    }
  });
}

// "[user]:password" or "user".
void apply_credentials(std::string_view url, std::string_view creds, RedisUrl& out) {
  auto colon = creds.find(':');
  if (colon == std::string_view::npos) {
    out.user = percent_decode(url, creds);
  } else {
    out.user = percent_decode(url, creds.substr(0, colon));
    out.password = percent_decode(url, creds.substr(colon + 1));
  }
}

// redis+sentinel://[creds@]host[:port][,host[:port]...]/service[/db]: `rest`
// is what follows the scheme, without the query.
RedisUrl parse_sentinel(std::string_view url, std::string_view rest, std::string_view query) {
  RedisUrl out;
  out.host.clear();
  out.port = 0;
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) bad(url, "redis+sentinel:// URL needs /service_name");
  auto authority = rest.substr(0, slash);
  auto path = rest.substr(slash + 1);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    apply_credentials(url, authority.substr(0, at), out);
    authority = authority.substr(at + 1);
  }
  while (true) {
    auto comma = authority.find(',');
    out.sentinels.push_back(
        parse_host_port(url, authority.substr(0, comma), defaults::kSentinelPort));
    if (comma == std::string_view::npos) break;
    authority = authority.substr(comma + 1);
  }
  auto db_slash = path.find('/');
  out.service = percent_decode(url, path.substr(0, db_slash));
  if (out.service.empty()) bad(url, "missing service name (redis+sentinel://host:port/service)");
  if (db_slash != std::string_view::npos && db_slash + 1 < path.size()) {
    out.db = parse_int(url, path.substr(db_slash + 1), "db", 0, 1 << 20);
  }
  // The Sentinels' own credentials; everything else is a data-node parameter.
  std::string rest_of_query;
  for_each_query_item(query,
                      [&](std::string_view item, std::string_view name, std::string_view value) {
                        if (name == "sentinel_password") {
                          out.sentinel_password = percent_decode(url, value);
                        } else if (name == "sentinel_username") {
                          out.sentinel_user = percent_decode(url, value);
                        } else {
                          rest_of_query.append(rest_of_query.empty() ? "" : "&").append(item);
                        }
                      });
  apply_query(url, rest_of_query, out, false);
  return out;
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string redacted_sentinel(const RedisUrl& u, const std::string& creds) {
  std::string s = "redis+sentinel://" + creds;
  for (size_t i = 0; i < u.sentinels.size(); ++i) {
    if (i > 0) s += ",";
    s += bracketed(u.sentinels[i].host) + ":" + std::to_string(u.sentinels[i].port);
  }
  s += "/" + percent_encode(u.service) + "/" + std::to_string(u.db);
  std::string query;
  if (!u.sentinel_user.empty()) query += "&sentinel_username=" + percent_encode(u.sentinel_user);
  if (!u.sentinel_password.empty()) query += "&sentinel_password=***";
  if (!query.empty()) s += "?" + query.substr(1);
  return s;
}
}  // namespace

RedisUrl RedisUrl::parse(std::string_view url) {
  RedisUrl out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    bad(url,
        "expected redis://host:port/db, rediss://host:port/db, unix:///path or "
        "redis+sentinel://host:port/service");
  auto scheme = url.substr(0, scheme_end);
  auto rest = url.substr(scheme_end + 3);

  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }

  if (scheme == "unix") {
    out.host.clear();
    out.port = 0;
    // unix://[creds@]/path: the authority is everything before the first '/'.
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) bad(url, "unix:// URL needs an absolute socket path");
    auto authority = rest.substr(0, slash);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
      apply_credentials(url, authority.substr(0, at), out);
    } else if (!authority.empty()) {
      bad(url, "unix:// URL needs an absolute socket path (unix:///path)");
    }
    out.unix_path = std::string(rest.substr(slash));
    if (out.unix_path.size() < 2) bad(url, "empty socket path");
    apply_query(url, query, out, false);
    return out;
  }
  if (scheme == "redis+sentinel") return parse_sentinel(url, rest, query);
  if (scheme != "redis" && scheme != "rediss")
    bad(url, "unsupported scheme '" + std::string(scheme) + "'");

  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    apply_credentials(url, authority.substr(0, at), out);
    authority = authority.substr(at + 1);
  }
  SentinelAddress node = parse_host_port(url, authority, defaults::kRedisPort);
  out.host = std::move(node.host);
  out.port = node.port;
  if (!path.empty()) out.db = parse_int(url, path, "db", 0, 1 << 20);
  out.tls.enabled = scheme == "rediss";
  apply_query(url, query, out, out.tls.enabled);
  return out;
}

std::string RedisUrl::redacted() const {
  std::string creds;
  if (!user.empty() || !password.empty()) {
    creds = user;
    if (!password.empty()) creds += ":***";
    creds += "@";
  }
  if (is_sentinel()) return redacted_sentinel(*this, creds);
  if (!unix_path.empty()) {
    std::string s = "unix://" + creds + unix_path;
    if (db != 0) s += "?db=" + std::to_string(db);
    return s;
  }
  std::string h = bracketed(host);
  std::string s = (tls.enabled ? "rediss://" : "redis://") + creds + h + ":" +
                  std::to_string(port) + "/" + std::to_string(db);
  if (std::string q = detail::tls_query(tls); !q.empty()) s += "?" + q.substr(1);
  return s;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out.append({'%', kHex[c >> 4], kHex[c & 15]});
    }
  }
  return out;
}

std::string redact_url(std::string_view url) {
  return mask(url);
}

std::string default_redis_url() {
  const char* env = std::getenv("RQ_REDIS_URL");
  if (env != nullptr && *env != '\0') return env;
  return std::string(defaults::kRedisUrl);
}

}  // namespace rqcpp
