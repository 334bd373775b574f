// Read-only access to a queue's job registries (the sorted sets of
// docs/redis-layout.md section 1.2: started = rq:wip:<q>, finished, failed,
// deferred, scheduled, canceled).
//
// Reads report what is stored right now. Unlike RQ's registry.count, nothing
// here runs cleanup first: entries past their expiry stay counted until a
// worker's maintenance (or `rq info`) removes them, and an expired started
// entry is not failed by a mere read.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rqcpp {

class Connection;

enum class RegistryKind { kStarted, kFinished, kFailed, kDeferred, kScheduled, kCanceled };

// Every kind, in the order above (the order `rqctl info` prints them).
inline constexpr std::array<RegistryKind, 6> kAllRegistryKinds = {
    RegistryKind::kStarted,  RegistryKind::kFinished,  RegistryKind::kFailed,
    RegistryKind::kDeferred, RegistryKind::kScheduled, RegistryKind::kCanceled};

// "started", "finished", "failed", "deferred", "scheduled", "canceled".
std::string_view to_string(RegistryKind kind);
// Inverse of to_string; nullopt for any other text.
std::optional<RegistryKind> parse_registry_kind(std::string_view text);

// One member of a registry with its score (a deadline, an event time or a run
// time depending on the kind, see docs/redis-layout.md 1.2; +inf for kept-forever
// finished jobs).
struct RegistryEntry {
  std::string job_id;
  double score = 0;
};

// One registry of one queue. Holds a non-owning reference to `conn`, which must
// outlive it. Every call is one round trip and throws RedisError when Redis
// fails (or the key holds something other than a sorted set).
class Registry {
 public:
  Registry(Connection& conn, std::string queue, RegistryKind kind);

  const std::string& queue() const { return queue_; }
  RegistryKind kind() const { return kind_; }
  // The Redis key, from keys.hpp (e.g. rq:wip:<queue> for kStarted).
  std::string key() const;

  // ZCARD of the set.
  long long count();
  // Ids in ascending score order, [offset, offset + length); length -1 = all.
  std::vector<std::string> job_ids(long long offset = 0, long long length = -1);
  // The same with scores.
  std::vector<RegistryEntry> entries(long long offset = 0, long long length = -1);
  // Whether `job_id` is a member.
  bool contains(std::string_view job_id);

 private:
  Connection* conn_;
  std::string queue_;
  RegistryKind kind_;
};

// The Redis key of `kind` for `queue` (keys.hpp).
std::string registry_key(std::string_view queue, RegistryKind kind);

// ZCARD of all six registries of `queue` in one pipelined round trip, indexed
// like kAllRegistryKinds. Throws RedisError.
std::array<long long, 6> registry_counts(Connection& conn, std::string_view queue);

}  // namespace rqcpp
