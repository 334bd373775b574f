// Warm and cold shutdown (docs/redis-layout.md 3.15).
#include <signal.h>
#include <sys/wait.h>

#include <fstream>

#include "rqcpp/timestamp.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

TEST_CASE("SIGTERM while a job runs lets the job finish and then the worker dies",
          "[worker][shutdown]") {
  WorkerFixture f;
  Queue q(f.conn, "sd");
  std::string id = q.enqueue("builtin:sleep", 1.5).id();
  std::string next = q.enqueue("builtin:add", 1, 1).id();
  Process w(f.worker_argv({"--name", "sd-w", "sd"}), {}, log_path("warm"));
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));

  w.signal(SIGTERM);
  int status = w.wait(std::chrono::seconds(10));
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(f.status(id) == "finished");
  CHECK(Job::fetch(f.conn, id).result<double>() == 1.5);
  CHECK(f.status(next) == "queued");  // not taken after the shutdown request
  const std::string key = keys::worker("sd-w");
  CHECK(parse_timestamp(f.hget(key, "shutdown_requested_date")));
  CHECK(parse_timestamp(f.hget(key, "death")));
  CHECK(f.conn.checked({"ZCARD", keys::started("sd")}).integer() == 0);
}

TEST_CASE("a second signal is a cold shutdown: the job is killed and fails", "[worker][shutdown]") {
  WorkerFixture f;
  Queue q(f.conn, "sd");
  std::string id = q.enqueue("builtin:sleep", 30.0).id();
  Process w(f.worker_argv({"sd"}), {}, log_path("cold"));
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));

  auto t0 = std::chrono::steady_clock::now();
  w.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  w.signal(SIGINT);
  int status = w.wait(std::chrono::seconds(10));
  REQUIRE(status != -1);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(f.status(id) == "failed");
  CHECK_THAT(f.exc_info(id), Contains("stopped by shutdown"));
  CHECK(f.zscore(keys::failed("sd"), id).has_value());
}

TEST_CASE("SIGTERM while idle stops at once", "[worker][shutdown]") {
  WorkerFixture f;
  Process w(f.worker_argv({"--name", "idle-w", "sd"}), {}, log_path("idle"));
  REQUIRE(f.eventually([&] { return f.hget(keys::worker("idle-w"), "state") == "idle"; }));
  w.signal(SIGINT);
  int status = w.wait(std::chrono::seconds(5));
  REQUIRE(status != -1);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(f.hget(keys::worker("idle-w"), "shutdown_requested_date").empty());
  CHECK_FALSE(f.hget(keys::worker("idle-w"), "death").empty());
}

TEST_CASE("a work horse does not outlive a killed worker", "[worker][shutdown]") {
  WorkerFixture f;
  Queue q(f.conn, "sd");
  std::string id = q.enqueue("builtin:sleep", 30.0).id();
  Process w(f.worker_argv({"sd"}), {}, log_path("orphan"));
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));
  std::string children;
  REQUIRE(f.eventually([&] {
    std::ifstream in("/proc/" + std::to_string(w.pid()) + "/task/" + std::to_string(w.pid()) +
                     "/children");
    std::getline(in, children);
    return !children.empty();
  }));
  const pid_t horse = std::stoi(children);

  w.signal(SIGKILL);
  REQUIRE(w.wait(std::chrono::seconds(5)) != -1);
  // Gone, or a zombie waiting for init to reap it.
  CHECK(f.eventually(
      [&] {
        std::ifstream in("/proc/" + std::to_string(horse) + "/status");
        std::string line;
        while (std::getline(in, line)) {
          if (line.rfind("State:", 0) == 0) return line.find('Z') != std::string::npos;
        }
        return true;
      },
      std::chrono::seconds(3)));
  // The job stays findable in the started registry (zero-loss hand-over).
  CHECK(f.zscore(keys::started("sd"), id).has_value());
  CHECK(f.status(id) == "started");
}
