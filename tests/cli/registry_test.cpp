// rqcpp/registry.hpp: read-only registry counts and ids.
#include <catch2/catch.hpp>
#include <cmath>
#include <rqcpp/connection.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/registry.hpp>

#include "redis_server.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

TEST_CASE("registry kinds map to RQ's keys and names", "[registry]") {
  CHECK(registry_key("q", RegistryKind::kStarted) == "rq:wip:q");
  CHECK(registry_key("q", RegistryKind::kFinished) == "rq:finished:q");
  CHECK(registry_key("q", RegistryKind::kFailed) == "rq:failed:q");
  CHECK(registry_key("q", RegistryKind::kDeferred) == "rq:deferred:q");
  CHECK(registry_key("q", RegistryKind::kScheduled) == "rq:scheduled:q");
  CHECK(registry_key("q", RegistryKind::kCanceled) == "rq:canceled:q");
  for (RegistryKind k : kAllRegistryKinds) CHECK(parse_registry_kind(to_string(k)) == k);
  CHECK(to_string(RegistryKind::kStarted) == "started");
  CHECK_FALSE(parse_registry_kind("wip"));
}

TEST_CASE("Registry reads counts, ids and scores without changing anything", "[registry]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  // Scores as RQ writes them: a past deadline (expired), a future one, +inf
  // (result_ttl -1) and -1 (failure_ttl -1).
  conn.checked({"ZADD", "rq:finished:q", "1", "old", "99999999999", "new", "+inf", "forever"});
  conn.checked({"ZADD", "rq:failed:q", "-1", "kept"});

  Registry finished(conn, "q", RegistryKind::kFinished);
  CHECK(finished.key() == "rq:finished:q");
  CHECK(finished.count() == 3);
  CHECK(finished.job_ids() == std::vector<std::string>{"old", "new", "forever"});
  CHECK(finished.job_ids(1, 1) == std::vector<std::string>{"new"});
  CHECK(finished.job_ids(1) == std::vector<std::string>{"new", "forever"});
  CHECK(finished.job_ids(0, 0).empty());
  std::vector<RegistryEntry> e = finished.entries();
  REQUIRE(e.size() == 3);
  CHECK(e[0].score == 1);
  CHECK(e[1].score == 99999999999.0);
  CHECK(std::isinf(e[2].score));
  CHECK(finished.contains("new"));
  CHECK_FALSE(finished.contains("nope"));
  CHECK(finished.count() == 3);  // the expired entry is still there

  CHECK(registry_counts(conn, "q") == std::array<long long, 6>{0, 3, 1, 0, 0, 0});
  CHECK(registry_counts(conn, "empty") == std::array<long long, 6>{});

  conn.checked({"SET", "rq:canceled:q", "not a zset"});
  CHECK_THROWS_AS(Registry(conn, "q", RegistryKind::kCanceled).count(), RedisError);
  CHECK_THROWS_AS(registry_counts(conn, "q"), RedisError);
}
