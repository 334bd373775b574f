// Python's `rq info` sees rqcpp's queues and a running rqworker.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/queue.hpp>
#include <rqcpp/worker_info.hpp>

#include "interop_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

RunResult rq_info(const RedisServer& redis, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{RQCPP_TEST_RQ, "info", "-u", redis.url()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run(argv, 60s);
}

// Waits until exactly one worker is registered for `queue` and idle.
std::optional<WorkerInfo> wait_idle_worker(Connection& conn, const std::string& queue) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto workers = queue_workers(conn, queue);
    if (workers.size() == 1 && workers[0].state == "idle") return workers[0];
    std::this_thread::sleep_for(25ms);
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("rq info lists our queue and our running worker with its state",
          "[interop][rq_info][worker]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  Queue queue(conn, "interop");
  // A queue exists for rq info once something was enqueued to it; one job
  // stays waiting on a second queue the worker does not serve.
  const std::string done = queue.enqueue("builtin:add", 2, 3).id();
  Queue(conn, "waiting").enqueue("builtin:noop");

  BackgroundWorker worker(redis, {"interop"}, "test_interop_rq_info_worker");
  REQUIRE(wait_for_final_status(conn, done, 15s) == JobStatus::kFinished);
  const std::optional<WorkerInfo> w = wait_idle_worker(conn, "interop");
  REQUIRE(w);
  REQUIRE(w->pid);
  CHECK(*w->pid == worker.pid());

  const std::string who =
      w->name + " (" + w->hostname + " " + w->ip_address + " " + std::to_string(*w->pid) + ")";
  RunResult r = rq_info(redis);
  INFO("rq info stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("interop "));
  CHECK_THAT(r.out, Catch::Contains("waiting "));
  CHECK_THAT(r.out, Catch::Contains("2 queues, 1 jobs total"));
  CHECK_THAT(r.out, Catch::Contains(who + ": idle interop\n"));
  CHECK_THAT(r.out, Catch::Contains("1 workers, 2 queues"));

  RunResult raw = rq_info(redis, {"-r"});
  INFO("rq info -r:\n" << raw.out << raw.err);
  REQUIRE(raw.exit_code == 0);
  CHECK_THAT(raw.out, Catch::Contains("queue interop 0\n"));
  CHECK_THAT(raw.out, Catch::Contains("queue waiting 1\n"));
  CHECK_THAT(raw.out, Catch::Contains("worker " + who + " idle interop\n"));

  RunResult by_queue = rq_info(redis, {"-R", "interop"});
  INFO("rq info -R:\n" << by_queue.out << by_queue.err);
  REQUIRE(by_queue.exit_code == 0);
  CHECK_THAT(by_queue.out, Catch::Contains("interop: " + w->name + " (idle)"));

  // rq info cleans registries as a side effect: our finished job must survive it.
  Job job = Job::fetch(conn, done);
  CHECK(job.status() == JobStatus::kFinished);
  CHECK(job.result<long long>() == 5);

  const int status = worker.stop();
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  RunResult after = rq_info(redis, {"-r"});
  REQUIRE(after.exit_code == 0);
  CHECK(after.out.find("worker ") == std::string::npos);
}
