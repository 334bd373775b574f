// Controlling running rqworkers: rqctl suspend/resume, rqctl worker
// shutdown|kill-horse, rqctl job stop (docs/redis-layout.md 1.6, 1.7), and the same
// commands sent by Python RQ's rq.command module.
#include <sys/stat.h>
#include <sys/wait.h>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

RunResult rqctl(WorkerFixture& f, std::vector<std::string> args) {
  std::vector<std::string> argv{rqctl_path(), "--url", f.redis.url()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(20));
}

bool python_rq_available() {
  struct stat st;
  if (stat(kPython, &st) != 0) return false;
  return run({kPython, "-c", "import rq"}, std::chrono::seconds(30)).exit_code == 0;
}

}  // namespace

TEST_CASE("rqctl suspend lets the running job finish and starts no more; resume",
          "[worker][control]") {
  WorkerFixture f;
  Queue q(f.conn, "sus");
  std::string running = q.enqueue("builtin:sleep", 1.0).id();
  Process w(f.worker_argv({"--name", "sus-w", "sus"}), {}, log_path("sus"));
  REQUIRE(f.eventually([&] { return f.status(running) == "started"; }));

  RunResult s = rqctl(f, {"suspend"});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(f.exists("rq:suspended"));
  CHECK(f.ttl("rq:suspended") == -1);
  std::string waiting = q.enqueue("builtin:add", 1, 2).id();
  REQUIRE(f.eventually([&] { return f.status(running) == "finished"; }));
  REQUIRE(f.eventually([&] { return f.hget(keys::worker("sus-w"), "state") == "suspended"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(f.status(waiting) == "queued");

  REQUIRE(rqctl(f, {"resume"}).exit_code == 0);
  CHECK_FALSE(f.exists("rq:suspended"));
  REQUIRE(f.eventually([&] { return f.status(waiting) == "finished"; }));

  REQUIRE(rqctl(f, {"suspend", "--duration", "30"}).exit_code == 0);
  CHECK(f.ttl("rq:suspended") > 25);
  CHECK(rqctl(f, {"suspend", "--duration", "0"}).exit_code == 2);
  REQUIRE(rqctl(f, {"resume"}).exit_code == 0);
}

TEST_CASE("rqctl job stop, worker kill-horse and worker shutdown", "[worker][control]") {
  WorkerFixture f;
  Queue q(f.conn, "ctl");
  std::string stopped = q.enqueue("builtin:sleep", 30.0).id();
  std::string killed = q.enqueue("builtin:sleep", 30.0).id();
  Process w(f.worker_argv({"--name", "ctl-w", "ctl"}), {}, log_path("ctl"));

  CHECK(rqctl(f, {"job", "stop", killed}).exit_code == 1);  // queued: no worker yet
  CHECK(rqctl(f, {"job", "stop", "no-such-job"}).exit_code == 4);
  REQUIRE(f.eventually([&] { return f.status(stopped) == "started"; }));
  RunResult r = rqctl(f, {"job", "stop", stopped});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(f.eventually([&] { return f.status(stopped) == "stopped"; }));
  CHECK(f.exc_info(stopped) == "Job stopped by user, work-horse terminated.");

  REQUIRE(f.eventually([&] { return f.status(killed) == "started"; }));
  REQUIRE(rqctl(f, {"worker", "kill-horse", "ctl-w"}).exit_code == 0);
  REQUIRE(f.eventually([&] { return f.status(killed) == "failed"; }));
  CHECK_THAT(f.exc_info(killed), Contains("Work-horse terminated unexpectedly"));

  CHECK(rqctl(f, {"worker", "shutdown", "nobody"}).exit_code == 4);
  CHECK(rqctl(f, {"worker", "reboot", "ctl-w"}).exit_code == 2);
  REQUIRE(rqctl(f, {"worker", "shutdown", "ctl-w"}).exit_code == 0);
  int status = w.wait(std::chrono::seconds(10));
  REQUIRE(status != -1);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(f.hget(keys::worker("ctl-w"), "death").empty());
}

TEST_CASE("Python RQ's rq.command functions control an rqworker", "[worker][control][python]") {
  if (!python_rq_available()) {
    WARN("python3-rq not installed: skipped");
    return;
  }
  WorkerFixture f;
  Queue q(f.conn, "pyc");
  std::string stopped = q.enqueue("builtin:sleep", 30.0).id();
  std::string killed = q.enqueue("builtin:sleep", 30.0).id();
  Process w(f.worker_argv({"--name", "pyc-w", "pyc"}), {}, log_path("pyc"));
  auto python = [&](const std::string& code) {
    RunResult r = run({kPython, "-c",
                       "import sys\nfrom redis import Redis\nimport rq.command as c\n"
                       "r = Redis(port=int(sys.argv[1]))\n" +
                           code,
                       std::to_string(f.redis.port())},
                      std::chrono::seconds(30));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
  };

  REQUIRE(f.eventually([&] { return f.status(stopped) == "started"; }));
  python("c.send_stop_job_command(r, '" + stopped + "')");
  REQUIRE(f.eventually([&] { return f.status(stopped) == "stopped"; }));

  REQUIRE(f.eventually([&] { return f.status(killed) == "started"; }));
  python("c.send_kill_horse_command(r, 'pyc-w')");
  REQUIRE(f.eventually([&] { return f.status(killed) == "failed"; }));

  python("c.send_shutdown_command(r, 'pyc-w')");
  int status = w.wait(std::chrono::seconds(10));
  REQUIRE(status != -1);
  CHECK(WEXITSTATUS(status) == 0);
}
