// rqworker options for unattended runs: --max-jobs, --max-idle-time,
// --dequeue-strategy, --config, --log-format, --worker-ttl,
// --heartbeat-grace, and the worker stats fields.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rqcpp/timestamp.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

// Ids ordered by the jobs' ended_at (RQ's timestamps sort as strings).
std::vector<std::string> by_end(WorkerFixture& f, std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& b) {
    return f.hget(keys::job(a), "ended_at") < f.hget(keys::job(b), "ended_at");
  });
  return ids;
}

}  // namespace

TEST_CASE("rqworker --max-jobs stops after N jobs and keeps the stats fields",
          "[worker][options]") {
  WorkerFixture f;
  Queue q(f.conn, "mj");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(q.enqueue("builtin:add", i, 1).id());
  ids.push_back(q.enqueue("builtin:fail", "boom").id());
  // Not --burst: only --max-jobs can end this worker.
  RunResult r =
      run(f.worker_argv({"--name", "mj-w", "--max-jobs", "3", "mj"}), std::chrono::seconds(20));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(f.conn.checked({"LLEN", keys::queue("mj")}).integer() == 3);
  CHECK(f.hget(keys::worker("mj-w"), "successful_job_count") == "3");
  CHECK(std::stod(f.hget(keys::worker("mj-w"), "total_working_time")) > 0);
  CHECK_FALSE(f.hget(keys::worker("mj-w"), "death").empty());

  RunResult r2 =
      run(f.worker_argv({"--name", "mj-w2", "--max-jobs", "3", "mj"}), std::chrono::seconds(20));
  REQUIRE(r2.exit_code == 0);
  CHECK(f.hget(keys::worker("mj-w2"), "successful_job_count") == "2");
  CHECK(f.hget(keys::worker("mj-w2"), "failed_job_count") == "1");
}

TEST_CASE("rqworker --max-idle-time ends an idle worker", "[worker][options]") {
  WorkerFixture f;
  Queue q(f.conn, "idle");
  std::string id = q.enqueue("builtin:add", 1, 2).id();
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = run(f.worker_argv({"--name", "idle-w", "--max-idle-time", "1", "idle"}),
                    std::chrono::seconds(15));
  auto took = std::chrono::steady_clock::now() - t0;
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(f.status(id) == "finished");
  CHECK(took < std::chrono::seconds(5));
  CHECK_FALSE(f.hget(keys::worker("idle-w"), "death").empty());
}

TEST_CASE("rqworker --dequeue-strategy round_robin alternates queues", "[worker][options]") {
  WorkerFixture f;
  Queue a(f.conn, "rr-a"), b(f.conn, "rr-b");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(a.enqueue("builtin:add", i, 0).id());
    ids.push_back(b.enqueue("builtin:add", i, 0).id());
  }
  f.burst({"--dequeue-strategy", "round_robin", "rr-a", "rr-b"});
  CHECK(by_end(f, ids) == ids);  // a0 b0 a1 b1 a2 b2

  // default: strict priority, all of rr-a first
  std::vector<std::string> ids2;
  for (int i = 0; i < 2; ++i) ids2.push_back(a.enqueue("builtin:add", i, 0).id());
  for (int i = 0; i < 2; ++i) ids2.push_back(b.enqueue("builtin:add", i, 0).id());
  f.burst({"rr-a", "rr-b"});
  CHECK(by_end(f, ids2) == ids2);

  for (int i = 0; i < 4; ++i) b.enqueue("builtin:add", i, 0);
  f.burst({"--dequeue-strategy", "random", "rr-a", "rr-b"});
  CHECK(f.conn.checked({"LLEN", keys::queue("rr-b")}).integer() == 0);

  RunResult bad = run(f.worker_argv({"--dequeue-strategy", "lifo", "rr-a"}));
  CHECK(bad.exit_code == 2);
}

TEST_CASE("rqworker --config reads options from a file, the command line wins",
          "[worker][options]") {
  WorkerFixture f;
  Queue q(f.conn, "cfgq");
  for (int i = 0; i < 4; ++i) q.enqueue("builtin:add", i, 1);
  std::string path = log_path("rqworker_cfg") + ".ini";
  {
    std::ofstream out(path);
    out << "# unattended worker\nname = cfg-w\nmax-jobs = 3\nlogging-level = debug\n"
           "queue = cfgq\n";
  }
  RunResult r = run(f.worker_argv({"--config", path, "--max-jobs", "2"}), std::chrono::seconds(20));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(f.hget(keys::worker("cfg-w"), "successful_job_count") == "2");
  CHECK(f.conn.checked({"LLEN", keys::queue("cfgq")}).integer() == 2);

  RunResult missing = run(f.worker_argv({"--config", path + ".nope", "cfgq"}));
  CHECK(missing.exit_code == 2);
}

