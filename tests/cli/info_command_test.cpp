// rqctl info: queues with registry counts and workers, text and --json.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <rqcpp/connection.hpp>
#include <thread>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

void enqueue_n(const RedisServer& redis, const std::string& queue, int n) {
  for (int i = 0; i < n; ++i) {
    RunResult r = rqctl(redis, {"enqueue", queue, "builtin:noop"});
    REQUIRE(r.exit_code == 0);
  }
}

// The worker record of docs/redis-layout.md section 5 ("verified by hand"), written the
// way rq info expects it.
void register_fake_worker(Connection& conn) {
  conn.checked({"HSET",
                "rq:worker:cpp-worker-1",
                "birth",
                "2026-01-01T00:00:00.000000Z",
                "last_heartbeat",
                "2026-01-01T00:00:05.000000Z",
                "queues",
                "alpha",
                "pid",
                "4242",
                "hostname",
                "cpphost",
                "ip_address",
                "127.0.0.1:5555",
                "version",
                "1.13.0",
                "python_version",
                "C++ rqcpp 0.1",
                "state",
                "busy",
                "current_job",
                "j0",
                "successful_job_count",
                "7",
                "failed_job_count",
                "2",
                "total_working_time",
                "1.5"});
  conn.checked({"SADD", "rq:workers", "rq:worker:cpp-worker-1"});
  conn.checked({"SADD", "rq:workers:alpha", "rq:worker:cpp-worker-1"});
  // Registered but its hash is gone: must not be listed.
  conn.checked({"SADD", "rq:workers", "rq:worker:ghost"});
  conn.checked({"SADD", "rq:workers:alpha", "rq:worker:ghost"});
}

}  // namespace

TEST_CASE("rqctl info lists queues, registry counts and workers", "[cli][info]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  enqueue_n(redis, "alpha", 2);
  enqueue_n(redis, "beta", 1);
  conn.checked({"ZADD", "rq:failed:alpha", "99999999999", "f1"});
  conn.checked({"ZADD", "rq:finished:alpha", "+inf", "d1", "99999999999", "d2"});
  conn.checked({"ZADD", "rq:scheduled:beta", "99999999999", "s1"});
  register_fake_worker(conn);

  RunResult r = rqctl(redis, {"info", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json j = parse_json_output(r);
  REQUIRE(j["queues"].size() == 2);
  CHECK(j["queues"][0] == nlohmann::json::parse(R"({"name":"alpha","queued":2,"started":0,
      "finished":2,"failed":1,"deferred":0,"scheduled":0,"canceled":0})"));
  CHECK(j["queues"][1] == nlohmann::json::parse(R"({"name":"beta","queued":1,"started":0,
      "finished":0,"failed":0,"deferred":0,"scheduled":1,"canceled":0})"));
  REQUIRE(j["workers"].size() == 1);
  const nlohmann::json& w = j["workers"][0];
  CHECK(w["name"] == "cpp-worker-1");
  CHECK(w["state"] == "busy");
  CHECK(w["queues"] == nlohmann::json::parse(R"(["alpha"])"));
  CHECK(w["current_job"] == "j0");
  CHECK(w["pid"] == 4242);
  CHECK(w["hostname"] == "cpphost");
  CHECK(w["ip_address"] == "127.0.0.1:5555");
  CHECK(w["birth"] == "2026-01-01T00:00:00.000000Z");
  CHECK(w["last_heartbeat"] == "2026-01-01T00:00:05.000000Z");
  CHECK(w["successful_job_count"] == 7);
  CHECK(w["failed_job_count"] == 2);
  CHECK(w["total_working_time"] == 1.5);

  RunResult text = rqctl(redis, {"info"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::StartsWith("queue  queued    started   finished"));
  CHECK_THAT(text.out, Catch::Contains("\nalpha       2          0          2          1          0"
                                       "          0          0\n"));
  CHECK_THAT(text.out, Catch::Contains("\n2 queues, 3 jobs total\n"));
  CHECK_THAT(text.out, Catch::Contains(
                           "\ncpp-worker-1 (cpphost 127.0.0.1:5555 4242): busy alpha [job j0]\n"));
  CHECK_THAT(text.out, Catch::EndsWith("\n1 workers, 2 queues\n"));
  CHECK(text.out.find("ghost") == std::string::npos);

  // Named queues: only those, and only the workers listening on them.
  j = parse_json_output(rqctl(redis, {"info", "beta", "--json"}));
  REQUIRE(j["queues"].size() == 1);
  CHECK(j["queues"][0]["name"] == "beta");
  CHECK(j["workers"].empty());
  j = parse_json_output(rqctl(redis, {"info", "alpha", "nosuch", "--json"}));
  REQUIRE(j["queues"].size() == 2);
  CHECK(j["queues"][1] == nlohmann::json::parse(R"({"name":"nosuch","queued":0,"started":0,
      "finished":0,"failed":0,"deferred":0,"scheduled":0,"canceled":0})"));
  CHECK(j["workers"].size() == 1);

  // Read-only: the ghost is still registered (rq info would have removed it).
  CHECK(conn.checked({"SISMEMBER", "rq:workers", "rq:worker:ghost"}).integer() == 1);
}

TEST_CASE("rqctl info on an empty Redis", "[cli][info]") {
  RedisServer redis;
  RunResult r = rqctl(redis, {"info", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(parse_json_output(r) == nlohmann::json::parse(R"({"queues":[],"workers":[]})"));
  r = rqctl(redis, {"info"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("0 queues, 0 jobs total\n"));
  CHECK_THAT(r.out, Catch::EndsWith("0 workers, 0 queues\n"));
}

TEST_CASE("rqctl info follows a real rqworker: idle, busy, gone", "[cli][info][worker]") {
  RedisServer redis;
  Process worker({rqworker_path(), "--url", redis.url(), "--plugin-dir", plugin_dir(), "live"}, {},
                 binary_dir() + "/test_cli_info_worker.log");

  auto live_worker = [&]() -> nlohmann::json {
    RunResult r = rqctl(redis, {"info", "--json"});
    REQUIRE(r.exit_code == 0);
    const nlohmann::json info = parse_json_output(r);
    for (const auto& w : info["workers"]) {
      if (w["queues"] == nlohmann::json::parse(R"(["live"])")) return w;
    }
    return nullptr;
  };
  auto wait_for = [&](auto predicate) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    nlohmann::json w;
    while (std::chrono::steady_clock::now() < deadline) {
      w = live_worker();
      if (predicate(w)) return w;
      std::this_thread::sleep_for(50ms);
    }
    FAIL("worker never reached the expected state; last seen: " << w.dump());
    return w;
  };

  nlohmann::json w =
      wait_for([](const nlohmann::json& x) { return !x.is_null() && x["state"] == "idle"; });
  CHECK(w["pid"] == worker.pid());
  CHECK(w["birth"].is_string());
  CHECK(w["last_heartbeat"].is_string());

  RunResult r = rqctl(redis, {"enqueue", "live", "builtin:sleep", "2"});
  REQUIRE(r.exit_code == 0);
  const std::string id = printed_id(r);
  w = wait_for([&](const nlohmann::json& x) {
    return !x.is_null() && x["state"] == "busy" && x["current_job"] == id;
  });
  RunResult text = rqctl(redis, {"info", "live"});
  CHECK_THAT(text.out, Catch::Contains("): busy live [job " + id + "]\n"));

  w = wait_for([](const nlohmann::json& x) {
    return !x.is_null() && x["state"] == "idle" && x["successful_job_count"] == 1;
  });

  worker.signal(SIGTERM);
  const int status = worker.wait(15s);
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(live_worker().is_null());
}
