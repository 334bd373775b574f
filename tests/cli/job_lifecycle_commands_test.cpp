// rqctl cancel / requeue / delete / registry / job --wait against a real
// Redis and a real rqworker.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/keys.hpp>
#include <sstream>
#include <thread>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

void burst(const RedisServer& redis, const std::string& queue) {
  RunResult w = run_burst_worker(redis, {queue});
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
}

}  // namespace

TEST_CASE("rqctl cancel cancels a queued job once", "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string id = enqueued_id(redis, {"enqueue", "cq", "builtin:noop"});
  const std::string dep = enqueued_id(redis, {"enqueue", "cq", "builtin:noop", "--depends-on", id});
  RunResult r = rqctl(redis, {"cancel", id});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "canceled " + id + "\n");
  CHECK(Job::fetch(conn, id).status() == JobStatus::kCanceled);
  CHECK(conn.checked({"LLEN", keys::queue("cq")}).integer() == 0);
  CHECK(Job::fetch(conn, dep).status() == JobStatus::kDeferred);

  nlohmann::json reg = parse_json_output(rqctl(redis, {"registry", "cq", "canceled", "--json"}));
  CHECK(reg["count"] == 1);
  CHECK(reg["jobs"][0]["id"] == id);

  RunResult again = rqctl(redis, {"cancel", id});
  CHECK(again.exit_code == 1);
  CHECK(is_one_error_line(again.err));
  RunResult missing = rqctl(redis, {"cancel", "no-such-job"});
  CHECK(missing.exit_code == 4);
  CHECK(is_one_error_line(missing.err));

  // --enqueue-dependents releases a dependent whose only dependency it was.
  const std::string p2 = enqueued_id(redis, {"enqueue", "cq2", "builtin:noop"});
  const std::string d2 = enqueued_id(redis, {"enqueue", "cq2", "builtin:noop", "--depends-on", p2});
  REQUIRE(rqctl(redis, {"cancel", p2, "--enqueue-dependents"}).exit_code == 0);
  CHECK(Job::fetch(conn, d2).status() == JobStatus::kQueued);
}

TEST_CASE("rqctl requeue moves failed jobs back, by id or --all", "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string f1 = enqueued_id(redis, {"enqueue", "rq", "builtin:fail", "one"});
  const std::string f2 = enqueued_id(redis, {"enqueue", "rq", "builtin:fail", "two"});
  const std::string f3 = enqueued_id(redis, {"enqueue", "rq", "builtin:fail", "three"});
  const std::string ok = enqueued_id(redis, {"enqueue", "rq", "builtin:noop"});
  burst(redis, "rq");
  CHECK(parse_json_output(rqctl(redis, {"registry", "rq", "failed", "--json"}))["count"] == 3);

  RunResult r = rqctl(redis, {"requeue", "rq", f1});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "requeued 1 job(s)\n");
  Job j1 = Job::fetch(conn, f1);
  CHECK(j1.status() == JobStatus::kQueued);
  CHECK(j1.started_at() == std::nullopt);

  // A finished job is not in the failed registry: skipped, exit 1; the rest done.
  RunResult mixed = rqctl(redis, {"requeue", "rq", ok, f2});
  CHECK(mixed.exit_code == 1);
  CHECK(mixed.out == "requeued 1 job(s)\n");
  CHECK(is_one_error_line(mixed.err));
  CHECK_THAT(mixed.err, Catch::Contains(ok));
  RunResult gone = rqctl(redis, {"requeue", "rq", "no-such-job"});
  CHECK(gone.exit_code == 4);
  CHECK(is_one_error_line(gone.err));

  RunResult all = rqctl(redis, {"requeue", "rq", "--all"});
  REQUIRE(all.exit_code == 0);
  CHECK(all.out == "requeued 1 job(s)\n");
  CHECK(Job::fetch(conn, f3).status() == JobStatus::kQueued);
  CHECK(conn.checked({"LLEN", keys::queue("rq")}).integer() == 3);
  CHECK(rqctl(redis, {"registry", "rq", "failed"}).out ==
        "0 job(s) in failed registry of rq (rq:failed:rq)\n");

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"requeue", "rq"}, {"requeue", "rq", f1, "--all"}, {"requeue"}}) {
    RunResult b = rqctl(redis, bad);
    CHECK(b.exit_code == 2);
    CHECK(is_one_error_line(b.err));
  }
}

