// Registry maintenance as RQ runs it (docs/redis-layout.md 1.2, 3.4, 3.12, 5):
// expired finished/failed entries, abandoned started jobs, dead workers'
// registrations. Run by worker maintenance (with the lock) and by front-ends
// such as an `info` command (without it, as `rq info` does).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace rqcpp {

class Connection;

// Whether clean_registries first takes RQ's per-queue maintenance lock.
enum class CleanLock {
  kAcquire,  // SET rq:clean_registries:<q> 1 EX <lock_ttl> NX; skip when it is held (worker
             // maintenance)
  kIgnore,   // clean regardless of the lock (what `rq info` does)
};

// RQ's lifetime of that lock (its workers run maintenance every
// defaults::kMaintenanceInterval).
// rqworker uses max(1 s, --maintenance-interval - 1 s) instead, so a short
// interval really cleans that often.
inline constexpr std::chrono::seconds kCleanLockTtl{899};

// What one clean_registries call did.
struct CleanReport {
  bool ran = false;                  // false: the lock was held by someone else; nothing was done
  long long finished_removed = 0;    // expired rq:finished:<q> entries dropped
  long long failed_removed = 0;      // expired rq:failed:<q> entries dropped
  std::vector<std::string> failed;   // abandoned jobs moved to rq:failed:<q>
  std::vector<std::string> retried;  // abandoned jobs with retries left, re-enqueued or scheduled
};

// RQ's clean_registries(queue), atomically in one round trip
// (core/scripts/clean_registries.lua). With CleanLock::kAcquire it first
// takes rq:clean_registries:<queue> for `lock_ttl` (whole seconds, at least
// 1; ignored with kIgnore) and does nothing (ran = false) while another
// process holds it; then:
// - ZREMRANGEBYSCORE rq:finished:<q> and rq:failed:<q> 0 NOW;
// - every job in rq:wip:<q> whose deadline score is <= NOW is abandoned, and
//   so is (rqcpp's zero-loss addition, docs/design.md) one whose hash names
//   a worker_name whose rq:worker:<w> key is gone or has a `death` field,
//   whatever its score. An abandoned job with retries_left > 0 is retried as
//   in docs/redis-layout.md 3.10 (interval 0: queued again; else scheduled NOW+interval);
//   otherwise it becomes failed: status failed, exc_info "Moved to
//   FailedJobRegistry at <local time>" (dead worker: "... : worker <w> died
//   (heartbeat expired)" / "... has shut down"), EXPIRE failure_ttl (default
//   one year; -1: none) on its three keys, ZADD rq:failed:<q> NOW+failure_ttl
//   (-1: score -1). No result entry is written, as in RQ. Ids whose hash is
//   gone just leave rq:wip:<q>.
// Throws std::invalid_argument for a lock_ttl below 1 s (before touching
// Redis), RedisError.
CleanReport clean_registries(Connection& conn, std::string_view queue,
                             CleanLock lock = CleanLock::kAcquire,
                             std::chrono::seconds lock_ttl = kCleanLockTtl);

// RQ's clean_worker_registry(queue): removes every member of
// rq:workers:<queue> whose worker hash is gone from that set and from
// rq:workers, atomically. Returns how many were removed. Throws RedisError.
long long clean_worker_registry(Connection& conn, std::string_view queue);

}  // namespace rqcpp
