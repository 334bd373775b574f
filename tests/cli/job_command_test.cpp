// rqctl job: text and --json views of queued, finished and failed jobs.
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/keys.hpp>
#include <rqcpp/serialization.hpp>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

nlohmann::json job_json(const RedisServer& redis, const std::string& id) {
  RunResult r = rqctl(redis, {"job", id, "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.err.empty());
  return parse_json_output(r);
}

// What a worker writes at the end of a job (docs/redis-layout.md 3.8 / 3.9), written by
// hand so these tests do not need rqworker.
void record_success(Connection& conn, const std::string& id, const std::string& b64_value) {
  conn.checked({"HSET", keys::job(id), "status", "finished", "worker_name", "hand-worker",
                "started_at", "2026-01-01T00:00:00.000000Z", "ended_at",
                "2026-01-01T00:00:01.500000Z"});
  conn.checked({"XADD", keys::results(id), "*", "type", "1", "return_value", b64_value});
}

void record_failure(Connection& conn, const std::string& id, const std::string& text) {
  conn.checked({"HSET", keys::job(id), "status", "failed"});
  conn.checked({"XADD", keys::results(id), "*", "type", "2", "exc_string",
                base64_encode(zlib_compress(text))});
}

}  // namespace

TEST_CASE("rqctl job shows a queued job", "[cli][job]") {
  RedisServer redis;
  const std::string id = enqueued_id(redis, {"enqueue", "jq", "builtin:add", "2", "3", "--kwarg",
                                             "k=[1]", "--meta", "{\"owner\":\"me\"}"});
  nlohmann::json j = job_json(redis, id);
  CHECK(j["id"] == id);
  CHECK(j["status"] == "queued");
  CHECK(j["origin"] == "jq");
  CHECK(j["func_name"] == "builtin:add");
  CHECK(j["args"] == nlohmann::json::parse("[2,3]"));
  CHECK(j["kwargs"] == nlohmann::json::parse(R"({"k":[1]})"));
  CHECK(j["meta"] == nlohmann::json::parse(R"({"owner":"me"})"));
  CHECK(j["description"] == "builtin:add(2, 3, k=[1])");
  CHECK(j["timeout"] == 180);
  CHECK(j["result_ttl"].is_null());
  CHECK(j["created_at"].is_string());
  CHECK(j["enqueued_at"].is_string());
  CHECK(j["started_at"].is_null());
  CHECK(j["worker_name"].is_null());
  CHECK(j["result"].is_null());
  CHECK(j["result_type"].is_null());
  CHECK(j["exc_info"].is_null());
  CHECK(j["serializer"] == "msgpack");

  RunResult text = rqctl(redis, {"job", id});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.rfind("Job " + id + "\n", 0) == 0);
  CHECK_THAT(text.out, Catch::Contains("status:      queued"));
  CHECK_THAT(text.out, Catch::Contains("function:    builtin:add"));
  CHECK_THAT(text.out, Catch::Contains("args:        [2,3]"));
  CHECK_THAT(text.out, Catch::Contains("kwargs:      {\"k\":[1]}"));
  CHECK_THAT(text.out, Catch::Contains("meta:        {\"owner\":\"me\"}"));
  CHECK_THAT(text.out, Catch::Contains("result:      -"));
}

TEST_CASE("rqctl job shows the result of a finished job and the error of a failed one",
          "[cli][job]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string ok = enqueued_id(redis, {"enqueue", "jr", "builtin:add", "2", "3"});
  record_success(conn, ok, "BQ==");  // msgpack 5
  nlohmann::json j = job_json(redis, ok);
  CHECK(j["status"] == "finished");
  CHECK(j["result_type"] == "successful");
  CHECK(j["result"] == 5);
  CHECK(j["worker_name"] == "hand-worker");
  CHECK(j["started_at"] == "2026-01-01T00:00:00.000000Z");
  CHECK(j["ended_at"] == "2026-01-01T00:00:01.500000Z");
  CHECK(j["exc_info"].is_null());
  RunResult text = rqctl(redis, {"job", ok});
  CHECK_THAT(text.out, Catch::Contains("result:      5\n"));
  CHECK_THAT(text.out, Catch::Contains("worker:      hand-worker\n"));

  const std::string map = enqueued_id(redis, {"enqueue", "jr", "builtin:echo", "x"});
  record_success(conn, map, "gaF4AQ==");  // msgpack {'x': 1}
  CHECK(job_json(redis, map)["result"] == nlohmann::json::parse(R"({"x":1})"));

  const std::string none = enqueued_id(redis, {"enqueue", "jr", "builtin:noop"});
  conn.checked({"HSET", keys::job(none), "status", "finished"});
  conn.checked({"XADD", keys::results(none), "*", "type", "1"});  // None: no return_value
  CHECK(job_json(redis, none)["result"].is_null());
  CHECK_THAT(rqctl(redis, {"job", none}).out, Catch::Contains("result:      None\n"));

  const std::string bad = enqueued_id(redis, {"enqueue", "jr", "builtin:fail", "boom"});
  record_failure(conn, bad,
                 "Traceback (most recent call last):\n  in builtin:fail\nValueError: boom");
  j = job_json(redis, bad);
  CHECK(j["status"] == "failed");
  CHECK(j["result_type"] == "failed");
  CHECK(j["result"].is_null());
  CHECK(j["exc_info"] == "Traceback (most recent call last):\n  in builtin:fail\nValueError: boom");
  text = rqctl(redis, {"job", bad});
  CHECK_THAT(text.out, Catch::Contains("  exc_info:\n    Traceback (most recent call last):\n"));
  CHECK_THAT(text.out, Catch::Contains("\n    ValueError: boom\n"));
}