TEST_CASE("rqctl delete removes a job, with --dependents its dependents", "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string a = enqueued_id(redis, {"enqueue", "xq", "builtin:noop"});
  const std::string b = enqueued_id(redis, {"enqueue", "xq", "builtin:noop", "--depends-on", a});
  const std::string c = enqueued_id(redis, {"enqueue", "xq", "builtin:noop"});
  const std::string d = enqueued_id(redis, {"enqueue", "xq", "builtin:noop", "--depends-on", c});

  RunResult r = rqctl(redis, {"delete", a, "--dependents"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "deleted 2 job(s)\n");
  CHECK_FALSE(Job::try_fetch(conn, a));
  CHECK_FALSE(Job::try_fetch(conn, b));
  CHECK(conn.checked({"ZCARD", keys::deferred("xq")}).integer() == 1);

  RunResult plain = rqctl(redis, {"delete", c});
  REQUIRE(plain.exit_code == 0);
  CHECK(plain.out == "deleted 1 job(s)\n");
  CHECK(Job::try_fetch(conn, d));  // without --dependents, d stays
  CHECK(conn.checked({"LLEN", keys::queue("xq")}).integer() == 0);

  RunResult missing = rqctl(redis, {"delete", a});
  CHECK(missing.exit_code == 4);
  CHECK(is_one_error_line(missing.err));
}

TEST_CASE("rqctl registry lists ids, scores and times", "[cli][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  conn.checked({"ZADD", "rq:finished:g", "1700000000", "j1", "+inf", "j2"});
  conn.checked({"ZADD", "rq:failed:g", "-1", "kept"});

  RunResult text = rqctl(redis, {"registry", "g", "finished"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out ==
        "j1  1700000000  2023-11-14T22:13:20.000000Z\n"
        "j2  +inf  -\n"
        "2 job(s) in finished registry of g (rq:finished:g)\n");
  nlohmann::json j = parse_json_output(rqctl(redis, {"registry", "g", "failed", "--json"}));
  CHECK(j == nlohmann::json::parse(R"({"queue":"g","registry":"failed","key":"rq:failed:g",
      "count":1,"jobs":[{"id":"kept","score":-1,"time":null}]})"));
  CHECK(parse_json_output(rqctl(redis, {"registry", "g", "started", "--json"}))["count"] == 0);
  CHECK(conn.checked({"ZCARD", "rq:finished:g"}).integer() == 2);  // read-only

  for (const std::vector<std::string>& bad : {std::vector<std::string>{"registry", "g", "wip"},
                                              {"registry", "g"},
                                              {"registry", "g", "failed", "x"}}) {
    RunResult b = rqctl(redis, bad);
    CHECK(b.exit_code == 2);
    CHECK(is_one_error_line(b.err));
  }
}

TEST_CASE("rqctl job --wait blocks until the outcome and reports it in its exit code",
          "[cli][lifecycle]") {
  RedisServer redis;
  const std::string ok = enqueued_id(redis, {"enqueue", "wq", "builtin:sleep", "0.3"});
  const std::string bad = enqueued_id(redis, {"enqueue", "wq", "builtin:fail", "nope"});

  // Started before any worker runs: it must block, then see the result.
  const std::string log = binary_dir() + "/rqctl_job_wait.log";
  Process waiter(
      {rqctl_path(), "--url", redis.url(), "job", ok, "--wait", "--timeout", "60", "--json"}, {},
      log);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(waiter.running());
  burst(redis, "wq");
  const int status = waiter.wait(std::chrono::seconds(30));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  nlohmann::json j = nlohmann::json::parse(read_file(log));
  CHECK(j["status"] == "finished");
  CHECK(j["result"] == 0.3);

  RunResult failed = rqctl(redis, {"job", bad, "--wait"});
  CHECK(failed.exit_code == 5);
  CHECK_THAT(failed.out, Catch::Contains("status:      failed"));
  CHECK_THAT(failed.out, Catch::Contains("nope"));
  CHECK(is_one_error_line(failed.err));

  const std::string pending = enqueued_id(redis, {"enqueue", "nobody", "builtin:noop"});
  RunResult timeout = rqctl(redis, {"job", pending, "--wait", "--timeout", "1"});
  CHECK(timeout.exit_code == 6);
  CHECK_THAT(timeout.out, Catch::Contains("status:      queued"));
  CHECK(is_one_error_line(timeout.err));

  const std::string canceled = enqueued_id(redis, {"enqueue", "nobody", "builtin:noop"});
  REQUIRE(rqctl(redis, {"cancel", canceled}).exit_code == 0);
  CHECK(rqctl(redis, {"job", canceled, "--wait", "--timeout", "5"}).exit_code == 5);

  CHECK(rqctl(redis, {"job", pending, "--timeout", "1"}).exit_code == 2);
  CHECK(rqctl(redis, {"job", "no-such-job", "--wait"}).exit_code == 4);
}

TEST_CASE("the new commands have --help pages", "[cli][lifecycle]") {
  for (const char* name : {"cancel", "requeue", "delete", "registry", "job", "enqueue"}) {
    RunResult r = rqctl_raw({name, "--help"});
    INFO(name);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(std::string("Usage: rqctl [--url URL] ") + name));
    CHECK_THAT(r.out, Catch::Contains("Exit codes:"));
  }
  CHECK_THAT(rqctl_raw({"--help"}).out, Catch::Contains("registry"));
  CHECK_THAT(rqctl_raw({"job", "--help"}).out, Catch::Contains("--wait"));
  CHECK_THAT(rqctl_raw({"enqueue", "--help"}).out, Catch::Contains("--allow-failure"));
}
