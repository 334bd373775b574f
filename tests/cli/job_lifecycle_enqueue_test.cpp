// rqctl enqueue life-cycle options: --depends-on/--allow-failure, --at/--in,
// --retry and the callbacks, down to the hash fields and a real rqworker run.
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/keys.hpp>
#include <rqcpp/scheduler.hpp>
#include <rqcpp/timestamp.hpp>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

std::string hget(Connection& conn, const std::string& id, const std::string& field) {
  return Job::fetch(conn, id).field(field);
}

}  // namespace

TEST_CASE("rqctl enqueue --depends-on defers the job and rqctl job says why it waits",
          "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string a = enqueued_id(redis, {"enqueue", "dq", "builtin:add", "1", "2"});
  const std::string b = enqueued_id(redis, {"enqueue", "dq", "builtin:sleep", "0"});
  const std::string c = enqueued_id(
      redis, {"enqueue", "dq", "builtin:add", "3", "4", "--depends-on", a, "--depends-on", b});
  CHECK(Job::fetch(conn, c).status() == JobStatus::kDeferred);
  CHECK(Job::fetch(conn, c).dependency_ids() == std::vector<std::string>{a, b});
  CHECK(hget(conn, c, "allow_dependency_failures").empty());

  RunResult text = rqctl(redis, {"job", c});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("waits for:   " + a + " (queued, not met)"));
  CHECK_THAT(text.out, Catch::Contains("waits for:   " + b + " (queued, not met)"));
  nlohmann::json j = parse_json_output(rqctl(redis, {"job", c, "--json"}));
  REQUIRE(j["dependencies"].size() == 2);
  CHECK(j["dependencies"][0]["id"] == a);
  CHECK(j["dependencies"][0]["status"] == "queued");
  CHECK(j["dependencies"][0]["met"] == false);

  RunResult w = run_burst_worker(redis, {"dq"});
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  Job child = Job::fetch(conn, c);
  CHECK(child.status() == JobStatus::kFinished);
  CHECK(child.result<long long>() == 7);
  CHECK(*child.started_at() >= *Job::fetch(conn, a).ended_at());
  CHECK(*child.started_at() >= *Job::fetch(conn, b).ended_at());
  // Once finished, a dependency no longer shows "waits for".
  CHECK_THAT(rqctl(redis, {"job", c}).out, !Catch::Contains("waits for:"));
}

TEST_CASE("rqctl enqueue --allow-failure runs the job after a failed dependency",
          "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string parent = enqueued_id(redis, {"enqueue", "af", "builtin:fail", "boom"});
  const std::string tolerant = enqueued_id(
      redis, {"enqueue", "af", "builtin:add", "1", "1", "--depends-on", parent, "--allow-failure"});
  const std::string strict =
      enqueued_id(redis, {"enqueue", "af", "builtin:add", "2", "2", "--depends-on", parent});
  CHECK(hget(conn, tolerant, "allow_dependency_failures") == "1");

  RunResult w = run_burst_worker(redis, {"af"});
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  CHECK(Job::fetch(conn, parent).status() == JobStatus::kFailed);
  CHECK(Job::fetch(conn, tolerant).status() == JobStatus::kFinished);
  CHECK(Job::fetch(conn, strict).status() == JobStatus::kDeferred);
  CHECK_THAT(rqctl(redis, {"job", strict}).out,
             Catch::Contains("waits for:   " + parent + " (failed, not met)"));
}

