// The worker record as RQ reads it (docs/redis-layout.md 1.5, 3.4, 5).
#include <signal.h>
#include <sys/wait.h>

#include <cctype>

#include "rqcpp/timestamp.hpp"
#include "rqcpp/worker_info.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

bool is_int(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); });
}

}  // namespace

TEST_CASE("registration fields parse as RQ expects and death follows SIGTERM",
          "[worker][registration]") {
  WorkerFixture f;
  const std::string key = keys::worker("reg-w");
  Process w(f.worker_argv({"--name", "reg-w", "high", "low"}), {}, log_path("reg"));
  REQUIRE(f.eventually([&] { return f.hget(key, "state") == "idle"; }));

  CHECK(f.hget(key, "queues") == "high,low");
  CHECK(f.hget(key, "pid") == std::to_string(w.pid()));
  CHECK(is_int(f.hget(key, "pid")));
  CHECK(f.hget(key, "version") == "1.13.0");
  CHECK_THAT(f.hget(key, "python_version"), StartsWith("rqcpp ") && Contains("(C++)"));
  CHECK_FALSE(f.hget(key, "hostname").empty());
  CHECK_THAT(f.hget(key, "ip_address"), StartsWith("127.0.0.1:"));
  CHECK(parse_timestamp(f.hget(key, "birth")));
  CHECK(parse_timestamp(f.hget(key, "last_heartbeat")));
  CHECK(f.hget(key, "birth").size() == 27);  // %Y-%m-%dT%H:%M:%S.%fZ
  long long ttl = f.ttl(key);
  CHECK(ttl > 400);
  CHECK(ttl <= 480);
  CHECK(f.conn.checked({"SISMEMBER", std::string(keys::kWorkers), key}).integer() == 1);
  CHECK(f.conn.checked({"SISMEMBER", keys::queue_workers("high"), key}).integer() == 1);
  CHECK(f.conn.checked({"SISMEMBER", keys::queue_workers("low"), key}).integer() == 1);
  CHECK_THAT(std::string(f.conn.checked({"CLIENT", "LIST"}).str()), Contains("name=reg-w"));

  // Core's reader sees it too.
  auto info = find_worker(f.conn, "reg-w");
  REQUIRE(info);
  CHECK(info->state == "idle");
  CHECK(info->queues == std::vector<std::string>{"high", "low"});
  CHECK(info->pid == w.pid());

  SECTION("a second worker with the same name refuses to start") {
    RunResult r = run(f.worker_argv({"--name", "reg-w", "high"}), std::chrono::seconds(20));
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Contains("already exists"));
    CHECK(f.hget(key, "pid") == std::to_string(w.pid()));
  }

  w.signal(SIGTERM);
  int status = w.wait(std::chrono::seconds(10));
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(parse_timestamp(f.hget(key, "death")));
  CHECK(f.ttl(key) <= 60);
  CHECK(f.conn.checked({"SISMEMBER", std::string(keys::kWorkers), key}).integer() == 0);
  CHECK(f.conn.checked({"SISMEMBER", keys::queue_workers("high"), key}).integer() == 0);

  SECTION("a dead worker's name can be reused") {
    RunResult r =
        run(f.worker_argv({"--burst", "--name", "reg-w", "high"}), std::chrono::seconds(20));
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("the default name is a uuid4 hex and a bad start-up is one clear line",
          "[worker][registration]") {
  WorkerFixture f;
  Process w(f.worker_argv({"anon"}), {}, log_path("anon"));
  std::string key;
  REQUIRE(f.eventually([&] {
    auto members = f.conn.checked({"SMEMBERS", std::string(keys::kWorkers)}).strings();
    if (members.size() != 1) return false;
    key = members[0];
    return true;
  }));
  std::string name(keys::strip(key, keys::kWorkerPrefix));
  CHECK(name.size() == 32);
  CHECK(std::all_of(name.begin(), name.end(),
                    [](char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); }));

  RunResult unreachable =
      run({rqworker_path(), "--url", "redis://127.0.0.1:1/0", "--plugin-dir", plugin_dir(), "q"});
  CHECK(unreachable.exit_code == 1);
  CHECK_THAT(unreachable.err, Contains("127.0.0.1:1"));
  RunResult bad_url =
      run({rqworker_path(), "--url", "http://nope", "--plugin-dir", plugin_dir(), "q"});
  CHECK(bad_url.exit_code == 2);
  CHECK_THAT(bad_url.err, Contains("bad Redis URL"));
  RunResult no_queue = run({rqworker_path(), "--url", f.redis.url()});
  // A plugin directory that does not exist is refused at start (it used to
  // be accepted, then every job failed).
  RunResult no_dir =
      run({rqworker_path(), "--url", f.redis.url(), "--plugin-dir", "/nonexistent/plugins", "q"});
  CHECK(no_dir.exit_code == 2);
  CHECK_THAT(no_dir.err, Contains("--plugin-dir '/nonexistent/plugins' does not exist"));
  CHECK(no_queue.exit_code == 2);
  RunResult help = run({rqworker_path(), "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Contains("--burst") && Contains("--plugin-dir") && Contains("Exit status"));
}

TEST_CASE("heartbeats while a job runs push the wip deadline and TTLs", "[worker][registration]") {
  WorkerFixture f;
  Queue q(f.conn, "hb");
  std::string id = q.enqueue("builtin:sleep", 2.5).id();
  Process w(f.worker_argv({"--name", "hb-w", "--job-monitoring-interval", "1", "hb"}), {},
            log_path("hb"));
  const std::string key = keys::worker("hb-w");
  REQUIRE(f.eventually([&] { return f.hget(key, "current_job") == id; }));
  CHECK(f.hget(key, "state") == "busy");
  CHECK(f.status(id) == "started");
  CHECK(f.hget(keys::job(id), "worker_name") == "hb-w");
  // timeout 180, interval 1: heartbeat TTL min(180, 1) + 60 = 61
  auto first = f.zscore(keys::started("hb"), id);
  REQUIRE(first);
  CHECK(*first <= static_cast<double>(now_seconds()) + 61);
  CHECK(f.ttl(key) <= 61);
  std::string beat = f.hget(keys::job(id), "last_heartbeat");
  REQUIRE(f.eventually([&] { return f.hget(keys::job(id), "last_heartbeat") != beat; },
                       std::chrono::seconds(3)));
  CHECK(std::stod(f.hget(key, "current_job_working_time")) > 0.5);
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }));
  CHECK(f.hget(key, "state") == "idle");
  CHECK(f.hget(key, "current_job").empty());
  CHECK(f.hget(key, "current_job_working_time") == "0");
  CHECK(std::stod(f.hget(key, "total_working_time")) >= 2.5);
  CHECK(f.ttl(key) > 400);
}