TEST_CASE("rqctl job on jobs run by rqworker", "[cli][job][worker]") {
  RedisServer redis;
  const std::string ok = enqueued_id(redis, {"enqueue", "jw", "builtin:add", "40", "2"});
  const std::string bad = enqueued_id(redis, {"enqueue", "jw", "builtin:fail", "kaputt"});
  RunResult worker = run_burst_worker(redis, {"jw"});
  INFO(worker.out << worker.err);
  REQUIRE(worker.exit_code == 0);

  nlohmann::json j = job_json(redis, ok);
  CHECK(j["status"] == "finished");
  CHECK(j["result"] == 42);
  CHECK(j["worker_name"].is_string());
  CHECK(j["ended_at"].is_string());

  j = job_json(redis, bad);
  CHECK(j["status"] == "failed");
  CHECK(j["result"].is_null());
  REQUIRE(j["exc_info"].is_string());
  CHECK_THAT(j["exc_info"].get<std::string>(), Catch::Contains("kaputt"));
}

// Issue 10, defect 10: a job whose data does not decode made rqctl job,
// cancel and delete exit 1, so nobody could see why it failed or remove it.
TEST_CASE("rqctl job, cancel and delete act on a job whose data does not decode", "[cli][job]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  for (const std::string id : {"bad1", "bad2"}) {
    conn.checked({"HSET", keys::job(id), "data", "not zlib, not msgpack", "status", "queued",
                  "origin", "bq", "description", "hostile"});
    conn.checked({"RPUSH", keys::queue("bq"), id});
  }

  RunResult shown = rqctl(redis, {"job", "bad1"});
  INFO(shown.err);
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.find("does not decode") != std::string::npos);
  CHECK(shown.out.find("hostile") != std::string::npos);
  nlohmann::json j = parse_json_output(rqctl(redis, {"job", "bad1", "--json"}));
  CHECK(j["data_error"].is_string());
  CHECK(j["status"] == "queued");
  CHECK(j["func_name"] == "");

  RunResult canceled = rqctl(redis, {"cancel", "bad1"});
  INFO(canceled.err);
  CHECK(canceled.exit_code == 0);
  CHECK(conn.checked({"HGET", keys::job("bad1"), "status"}).str() == "canceled");
  RunResult deleted = rqctl(redis, {"delete", "bad2"});
  INFO(deleted.err);
  CHECK(deleted.exit_code == 0);
  CHECK(conn.checked({"EXISTS", keys::job("bad2")}).integer() == 0);
  CHECK(conn.checked({"LLEN", keys::queue("bq")}).integer() == 0);
}

// Issue 10, defect 5: rqctl crashed (SIGSEGV) on an argument ~30,000 levels
// deep, and rqctl job on a job 25,000 deep.
TEST_CASE("rqctl refuses a too-deep argument and shows a too-deep job", "[cli][job]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string deep = std::string(30000, '[') + std::string(30000, ']');
  RunResult refused = rqctl(redis, {"enqueue", "dq", "builtin:echo", deep});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("deeper than 1000") != std::string::npos);
  CHECK(conn.checked({"LLEN", keys::queue("dq")}).integer() == 0);

  const std::string args = "\x91" + std::string(25000, '\x91') + "\xc0";
  conn.checked(
      {"HSET", keys::job("deepjob"), "data",
       encode_job_data(JobCall{"builtin:echo", args, std::string("\x80", 1)}, Serializer::kMsgpack),
       "status", "queued", "origin", "dq"});
  RunResult shown = rqctl(redis, {"job", "deepjob"});
  INFO(shown.err);
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.find("cannot be shown") != std::string::npos);
  CHECK(shown.out.find("builtin:echo") != std::string::npos);
}