TEST_CASE("rqctl enqueue --at / --in schedule the job; a scheduler pass queues it",
          "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string past = enqueued_id(
      redis, {"enqueue", "sq", "builtin:add", "1", "2", "--at", "2020-01-02T03:04:05Z"});
  const std::string unix_at =
      enqueued_id(redis, {"enqueue", "sq", "builtin:noop", "--at", "4102444800"});
  const long long before = now_seconds();
  const std::string later = enqueued_id(redis, {"enqueue", "sq", "builtin:noop", "--in", "1h"});
  const std::string in90 = enqueued_id(redis, {"enqueue", "sq", "builtin:noop", "--in", "90"});
  for (const auto& id : {past, unix_at, later, in90}) {
    CHECK(Job::fetch(conn, id).status() == JobStatus::kScheduled);
  }
  CHECK(conn.checked({"ZSCORE", keys::scheduled("sq"), past}).str() == "1577934245");
  CHECK(conn.checked({"ZSCORE", keys::scheduled("sq"), unix_at}).str() == "4102444800");
  const long long later_score =
      std::stoll(std::string(conn.checked({"ZSCORE", keys::scheduled("sq"), later}).str()));
  CHECK(later_score >= before + 3600);
  CHECK(later_score <= now_seconds() + 3600);
  CHECK(conn.checked({"LLEN", keys::queue("sq")}).integer() == 0);

  nlohmann::json reg = parse_json_output(rqctl(redis, {"registry", "sq", "scheduled", "--json"}));
  CHECK(reg["count"] == 4);
  CHECK(reg["jobs"][0]["id"] == past);
  CHECK(reg["jobs"][0]["score"] == 1577934245);
  CHECK(reg["jobs"][0]["time"] == "2020-01-02T03:04:05.000000Z");

  Scheduler scheduler(conn, {"sq"});
  CHECK(scheduler.run_once() == 1);  // only the due one
  scheduler.release();
  RunResult w = run_burst_worker(redis, {"sq"});
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  CHECK(Job::fetch(conn, past).result<long long>() == 3);
  CHECK(Job::fetch(conn, later).status() == JobStatus::kScheduled);

  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--at", "tomorrow"},
                                              {"--in", "soon"},
                                              {"--in", "-5"},
                                              {"--at", "4102444800", "--in", "5"},
                                              {"--at", "4102444800", "--depends-on", past},
                                              // Issue 10, defect 4: past 2262-04-11 the
                                              // score used to wrap to 0 or a wrong time.
                                              {"--at", "9223372037"},
                                              {"--at", "99999999999999999999"},
                                              {"--at", "3000-01-01T00:00:00Z"},
                                              {"--in", "86000d"}}) {
    std::vector<std::string> args{"enqueue", "sq", "builtin:noop"};
    args.insert(args.end(), bad.begin(), bad.end());
    RunResult r = rqctl(redis, args);
    INFO(bad.front() << " " << bad.back() << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(is_one_error_line(r.err));
  }
  // Nothing of the refused ones was written: the three still scheduled above.
  CHECK(conn.checked({"ZCARD", keys::scheduled("sq")}).integer() == 3);
  // The latest second that can be held is accepted, with its own score.
  const std::string last =
      enqueued_id(redis, {"enqueue", "sq", "builtin:noop", "--at", "9223372035"});
  CHECK(conn.checked({"ZSCORE", keys::scheduled("sq"), last}).str() == "9223372035");
}

TEST_CASE("rqctl enqueue --retry stores RQ's Retry and the worker retries", "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string plain =
      enqueued_id(redis, {"enqueue", "rq", "builtin:fail", "x", "--retry", "2"});
  CHECK(hget(conn, plain, "retries_left") == "2");
  CHECK(hget(conn, plain, "retry_intervals") == "[0]");
  const std::string spaced =
      enqueued_id(redis, {"enqueue", "rq2", "builtin:noop", "--retry", "3,5,1m"});
  CHECK(hget(conn, spaced, "retries_left") == "3");
  CHECK(hget(conn, spaced, "retry_intervals") == "[5, 60]");

  RunResult w = run_burst_worker(redis, {"rq"});
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  Job failed = Job::fetch(conn, plain);
  CHECK(failed.status() == JobStatus::kFailed);
  CHECK(failed.retries_left() == 0);

  for (const char* bad : {"0", "x", "2,", "2,-1"}) {
    RunResult r = rqctl(redis, {"enqueue", "rq", "builtin:noop", "--retry", bad});
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(is_one_error_line(r.err));
  }
}

TEST_CASE("rqctl enqueue --on-success/--on-failure/--on-stopped store the callbacks",
          "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string id =
      enqueued_id(redis, {"enqueue", "cb", "builtin:noop", "--on-success", "builtin:echo",
                          "--on-failure", "builtin:noop", "--on-stopped", "builtin:add"});
  CHECK(hget(conn, id, "success_callback_name") == "builtin:echo");
  CHECK(hget(conn, id, "failure_callback_name") == "builtin:noop");
  CHECK(hget(conn, id, "stopped_callback_name") == "builtin:add");
  RunResult bad = rqctl(redis, {"enqueue", "cb", "builtin:noop", "--on-success", "no colon"});
  CHECK(bad.exit_code == 2);
  CHECK(is_one_error_line(bad.err));
}

TEST_CASE("a job enqueued with rqctl --at in the past runs on rqworker --burst --with-scheduler",
          "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string due = enqueued_id(
      redis, {"enqueue", "ws", "builtin:add", "20", "22", "--at", "2020-01-01T00:00:00Z"});
  const std::string later = enqueued_id(redis, {"enqueue", "ws", "builtin:noop", "--in", "1h"});
  RunResult w = run({rqworker_path(), "--burst", "--with-scheduler", "--url", redis.url(),
                     "--plugin-dir", plugin_dir(), "ws"},
                    std::chrono::seconds(60));
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  CHECK(Job::fetch(conn, due).result<long long>() == 42);
  CHECK(Job::fetch(conn, later).status() == JobStatus::kScheduled);
}
