// Test fixture: a Redis master, one replica and three Sentinels, all
// private to one test, on free 127.0.0.1 ports, for the redis+sentinel://
// tests and the failover test.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "redis_server.hpp"

namespace rqcpp::test {

// The constructor starts the master (a RedisServer), the replica (a
// RedisServer with --replicaof) and three redis-sentinel processes (Debian's
// redis-sentinel, /usr/bin/redis-sentinel unless RQCPP_REDIS_SENTINEL names
// another) monitoring the master as `service` with quorum 2,
// down-after-milliseconds `down_after` and failover-timeout 5000, each with its
// config file in a private temporary directory (Sentinel rewrites it). It
// returns once the replica is in sync and every Sentinel sees the replica
// and the two other Sentinels; it throws std::runtime_error (quoting the
// logs) when that takes more than 30 s. The destructor SIGKILLs the
// Sentinels, stops the servers and removes the directory. Servers and
// Sentinels get a signal if the test process dies.
class SentinelCluster {
 public:
  // `down_after`: how long the master must be silent before a failover.
  // Tests that kill the master want it short; the others want it long, so a
  // stall of a loaded machine is never taken for a dead master.
  explicit SentinelCluster(std::chrono::milliseconds down_after = std::chrono::seconds(10),
                           std::string service = "rqcpp-test");
  ~SentinelCluster();
  SentinelCluster(const SentinelCluster&) = delete;
  SentinelCluster& operator=(const SentinelCluster&) = delete;

  const std::string& service() const { return service_; }
  // redis+sentinel://127.0.0.1:<s1>,127.0.0.1:<s2>,127.0.0.1:<s3>/<service>
  // followed by `suffix` (e.g. "/2" or "?sentinel_password=x").
  std::string url(const std::string& suffix = "") const;
  std::vector<int> sentinel_ports() const;
  RedisServer& master() { return *master_; }    // the master at start
  RedisServer& replica() { return *replica_; }  // the replica at start

  // The port the first Sentinel that answers names for the master now; -1
  // when none answers.
  int master_port_now() const;
  // Waits until every Sentinel names the replica's port and the replica says
  // ROLE master. False after `timeout`.
  bool wait_for_promotion(std::chrono::milliseconds timeout) const;

 private:
  struct Sentinel;
  std::string service_;
  std::chrono::milliseconds down_after_;
  std::string dir_;
  std::unique_ptr<RedisServer> master_;
  std::unique_ptr<RedisServer> replica_;
  std::vector<std::unique_ptr<Sentinel>> sentinels_;
};

}  // namespace rqcpp::test