TEST_CASE("rqworker --log-format json writes one JSON object per line", "[worker][options]") {
  WorkerFixture f;
  Queue q(f.conn, "jl");
  q.enqueue("builtin:add", 1, 2);
  RunResult r = f.burst({"--log-format", "json", "--name", "json \"quoted\" w", "jl"});
  std::istringstream lines(r.err);
  std::string line;
  int n = 0;
  bool saw_name = false;
  while (std::getline(lines, line)) {
    INFO(line);
    nlohmann::json j = nlohmann::json::parse(line);  // throws (fails) on a bad line
    CHECK(j.contains("time"));
    CHECK(j.contains("level"));
    CHECK(j["pid"].is_number());
    if (j["message"].get<std::string>().find("json \"quoted\" w") != std::string::npos) {
      saw_name = true;
    }
    ++n;
  }
  CHECK(n >= 2);
  CHECK(saw_name);
  CHECK(run(f.worker_argv({"--log-format", "xml", "jl"})).exit_code == 2);
}

TEST_CASE("rqworker --worker-ttl / --heartbeat-grace: renewed while alive, expired once killed",
          "[worker][options][heartbeat]") {
  WorkerFixture f;
  const std::string key = keys::worker("ttl-w");
  // Also from the config file: both are ordinary options.
  std::string path = log_path("rqworker_ttl") + ".ini";
  {
    std::ofstream out(path);
    out << "worker-ttl = 2\nheartbeat-grace = 1\n";
  }
  // The default --job-monitoring-interval (30 s): only the worker TTL makes
  // the idle worker renew its key this often.
  Process w(f.worker_argv({"--config", path, "--name", "ttl-w", "ttlq"}), {}, log_path("ttl-w"));
  REQUIRE(f.eventually([&] { return f.hget(key, "state") == "idle"; }));
  // Idle: TTL worker_ttl + grace = 3, renewed well before it runs out, so
  // the key outlives it many times over.
  long long max_ttl = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    long long ttl = f.ttl(key);
    REQUIRE(ttl > 0);
    max_ttl = std::max(max_ttl, ttl);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(max_ttl <= 3);
  // Busy: min(timeout 180, interval 30) + grace 1 = 31 (RQ: 90).
  Queue q(f.conn, "ttlq");
  std::string id = q.enqueue("builtin:sleep", 1.0).id();
  REQUIRE(f.eventually([&] { return f.hget(key, "current_job") == id; }));
  long long busy_ttl = f.ttl(key);
  CHECK(busy_ttl > 3);
  CHECK(busy_ttl <= 31);
  auto deadline = f.zscore(keys::started("ttlq"), id);
  REQUIRE(deadline);
  CHECK(*deadline <= static_cast<double>(now_seconds()) + 31);
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }));

  // Killed while idle: the key is gone within worker_ttl + grace by itself.
  REQUIRE(f.eventually([&] { return f.hget(key, "state") == "idle"; }));
  w.signal(SIGKILL);
  REQUIRE(w.wait(std::chrono::seconds(5)) != -1);
  const auto killed = std::chrono::steady_clock::now();
  CHECK(f.exists(key));
  REQUIRE(f.eventually([&] { return !f.exists(key); }, std::chrono::seconds(5)));
  CHECK(std::chrono::steady_clock::now() - killed <= std::chrono::milliseconds(3500));

  CHECK(run(f.worker_argv({"--worker-ttl", "0", "ttlq"})).exit_code == 2);
  CHECK(run(f.worker_argv({"--heartbeat-grace", "0", "ttlq"})).exit_code == 2);
  RunResult help = run({rqworker_path(), "--help"});
  CHECK_THAT(help.out, Catch::Contains("--worker-ttl") && Catch::Contains("--heartbeat-grace"));
}

// Issue 10, defect 12: a job id with a newline used to start a line of its
// own in the text log, so a producer could forge whole log lines.
TEST_CASE("rqworker's text log escapes what producers wrote", "[worker][options]") {
  WorkerFixture f;
  Queue q(f.conn, "tl");
  EnqueueOptions o;
  o.job_id = "x\n2026-01-01 00:00:00.000 INFO  forged\x1b[2J";
  q.enqueue_with(o, "builtin:add", 1, 2);
  RunResult r = f.burst({"tl"});
  INFO(r.err);
  CHECK(f.status(*o.job_id) == "finished");
  std::istringstream lines(r.err);
  std::string line;
  bool saw_escaped = false;
  while (std::getline(lines, line)) {
    CHECK(line.rfind("2026-01-01", 0) != 0);  // no line starts with the forged text
    CHECK(line.find('\x1b') == std::string::npos);
    if (line.find("x\\n2026-01-01 00:00:00.000 INFO  forged\\x1b[2J") != std::string::npos) {
      saw_escaped = true;
    }
  }
  CHECK(saw_escaped);
}
