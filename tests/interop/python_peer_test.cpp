// Python RQ 1.13 producers and readers against rqworker (msgpack serializer
// of docs/redis-layout.md 4.1, functions named by string "libname:function").
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/keys.hpp>
#include <rqcpp/queue.hpp>

#include "interop_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

RunResult burst(const RedisServer& redis, const std::string& queue) {
  return run(
      {rqworker_path(), "--burst", "--url", redis.url(), "--plugin-dir", plugin_dir(), queue},
      120s);
}

}  // namespace

TEST_CASE("a Python RQ producer's builtin:add job runs on rqworker", "[interop][python][worker]") {
  RedisServer redis;
  std::string err;
  const std::string id = python_enqueue(redis, "pyq", "builtin:add", {"2", "3"}, &err);
  INFO(err);
  REQUIRE(!id.empty());

  Connection conn = Connection::open(redis.url());
  {
    // What Python wrote is readable by rqcpp before it runs.
    Job queued = Job::fetch(conn, id);
    CHECK(queued.status() == JobStatus::kQueued);
    CHECK(queued.func_name() == "builtin:add");
    CHECK(queued.args() == std::string("\x92\x02\x03"));
    CHECK(queued.origin() == "pyq");
    CHECK(queued.description() == "builtin:add(2, 3)");
  }
  {
    // ... and by rqctl.
    RunResult shown = run({rqctl_path(), "--url", redis.url(), "job", id, "--json"}, 30s);
    INFO(shown.err);
    REQUIRE(shown.exit_code == 0);
    nlohmann::json j = nlohmann::json::parse(shown.out);
    CHECK(j["status"] == "queued");
    CHECK(j["func_name"] == "builtin:add");
    CHECK(j["args"] == nlohmann::json::parse("[2,3]"));
    CHECK(j["origin"] == "pyq");
    CHECK(j["timeout"] == 180);
  }

  RunResult worker = burst(redis, "pyq");
  INFO(worker.out << worker.err);
  REQUIRE(worker.exit_code == 0);

  Job job = Job::fetch(conn, id);
  CHECK(job.status() == JobStatus::kFinished);
  CHECK(job.result<long long>() == 5);

  // And Python reads status and result back.
  nlohmann::json py = python_fetch(redis, id, &err);
  INFO(err);
  REQUIRE(!py.is_null());
  CHECK(py["status"] == "finished");
  CHECK(py["return_value"] == 5);
  CHECK(py["exc_info"].is_null());
  CHECK(py["worker_name"] == job.worker_name());
  CHECK(py["ended_at"].is_string());
}

TEST_CASE("Python Job.fetch reads jobs enqueued by rqcpp and run by rqworker",
          "[interop][python][worker]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  Queue queue(conn, "cppq");
  EnqueueOptions opts;
  opts.meta = std::string("\x81\xa1k\xa1v");  // {'k': 'v'}
  const std::string ok = queue.enqueue_call("builtin:add", Args::of(40, 2), opts).id();
  const std::string echo = queue.enqueue("builtin:echo", std::string("héllo")).id();
  const std::string bad = queue.enqueue("builtin:fail", std::string("boom from python test")).id();

  std::string err;
  nlohmann::json before = python_fetch(redis, ok, &err);
  INFO(err);
  REQUIRE(!before.is_null());
  CHECK(before["status"] == "queued");
  CHECK(before["func_name"] == "builtin:add");
  CHECK(before["args"] == nlohmann::json::parse("[40, 2]"));
  CHECK(before["kwargs"] == nlohmann::json::object());
  CHECK(before["origin"] == "cppq");
  CHECK(before["meta"] == nlohmann::json::parse(R"({"k": "v"})"));
  CHECK(before["return_value"].is_null());

  RunResult worker = burst(redis, "cppq");
  INFO(worker.out << worker.err);
  REQUIRE(worker.exit_code == 0);

  nlohmann::json py = python_fetch(redis, ok, &err);
  INFO(err);
  REQUIRE(!py.is_null());
  CHECK(py["status"] == "finished");
  CHECK(py["return_value"] == 42);

  py = python_fetch(redis, echo, &err);
  REQUIRE(!py.is_null());
  CHECK(py["status"] == "finished");
  CHECK(py["return_value"] == "héllo");

  py = python_fetch(redis, bad, &err);
  INFO(err);
  REQUIRE(!py.is_null());
  CHECK(py["status"] == "failed");
  CHECK(py["return_value"].is_null());
  REQUIRE(py["exc_info"].is_string());
  CHECK_THAT(py["exc_info"].get<std::string>(), Catch::Contains("boom from python test"));
  CHECK_THAT(py["exc_info"].get<std::string>(), Catch::Contains("ValueError"));
}

TEST_CASE("a failing job enqueued from Python shows its error in Python",
          "[interop][python][worker]") {
  RedisServer redis;
  std::string err;
  const std::string id = python_enqueue(redis, "pyfail", "builtin:fail", {"\"no good\""}, &err);
  INFO(err);
  REQUIRE(!id.empty());
  RunResult worker = burst(redis, "pyfail");
  REQUIRE(worker.exit_code == 0);

  nlohmann::json py = python_fetch(redis, id, &err);
  INFO(err);
  REQUIRE(!py.is_null());
  CHECK(py["status"] == "failed");
  REQUIRE(py["exc_info"].is_string());
  CHECK_THAT(py["exc_info"].get<std::string>(), Catch::Contains("no good"));

  Connection conn = Connection::open(redis.url());
  CHECK(conn.checked({"ZSCORE", keys::failed("pyfail"), id}).is_nil() == false);
}
