// Input: a Redis URL as given on a command line (--url) or in RQ_REDIS_URL.
// Asserts: RedisUrl::parse throws nothing but UrlError; a parsed URL written
// back in canonical form (user and password percent-encoded, IPv6-style
// brackets for a host with ':', ?db= for unix sockets, the Sentinels and
// their credentials of a redis+sentinel:// URL) parses to the same fields;
// redacted() never fails and parses again to the same place.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <rqcpp/error.hpp>
#include <rqcpp/redis_url.hpp>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string canonical(const rqcpp::RedisUrl& u) {
  using rqcpp::percent_encode;
  std::string creds;
  if (!u.user.empty() || !u.password.empty()) {
    creds = percent_encode(u.user);
    if (!u.password.empty()) creds += ":" + percent_encode(u.password);
    creds += "@";
  }
  if (!u.unix_path.empty()) {
    return "unix://" + creds + u.unix_path + "?db=" + std::to_string(u.db);
  }
  if (u.is_sentinel()) {
    std::string s = "redis+sentinel://" + creds;
    for (size_t i = 0; i < u.sentinels.size(); ++i) {
      s += (i > 0 ? "," : "") + bracketed(u.sentinels[i].host) + ":" +
           std::to_string(u.sentinels[i].port);
    }
    s += "/" + percent_encode(u.service) + "/" + std::to_string(u.db) +
         "?sentinel_username=" + percent_encode(u.sentinel_user) +
         "&sentinel_password=" + percent_encode(u.sentinel_password);
    return s;
  }
  return (u.tls.enabled ? "rediss://" : "redis://") + creds + bracketed(u.host) + ":" +
         std::to_string(u.port) + "/" + std::to_string(u.db);
}

bool same(const rqcpp::RedisUrl& a, const rqcpp::RedisUrl& b) {
  if (a.sentinels.size() != b.sentinels.size()) return false;
  for (size_t i = 0; i < a.sentinels.size(); ++i) {
    if (a.sentinels[i].host != b.sentinels[i].host || a.sentinels[i].port != b.sentinels[i].port)
      return false;
  }
  return a.host == b.host && a.port == b.port && a.unix_path == b.unix_path && a.db == b.db &&
         a.user == b.user && a.password == b.password && a.service == b.service &&
         a.sentinel_user == b.sentinel_user && a.sentinel_password == b.sentinel_password &&
         a.tls.enabled == b.tls.enabled;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rqcpp::RedisUrl url;
  try {
    url = rqcpp::RedisUrl::parse(text);
  } catch (const rqcpp::UrlError&) {
    return 0;
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  std::string redacted = url.redacted();
  // A host with a bracket cannot be written back unambiguously ("a]:b" from
  // "redis://a]:b:1"); such a host cannot be reached anyway.
  if (url.host.find_first_of("[]") != std::string::npos) return 0;
  for (const auto& s : url.sentinels) {
    if (s.host.find_first_of("[],/@") != std::string::npos) return 0;
  }
  try {
    FUZZ_CHECK(same(rqcpp::RedisUrl::parse(canonical(url)), url));
    if (url.user.find_first_of(":@/?%") == std::string::npos) {
      rqcpp::RedisUrl again = rqcpp::RedisUrl::parse(redacted);
      FUZZ_CHECK(again.host == url.host && again.port == url.port &&
                 again.unix_path == url.unix_path && again.db == url.db);
    }
  } catch (const rqcpp::UrlError& e) {
    std::fprintf(stderr, "canonical form of a parsed URL does not parse: %s\n", e.what());
    FUZZ_CHECK(!"round trip");
  }
  return 0;
}
