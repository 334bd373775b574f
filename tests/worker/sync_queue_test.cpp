// SyncQueue (RQ's is_async=False): the job runs in the calling process and
// Redis ends up as a worker would leave it.
#include "rqcpp/worker/sync_queue.hpp"

#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

TEST_CASE("SyncQueue runs a job in-process and records it like a worker", "[worker][sync]") {
  WorkerFixture f;
  SyncQueue q(f.conn, "syncq", plugin_dir());
  Job j = q.enqueue("builtin:add", 40, 2);
  CHECK(j.status() == JobStatus::kFinished);
  CHECK(j.result<long long>() == 42);
  CHECK(j.worker_name() == "sync");
  CHECK(f.conn.checked({"LLEN", keys::queue("syncq")}).integer() == 0);
  CHECK(f.zscore(keys::finished("syncq"), j.id()).has_value());
  CHECK_FALSE(f.zscore(keys::started("syncq"), j.id()).has_value());
  CHECK(f.conn.checked({"XLEN", keys::results(j.id())}).integer() == 1);
  CHECK(f.ttl(keys::job(j.id())) > 490);
  CHECK_FALSE(f.exists(keys::worker("sync")));  // no worker hash
  CHECK(f.hget(keys::job(j.id()), "ended_at") != "");
  // It is the calling process that ran it.
  Job pid = q.enqueue("builtin:getpid");
  CHECK(pid.result<long long>() == static_cast<long long>(::getpid()));
}

TEST_CASE("SyncQueue failures, retries and dependents", "[worker][sync]") {
  WorkerFixture f;
  SyncQueue q(f.conn, "syncf", plugin_dir());
  Job failed = q.enqueue("builtin:fail", std::string("nope"));
  CHECK(failed.status() == JobStatus::kFailed);
  CHECK(f.zscore(keys::failed("syncf"), failed.id()).has_value());
  CHECK(f.exc_info(failed.id()).find("ValueError: nope") != std::string::npos);

  EnqueueOptions retry;
  retry.retry = Retry{1, {0}};
  Job retried = q.enqueue_with(retry, "builtin:fail", std::string("again"));
  CHECK(retried.status() == JobStatus::kQueued);  // re-enqueued for a worker
  CHECK(retried.retries_left() == 0);
  CHECK(f.conn.checked({"XLEN", keys::results(retried.id())}).integer() == 0);

  Queue plain(f.conn, "syncf");
  Job parent = plain.enqueue("builtin:add", 1, 1);
  EnqueueOptions dep;
  dep.depends_on = {parent.id()};
  Job child = q.enqueue_with(dep, "builtin:add", 2, 2);
  CHECK(child.status() == JobStatus::kDeferred);  // not run: its parent has not finished

  Job missing = q.enqueue("nosuchlib:f");
  CHECK(missing.status() == JobStatus::kFailed);
  CHECK(f.exc_info(missing.id()).find("PluginError") != std::string::npos);
}
