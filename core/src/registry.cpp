// Read-only registry access; see registry.hpp. Keys come from keys.hpp only.
#include "rqcpp/registry.hpp"

#include <cstdlib>
#include <string>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {

namespace {

// Indexed by RegistryKind, in kAllRegistryKinds' order.
constexpr std::array<std::string_view, 6> kNames = {"started",  "finished",  "failed",
                                                    "deferred", "scheduled", "canceled"};
constexpr std::array<std::string (*)(std::string_view), 6> kKeyOf = {
    keys::started, keys::finished, keys::failed, keys::deferred, keys::scheduled, keys::canceled};

// ZRANGE takes an inclusive stop index; length -1 means "to the end".
std::string stop_index(long long offset, long long length) {
  return length < 0 ? std::string("-1") : std::to_string(offset + length - 1);
}

}  // namespace

std::string_view to_string(RegistryKind kind) {
  return kNames[static_cast<size_t>(kind)];
}

std::optional<RegistryKind> parse_registry_kind(std::string_view text) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return kAllRegistryKinds[i];
  }
  return std::nullopt;
}

std::string registry_key(std::string_view queue, RegistryKind kind) {
  return kKeyOf[static_cast<size_t>(kind)](queue);
}

Registry::Registry(Connection& conn, std::string queue, RegistryKind kind)
    : conn_(&conn), queue_(std::move(queue)), kind_(kind) {}

std::string Registry::key() const {
  return registry_key(queue_, kind_);
}

long long Registry::count() {
  return conn_->checked({"ZCARD", key()}).integer();
}

std::vector<std::string> Registry::job_ids(long long offset, long long length) {
  if (length == 0) return {};
  const std::string start = std::to_string(offset);
  return conn_->checked({"ZRANGE", key(), start, stop_index(offset, length)}).strings();
}

std::vector<RegistryEntry> Registry::entries(long long offset, long long length) {
  if (length == 0) return {};
  const std::string start = std::to_string(offset);
  const std::vector<std::string> flat =
      conn_->checked({"ZRANGE", key(), start, stop_index(offset, length), "WITHSCORES"}).strings();
  std::vector<RegistryEntry> out;
  out.reserve(flat.size() / 2);
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    // strtod also reads Redis' "inf" / "-inf" spellings.
    out.push_back({flat[i], std::strtod(flat[i + 1].c_str(), nullptr)});
  }
  return out;
}

bool Registry::contains(std::string_view job_id) {
  return !conn_->checked({"ZSCORE", key(), job_id}).is_nil();
}

std::array<long long, 6> registry_counts(Connection& conn, std::string_view queue) {
  std::array<std::string, 6> keys_;
  for (size_t i = 0; i < kAllRegistryKinds.size(); ++i) {
    keys_[i] = registry_key(queue, kAllRegistryKinds[i]);
    conn.append({"ZCARD", keys_[i]});
  }
  std::vector<Reply> replies = conn.replies();
  std::array<long long, 6> counts{};
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i >= replies.size() || replies[i].is_error()) {
      throw RedisError("ZCARD " + keys_[i] + " failed: " +
                       (i < replies.size() ? std::string(replies[i].str()) : "no reply"));
    }
    counts[i] = replies[i].integer();
  }
  return counts;
}

}  // namespace rqcpp
