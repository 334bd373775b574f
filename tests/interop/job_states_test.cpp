// Python RQ reads every job state our side produces (queued, deferred,
// scheduled, started, finished, failed, canceled, stopped), `rq info` runs
// over all of it, and a Python job depending on a C++ job runs after it on
// our worker.
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/queue.hpp>

#include "interop_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

std::string rqctl_enqueue(const RedisServer& redis, const std::vector<std::string>& args) {
  std::vector<std::string> argv{rqctl_path(), "--url", redis.url(), "enqueue"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run(argv, 30s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return first_line(r.out);
}

// Python's Job.fetch(id, serializer=MsgpackSerializer).get_status().
std::string python_status(const RedisServer& redis, const std::string& id) {
  std::string err;
  nlohmann::json j = python_fetch(redis, id, &err);
  INFO(err);
  REQUIRE(j.is_object());
  return j["status"].get<std::string>();
}

RunResult rq_info(const RedisServer& redis) {
  return run({RQCPP_TEST_RQ, "info", "-u", redis.url()}, 60s);
}

std::optional<JobStatus> wait_for_status(Connection& conn, const std::string& id, JobStatus want,
                                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<JobStatus> status;
  while (std::chrono::steady_clock::now() < deadline) {
    status = Job::fetch(conn, id).fetch_status();
    if (status == want) break;
    std::this_thread::sleep_for(25ms);
  }
  return status;
}

}  // namespace

TEST_CASE("Python RQ sees every job state rqcpp produces; rq info runs over them",
          "[interop][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());

  // Queue "idle" has no worker.
  const std::string queued = rqctl_enqueue(redis, {"idle", "builtin:noop"});
  const std::string deferred =
      rqctl_enqueue(redis, {"idle", "builtin:noop", "--depends-on", queued});
  const std::string scheduled = rqctl_enqueue(redis, {"idle", "builtin:noop", "--in", "1h"});
  const std::string canceled = rqctl_enqueue(redis, {"idle", "builtin:noop"});
  {
    RunResult r = run({rqctl_path(), "--url", redis.url(), "cancel", canceled}, 30s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }

  const std::string finished = rqctl_enqueue(redis, {"life", "builtin:add", "1", "2"});
  const std::string failed = rqctl_enqueue(redis, {"life", "builtin:fail", "bad"});
  BackgroundWorker worker(redis, {"life"}, "interop_job_states_worker");
  REQUIRE(wait_for_final_status(conn, finished, 30s) == JobStatus::kFinished);
  REQUIRE(wait_for_final_status(conn, failed, 30s) == JobStatus::kFailed);

  const std::string running = rqctl_enqueue(redis, {"life", "builtin:sleep", "30"});
  REQUIRE(wait_for_status(conn, running, JobStatus::kStarted, 30s) == JobStatus::kStarted);

  CHECK(python_status(redis, queued) == "queued");
  CHECK(python_status(redis, deferred) == "deferred");
  CHECK(python_status(redis, scheduled) == "scheduled");
  CHECK(python_status(redis, canceled) == "canceled");
  CHECK(python_status(redis, finished) == "finished");
  CHECK(python_status(redis, failed) == "failed");
  CHECK(python_status(redis, running) == "started");
  {
    RunResult info = rq_info(redis);
    INFO(info.out << info.err);
    CHECK(info.exit_code == 0);
  }

  // Stopped, as `rq` stops a job: send_stop_job_command -> rq:pubsub:<worker>.
  RunResult stop = python({python_peer_script(), "stop-job", redis.url(), running});
  INFO(stop.out << stop.err);
  REQUIRE(stop.exit_code == 0);
  CHECK(wait_for_final_status(conn, running, 30s) == JobStatus::kStopped);
  CHECK(python_status(redis, running) == "stopped");

  RunResult info = rq_info(redis);
  INFO(info.out << info.err);
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.out, Catch::Contains("idle"));
  CHECK_THAT(info.out, Catch::Contains("life"));
  // rq info cleans registries but must not change these states.
  CHECK(python_status(redis, deferred) == "deferred");
  CHECK(python_status(redis, scheduled) == "scheduled");
  CHECK(worker.stop() != -1);
}

TEST_CASE("a Python job depending on a C++ job runs after it on rqworker", "[interop][lifecycle]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  Queue queue(conn, "chain");
  const std::string parent = queue.enqueue("builtin:sleep", 0.3).id();
  RunResult r = python({python_peer_script(), "enqueue-after", redis.url(), "chain", "builtin:add",
                        parent, "1", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string child = first_line(r.out);
  CHECK(Job::fetch(conn, child).status() == JobStatus::kDeferred);
  CHECK(python_status(redis, child) == "deferred");

  RunResult w =
      run({rqworker_path(), "--burst", "--url", redis.url(), "--plugin-dir", plugin_dir(), "chain"},
          120s);
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  Job p = Job::fetch(conn, parent);
  Job c = Job::fetch(conn, child);
  REQUIRE(p.status() == JobStatus::kFinished);
  REQUIRE(c.status() == JobStatus::kFinished);
  CHECK(c.result<long long>() == 3);
  CHECK(*c.started_at() >= *p.ended_at());
  nlohmann::json pj = python_fetch(redis, child);
  CHECK(pj["return_value"] == 3);
}
