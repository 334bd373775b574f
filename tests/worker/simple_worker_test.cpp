// rqworker --worker-class simple (RQ's SimpleWorker): jobs run in the worker
// process, with RQ's full per-job state written by the same fused
// finish+take script; plugins are probed in a forked child before the
// worker loads them, and reloaded when their file changes.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "rqcpp/args.hpp"
#include "rqcpp/timestamp.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace fs = std::filesystem;

TEST_CASE("simple worker: results, registries and counters as the forking worker writes them",
          "[worker][simple]") {
  WorkerFixture f;
  Queue q(f.conn, "s");
  std::vector<JobSpec> specs;
  const int n = 300;
  for (int i = 0; i < n; ++i) specs.push_back(JobSpec{"builtin:add", Args::of(i, 1), {}});
  std::vector<Job> jobs = q.enqueue_many(specs);

  RunResult r = f.burst({"--worker-class", "simple", "--name", "w-simple", "s"});
  INFO(r.err);
  for (int i = 0; i < n; ++i) {
    Job j = Job::fetch(f.conn, jobs[i].id());
    REQUIRE(j.status() == JobStatus::kFinished);
    REQUIRE(j.result<long long>() == i + 1);
    REQUIRE(f.hget(keys::job(jobs[i].id()), "worker_name") == "w-simple");
  }
  CHECK(f.conn.checked({"ZCARD", keys::finished("s")}).integer() == n);
  CHECK(f.conn.checked({"ZCARD", keys::started("s")}).integer() == 0);
  CHECK(f.hget(keys::worker("w-simple"), "successful_job_count") == std::to_string(n));
  CHECK_FALSE(f.hget(keys::worker("w-simple"), "death").empty());
  // One fused round trip per job: a few more for birth, the first take and death.
  auto at = r.err.find(" Redis round trips");
  REQUIRE(at != std::string::npos);
  auto from = r.err.rfind(' ', at - 1) + 1;
  long long trips = std::stoll(r.err.substr(from, at - from));
  CHECK(trips <= n + 12);
}

TEST_CASE("simple worker: failing and unloadable plugins fail their jobs, the worker goes on",
          "[worker][simple]") {
  WorkerFixture f;
  Queue q(f.conn, "sf");
  struct Case {
    std::string id, expect;
  };
  std::vector<Case> cases{
      {q.enqueue("builtin:fail", std::string("boom")).id(), "ValueError: boom"},
      {q.enqueue("nosuch:f").id(), "PluginError: unknown plugin 'nosuch'"},
      {q.enqueue("builtin:nosuch").id(), "PluginError: no function 'nosuch' in plugin 'builtin'"},
      {q.enqueue("extra:unlisted").id(), "PluginError: no function 'unlisted' in plugin 'extra'"},
      {q.enqueue("badabi:f").id(), "PluginError: ABI mismatch (plugin 999, worker 1)"},
      {q.enqueue("badabi:f").id(), "PluginError: ABI mismatch"},  // cached probe failure
      {q.enqueue("nomanifest:f").id(), "PluginError: not an rqcpp plugin"},
  };
  std::string good = q.enqueue("builtin:add", 20, 22).id();

  RunResult r = f.burst({"--worker-class", "simple", "--name", "w-sf", "sf"});
  for (const Case& c : cases) {
    INFO("job " << c.id << "\n" << r.err);
    CHECK(f.status(c.id) == "failed");
    CHECK(f.zscore(keys::failed("sf"), c.id).has_value());
    CHECK_THAT(f.exc_info(c.id), Contains(c.expect));
  }
  CHECK(Job::fetch(f.conn, good).result<long long>() == 42);
  CHECK(f.hget(keys::worker("w-sf"), "failed_job_count") == std::to_string(cases.size()));
}

TEST_CASE("simple worker: a plugin crashing in its loader fails its jobs in a probe child",
          "[worker][simple]") {
  WorkerFixture f;
  Queue q(f.conn, "sl");
  const std::vector<std::string> ids{q.enqueue("loadcrash:work").id(),
                                     q.enqueue("loadcrash:work").id()};
  RunResult r =
      run({rqworker_path(), "--url", f.redis.url(), "--plugin-dir", binary_dir() + "/test-plugins",
           "--burst", "--worker-class", "simple", "--name", "w-sl", "sl"},
          std::chrono::seconds(60));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);  // the crash happened in the probe, not in the worker
  for (const std::string& id : ids) {
    CHECK(f.status(id) == "failed");
    CHECK_THAT(f.exc_info(id),
               Contains("PluginError: plugin crashed while loading (signal 11: SIGSEGV)"));
  }
}

TEST_CASE("simple worker: a crashing job kills the worker but its job stays findable",
          "[worker][simple]") {
  WorkerFixture f;
  Queue q(f.conn, "sc");
  std::string crash = q.enqueue("builtin:crash", std::string("segv")).id();
  std::string after = q.enqueue("builtin:add", 1, 1).id();
  RunResult r =
      run(f.worker_argv({"--burst", "--worker-class", "simple", "sc"}), std::chrono::seconds(30));
  INFO(r.err);
  CHECK(r.exit_code != 0);
  // Zero loss: the crashed job is in the started registry (maintenance
  // recovers it), the next one is still queued.
  CHECK(f.status(crash) == "started");
  CHECK(f.zscore(keys::started("sc"), crash).has_value());
  CHECK(f.status(after) == "queued");
  CHECK(f.conn.checked({"LLEN", keys::queue("sc")}).integer() == 1);
}

