// The worker's bookkeeping scripts through WorkerRecord (worker_register,
// worker_heartbeat, worker_death) and sync_start.lua through the builder:
// what each writes, and a wrong-typed key for each key it touches.
#include "rqcpp/keys.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"
#include "script_fixture.hpp"
#include "worker/worker_record.hpp"

namespace rqcpp::test {
namespace {

WorkerRecord record() {
  return WorkerRecord("w", {"default"}, "rqcpp test", std::chrono::seconds(480));
}

TEST_CASE_METHOD(ScriptFixture, "worker_register, heartbeat and death", "[scripts][worker]") {
  WorkerRecord r = record();
  r.register_birth(conn);
  CHECK(hget(keys::worker("w"), "queues") == "default");
  CHECK(conn.checked({"SISMEMBER", keys::kWorkers, keys::worker("w")}).integer() == 1);
  CHECK(conn.checked({"SISMEMBER", keys::queue_workers("default"), keys::worker("w")}).integer() ==
        1);
  enqueue("j1");
  conn.checked({"ZADD", keys::started("default"), "1", "j1"});
  CHECK(r.heartbeat(conn, BusyJob{"j1", "default", 1.5, 90}));
  CHECK(hget(keys::worker("w"), "current_job_working_time") == "1.500000");
  CHECK(std::stoll(std::string(conn.checked({"ZSCORE", keys::started("default"), "j1"}).str())) >
        now_seconds());
  r.death(conn);
  CHECK_FALSE(hget(keys::worker("w"), "death").empty());
  CHECK(conn.checked({"SISMEMBER", keys::kWorkers, keys::worker("w")}).integer() == 0);
}

TEST_CASE_METHOD(ScriptFixture, "worker scripts refuse a wrong-typed key", "[scripts][worker]") {
  WorkerRecord r = record();
  for (const auto& key :
       {keys::worker("w"), std::string(keys::kWorkers), keys::queue_workers("default")}) {
    check_refused(
        key, [] {}, [&] { r.register_birth(conn); });
    check_refused(
        key, [&] { r.register_birth(conn); }, [&] { r.death(conn); });
  }
  auto busy = [&] {
    r.register_birth(conn);
    enqueue("j1");
    conn.checked({"ZADD", keys::started("default"), "1", "j1"});
  };
  for (const auto& key : {keys::worker("w"), keys::job("j1"), keys::started("default")}) {
    check_refused(key, busy, [&] { r.heartbeat(conn, BusyJob{"j1", "default", 1.5, 90}); });
  }
}

Reply sync_start(Connection& conn) {
  const Script& s = scripts::sync_start();
  return detail::ScriptCall()
      .str("id", "j1")
      .str("queue", "default")
      .integer("now", now_seconds())
      .str("ts", now_timestamp())
      .str("worker", "sync")
      .integer("ttl", 90)
      .run(conn, s);
}

TEST_CASE_METHOD(ScriptFixture, "sync_start marks one queued job started", "[scripts][sync]") {
  enqueue("j1");
  Reply r = sync_start(conn);
  REQUIRE(r.size() == 5);
  CHECK(r.at(0).str() == "job");
  CHECK(hget(keys::job("j1"), "status") == "started");
  CHECK(hget(keys::job("j1"), "worker_name") == "sync");
  CHECK(conn.checked({"LLEN", keys::queue("default")}).integer() == 0);
  CHECK_FALSE(conn.checked({"ZSCORE", keys::started("default"), "j1"}).is_nil());
  for (const auto& key : {keys::job("j1"), keys::queue("default"), keys::started("default")}) {
    check_refused(
        key, [&] { enqueue("j1"); }, [&] { sync_start(conn); });
  }
}

TEST_CASE_METHOD(ScriptFixture, "a script refuses an argument that is not a msgpack map",
                 "[scripts][preamble]") {
  const Script& s = scripts::sync_start();
  CHECK_THROWS_WITH(conn.eval(s, {}, {"not msgpack \xc1"}), Catch::Contains("not a msgpack map"));
  CHECK_THROWS_WITH(conn.eval(s, {"k"}, {}), Catch::Contains("expects no KEYS"));
  CHECK(snapshot().empty());
}

}  // namespace
}  // namespace rqcpp::test
