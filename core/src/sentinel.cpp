// Master discovery through Sentinel; see rqcpp/sentinel.hpp. Talks to the
// Sentinels and the node they name with plain rqcpp::Connections (a
// Sentinel speaks RESP like any Redis), so it has no I/O of its own.
#include "rqcpp/sentinel.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rqcpp/connection.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"

namespace rqcpp {
namespace {

std::string address(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// The Sentinel that answered last, by a hash of the Sentinel list and
// service, so a reconnect asks it first (the guidelines' "move it to the
// head of the list") without changing the caller's URL. Atomics, not a
// mutex: a work horse forked while another thread resolves must not inherit
// a held lock. Two URLs sharing a slot only change which Sentinel is asked
// first.
std::array<std::atomic<size_t>, 64> g_first_sentinel{};

std::atomic<size_t>& first_sentinel(const RedisUrl& url) {
  std::string key = url.service;
  for (const auto& s : url.sentinels) key += "," + address(s.host, s.port);
  return g_first_sentinel[std::hash<std::string>{}(key) % g_first_sentinel.size()];
}

// What one Sentinel says the master is; nullopt with `why` set otherwise.
std::optional<RedisUrl> ask(const RedisUrl& url, const SentinelAddress& sentinel,
                            std::chrono::milliseconds timeout, std::string& why) {
  RedisUrl at;
  at.host = sentinel.host;
  at.port = sentinel.port;
  at.user = url.sentinel_user;
  at.password = url.sentinel_password;
  Reply r;
  try {
    Connection conn = Connection::open(at, timeout);
    r = conn.command({"SENTINEL", "get-master-addr-by-name", url.service});
  } catch (const RedisError& e) {
    why = e.what();
    return std::nullopt;
  }
  if (r.is_nil()) {
    why = "does not know the service '" + url.service + "'";
    return std::nullopt;
  }
  if (r.is_error() || r.size() != 2) {
    why = "answered " + (r.is_error() ? std::string(r.str()) : std::string("an unexpected reply")) +
          " to SENTINEL get-master-addr-by-name";
    return std::nullopt;
  }
  RedisUrl node;
  node.host = r.at(0).str();
  try {
    node.port = static_cast<int>(r.at(1).integer());
  } catch (const RedisError&) {
    why = "named a master with a bad port '" + std::string(r.at(1).str()) + "'";
    return std::nullopt;
  }
  node.user = url.user;
  node.password = url.password;
  node.db = url.db;
  return node;
}

// Whether the node answers ROLE with "master"; `why` says what it is instead.
bool is_master(const RedisUrl& node, std::chrono::milliseconds timeout, std::string& why) {
  try {
    Connection conn = Connection::open(node, timeout);
    Reply r = conn.command({"ROLE"});
    if (r.is_error()) {
      // An ACL without +role cannot check: take the Sentinel's word (a
      // replica still shows itself by answering writes with READONLY).
      if (r.str().starts_with("NOPERM")) return true;
      why = "it answered ROLE with " + std::string(r.str());
      return false;
    }
    if (r.size() > 0 && r.at(0).str() == "master") return true;
    why = "it is a " + std::string(r.size() > 0 ? r.at(0).str() : "?") +
          ", not a master (a failover may be under way)";
  } catch (const RedisError& e) {
    why = e.what();
  }
  return false;
}

}  // namespace

RedisUrl resolve_master(const RedisUrl& url, std::chrono::milliseconds timeout) {
  if (!url.is_sentinel()) return url;
  const auto t = timeout.count() > 0 ? std::min(timeout, defaults::kSentinelTimeout)
                                     : defaults::kSentinelTimeout;
  std::atomic<size_t>& remembered = first_sentinel(url);
  const size_t first = remembered.load(std::memory_order_relaxed) % url.sentinels.size();
  std::string report;
  for (size_t n = 0; n < url.sentinels.size(); ++n) {
    const size_t i = (first + n) % url.sentinels.size();
    const SentinelAddress& s = url.sentinels[i];
    std::string why;
    std::optional<RedisUrl> node = ask(url, s, t, why);
    if (!report.empty()) report += "; ";
    report.append(address(s.host, s.port)).append(": ");
    if (node) {
      if (is_master(*node, t, why)) {
        remembered.store(i, std::memory_order_relaxed);
        return *node;
      }
      report.append("named ").append(address(node->host, node->port)).append(": ");
    }
    report += why;
  }
  throw RedisError("no master for service '" + url.service + "' from the Sentinels of " +
                   url.redacted() + " (" + report + ")");
}

}  // namespace rqcpp
