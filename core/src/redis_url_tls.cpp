// redis-py 4.3's ssl_* URL parameters (redis/connection.py: URL_QUERY_ARGUMENT_PARSERS,
// to_bool, SSLConnection); see redis_url_tls.hpp.
#include "redis_url_tls.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace rqcpp::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// redis-py's to_bool takes "0", "F", "FALSE", "N", "NO" (any case) as false
// and anything else as true; a typo is refused here instead.
bool parse_bool(std::string_view name, const std::string& value) {
  const std::string v = lower(value);
  for (const char* f : {"0", "f", "false", "n", "no"}) {
    if (v == f) return false;
  }
  for (const char* t : {"1", "t", "true", "y", "yes"}) {
    if (v == t) return true;
  }
  throw std::invalid_argument(std::string(name) + " '" + value +
                              "' is not a boolean (true/false, yes/no, 1/0)");
}

std::string non_empty(std::string_view name, const std::string& value) {
  if (value.empty()) throw std::invalid_argument(std::string(name) + " is empty");
  return value;
}

const std::array<std::pair<TlsOptions::CertReqs, const char*>, 3> kCertReqs{{
    {TlsOptions::CertReqs::kRequired, "required"},
    {TlsOptions::CertReqs::kOptional, "optional"},
    {TlsOptions::CertReqs::kNone, "none"},
}};

std::string encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

bool apply_tls_parameter(std::string_view name, const std::string& value, TlsOptions& tls) {
  if (name == "ssl_ca_certs") {
    tls.ca_certs = non_empty(name, value);
  } else if (name == "ssl_ca_path") {
    tls.ca_path = non_empty(name, value);
  } else if (name == "ssl_certfile") {
    tls.certfile = non_empty(name, value);
  } else if (name == "ssl_keyfile") {
    tls.keyfile = non_empty(name, value);
  } else if (name == "ssl_check_hostname") {
    tls.check_hostname = parse_bool(name, value);
  } else if (name == "ssl_cert_reqs") {
    auto it = std::find_if(kCertReqs.begin(), kCertReqs.end(),
                           [&](const auto& e) { return value == e.second; });
    if (it == kCertReqs.end()) {
      throw std::invalid_argument("ssl_cert_reqs '" + value +
                                  "' is not one of required, optional, none");
    }
    tls.cert_reqs = it->first;
  } else {
    return false;
  }
  return true;
}

std::string tls_query(const TlsOptions& tls) {
  std::string q;
  auto add = [&q](const char* name, std::string_view value) {
    if (!value.empty()) q.append("&").append(name).append("=").append(encode(value));
  };
  add("ssl_ca_certs", tls.ca_certs);
  add("ssl_ca_path", tls.ca_path);
  add("ssl_certfile", tls.certfile);
  add("ssl_keyfile", tls.keyfile);
  if (tls.cert_reqs != TlsOptions::CertReqs::kRequired) {
    for (const auto& [reqs, text] : kCertReqs) {
      if (reqs == tls.cert_reqs) add("ssl_cert_reqs", text);
    }
  }
  if (tls.check_hostname) add("ssl_check_hostname", "true");
  return q;
}

}  // namespace rqcpp::detail
