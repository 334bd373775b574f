// The worker's own hash rq:worker:<w> and set memberships (docs/redis-layout.md 1.5):
// registration at birth, heartbeats, shutdown request, death. Each call is
// one script (core/scripts/worker_*.lua), so one round trip.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "rqcpp/worker/worker.hpp"

namespace rqcpp {

class Connection;

// The running job a busy heartbeat refreshes.
struct BusyJob {
  std::string id;
  std::string origin;
  double working_time = 0;  // seconds so far
  long long ttl = 90;       // heartbeat TTL: min(timeout - elapsed, interval) + grace (RQ: 60)
};

class WorkerRecord {
 public:
  // `python_version` is the free-text build string written to that field;
  // `idle_ttl` is the worker key's TTL while idle (RQ: worker_ttl 420 + 60).
  WorkerRecord(std::string name, std::vector<std::string> queues, std::string python_version,
               std::chrono::seconds idle_ttl);

  const std::string& name() const { return name_; }
  const std::string& key() const { return key_; }

  // CLIENT SETNAME, reads the connection's address from its socket, then
  // registers (state "started"). Throws WorkerNameTaken, RedisError.
  void register_birth(Connection& conn);
  // Registers again after the hash vanished (expired during a Redis outage,
  // or Redis restarted empty), keeping birth; state "busy" with
  // current_job when `current_job` is given, else "idle". Throws RedisError.
  void register_again(Connection& conn, const std::string& current_job);

  // Heartbeat (the idle TTL, or the job's TTL plus its wip deadline while
  // busy). Returns false when the worker hash is gone (call
  // register_again). Throws RedisError.
  bool heartbeat(Connection& conn, const std::optional<BusyJob>& busy);

  // HSET shutdown_requested_date (warm shutdown asked while busy).
  void shutdown_requested(Connection& conn);
  // Death: SREM from the worker sets, HSET death, EXPIRE 60.
  void death(Connection& conn);

 private:
  std::vector<std::string> set_keys() const;  // worker key, rq:workers, rq:workers:<q>...
  bool do_register(Connection& conn, const std::string& state, const std::string& current_job);

  std::string name_;
  std::string key_;
  std::vector<std::string> queues_;
  std::string python_version_;
  std::string birth_;
  std::string ip_address_ = "unknown";
  long long idle_ttl_;
};

}  // namespace rqcpp