TEST_CASE("simple worker: a job over its timeout is not interrupted and the overrun is logged",
          "[worker][simple]") {
  WorkerFixture f;
  Queue q(f.conn, "st");
  EnqueueOptions o;
  o.job_timeout = 1;
  std::string id = q.enqueue_with(o, "builtin:sleep", 1.5).id();
  RunResult r = f.burst({"--worker-class", "simple", "st"});
  CHECK(f.status(id) == "finished");
  CHECK_THAT(r.err, Contains("over its timeout of 1s"));
}

TEST_CASE("simple worker: a replaced plugin file is probed and loaded again", "[worker][simple]") {
  WorkerFixture f;
  const fs::path dir = fs::path(log_path("simple_plugins")).concat(".d");
  fs::create_directories(dir);
  const fs::path lib = dir / "libswap.so";
  auto install = [&](const std::string& from) {  // a new inode, as a deploy does
    fs::copy_file(fs::path(plugin_dir()) / from, dir / "tmp.so",
                  fs::copy_options::overwrite_existing);
    fs::rename(dir / "tmp.so", lib);
  };
  install("libextra.so");
  std::vector<std::string> argv{rqworker_path(), "--url",          f.redis.url(), "--plugin-dir",
                                dir.string(),    "--worker-class", "simple",      "sw"};
  const std::string log = log_path("simple_swap");
  Process w(argv, {}, log);
  Queue q(f.conn, "sw");
  std::string first = q.enqueue("swap:add", 1, 2).id();
  REQUIRE(f.eventually([&] { return f.status(first) == "failed"; }));
  CHECK_THAT(f.exc_info(first), Contains("no function 'add' in plugin 'swap'"));
  install("libbuiltin.so");
  std::string second = q.enqueue("swap:add", 1, 2).id();
  REQUIRE(f.eventually([&] { return f.status(second) == "finished"; }));
  CHECK(Job::fetch(f.conn, second).result<long long>() == 3);
  w.signal(SIGTERM);
  CHECK(w.wait(std::chrono::seconds(10)) == 0);
  fs::remove_all(dir);
}

TEST_CASE("rqworker refuses an unknown --worker-class", "[worker][simple]") {
  WorkerFixture f;
  RunResult r = run(f.worker_argv({"--worker-class", "thread", "q"}), std::chrono::seconds(10));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("--worker-class must be fork or simple"));
}

namespace {

// A simple worker runs a 6 s job (`timeout`: the job's timeout option)
// under heartbeat settings of 1-2 s while a forking worker on the same
// queue cleans the registries every second: the job must end with its
// real result, never failed as abandoned (issue 9).
void check_long_job_survives_maintenance(const std::optional<Duration>& timeout,
                                         const std::string& tag) {
  WorkerFixture f;
  const std::string queue = "slong-" + tag;
  const std::vector<std::string> short_ttls{
      "--worker-ttl",           "2", "--heartbeat-grace",         "1",
      "--maintenance-interval", "1", "--job-monitoring-interval", "1"};
  auto argv = [&](const std::string& name, bool simple) {
    std::vector<std::string> a{"--name", name};
    if (simple) a.insert(a.end(), {"--worker-class", "simple"});
    a.insert(a.end(), short_ttls.begin(), short_ttls.end());
    a.push_back(queue);
    return f.worker_argv(a);
  };
  Process simple(argv("simple-" + tag, true), {}, log_path("simple_long_" + tag));
  Queue q(f.conn, queue);
  EnqueueOptions o;
  o.job_timeout = timeout;
  const std::string id = q.enqueue_with(o, "builtin:sleep", 6.0).id();
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));
  REQUIRE(f.hget(keys::job(id), "worker_name") == "simple-" + tag);
  // Started only now, so it cannot take the job; its maintenance is what
  // would fail a job whose heartbeat deadline passed.
  Process rescuer(argv("rescuer-" + tag, false), {}, log_path("simple_long_rescuer_" + tag));

  bool deadline_checked = false;
  REQUIRE(f.eventually(
      [&] {
        const std::string s = f.status(id);
        if (s == "started") {
          // The heartbeat moved the deadline and the worker key's TTL past
          // the job's run time (RQ's SimpleWorker: timeout + grace).
          auto score = f.zscore(keys::started(queue), id);
          if (!score) {
            // Finished between the two reads (the finish takes it out of
            // the registry); still "started" with no entry would be a job
            // in no registry.
            REQUIRE(f.status(id) != "started");
            return true;
          }
          if (timeout && timeout->seconds > 0 && !deadline_checked &&
              f.hget(keys::job(id), "last_heartbeat") != f.hget(keys::job(id), "started_at")) {
            CHECK(*score - static_cast<double>(now_seconds()) > 60);
            CHECK(f.ttl(keys::worker("simple-" + tag)) > 60);
            deadline_checked = true;
          }
        }
        return s != "started";
      },
      std::chrono::seconds(30)));
  INFO("job " << id << " exc_info: " << f.exc_info(id));
  CHECK(f.status(id) == "finished");
  CHECK(Job::fetch(f.conn, id).result<double>() == 6.0);
  CHECK_FALSE(f.zscore(keys::failed(queue), id).has_value());
  CHECK(f.zscore(keys::finished(queue), id).has_value());
  if (timeout && timeout->seconds > 0) CHECK(deadline_checked);
  simple.signal(SIGTERM);
  rescuer.signal(SIGTERM);
  CHECK(simple.wait(std::chrono::seconds(10)) == 0);
  CHECK(rescuer.wait(std::chrono::seconds(10)) == 0);
}

}  // namespace

TEST_CASE("simple worker: a job longer than the heartbeat TTL is not failed as abandoned",
          "[worker][simple]") {
  check_long_job_survives_maintenance(std::nullopt, "default");
}

TEST_CASE("simple worker: a job without a time limit is not failed as abandoned",
          "[worker][simple]") {
  check_long_job_survives_maintenance(Duration(-1LL), "nolimit");
}
