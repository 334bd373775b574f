// RQ's pub/sub worker commands (docs/redis-layout.md 1.6).
#include <signal.h>
#include <sys/wait.h>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

TEST_CASE("stop-job and kill-horse and shutdown commands", "[worker][commands]") {
  WorkerFixture f;
  Queue q(f.conn, "cmd");
  std::string stopped = q.enqueue("builtin:sleep", 30.0).id();
  std::string killed = q.enqueue("builtin:sleep", 30.0).id();
  Process w(f.worker_argv({"--name", "cmd-w", "cmd"}), {}, log_path("cmd"));
  const std::string channel = keys::worker_channel("cmd-w");

  REQUIRE(f.eventually([&] { return f.status(stopped) == "started"; }));
  // Python's json.dumps spacing; the worker parses JSON.
  f.conn.checked(
      {"PUBLISH", channel, "{\"command\": \"stop-job\", \"job_id\": \"" + stopped + "\"}"});
  REQUIRE(f.eventually([&] { return f.status(stopped) == "stopped"; }));
  CHECK(f.zscore(keys::failed("cmd"), stopped).has_value());
  CHECK(f.exc_info(stopped) == "Job stopped by user, work-horse terminated.");

  REQUIRE(f.eventually([&] { return f.status(killed) == "started"; }));
  f.conn.checked({"PUBLISH", channel, "{\"command\": \"kill-horse\"}"});
  REQUIRE(f.eventually([&] { return f.status(killed) == "failed"; }));
  CHECK_THAT(
      f.exc_info(killed),
      Contains("Work-horse terminated unexpectedly; waitpid returned 9 (signal 9: SIGKILL)"));

  f.conn.checked({"PUBLISH", channel, "{\"command\": \"shutdown\"}"});
  int status = w.wait(std::chrono::seconds(10));
  REQUIRE(status != -1);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(f.hget(keys::worker("cmd-w"), "death").empty());
}
