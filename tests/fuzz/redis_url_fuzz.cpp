// Input: a Redis URL as given on a command line (--url) or in RQ_REDIS_URL.
// Asserts: RedisUrl::parse throws nothing but UrlError; a parsed URL written
// back in canonical form (user and password percent-encoded, IPv6-style
// brackets for a host with ':', ?db= for unix sockets) parses to the same
// fields; redacted() never fails and parses again to the same place.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <rqcpp/error.hpp>
#include <rqcpp/redis_url.hpp>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string canonical(const rqcpp::RedisUrl& u) {
  std::string creds;
  if (!u.user.empty() || !u.password.empty()) {
    creds = percent_encode(u.user);
    if (!u.password.empty()) creds += ":" + percent_encode(u.password);
    creds += "@";
  }
  if (!u.unix_path.empty()) {
    return "unix://" + creds + u.unix_path + "?db=" + std::to_string(u.db);
  }
  std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  return "redis://" + creds + host + ":" + std::to_string(u.port) + "/" + std::to_string(u.db);
}

bool same(const rqcpp::RedisUrl& a, const rqcpp::RedisUrl& b) {
  return a.host == b.host && a.port == b.port && a.unix_path == b.unix_path && a.db == b.db &&
         a.user == b.user && a.password == b.password;
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
