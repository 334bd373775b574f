// cancel, requeue, delete (docs/redis-layout.md 3.14) and dependencies_status (3.2, 3.13).
#include <algorithm>
#include <catch2/catch.hpp>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::hex;

namespace {

std::map<std::string, std::string> hash_of(Connection& c, const std::string& id) {
  return c.checked({"HGETALL", "rq:job:" + id}).hash();
}

bool in_zset(Connection& c, const std::string& key, const std::string& id) {
  return !c.checked({"ZSCORE", key, id}).is_nil();
}

// What a worker leaves behind for a failed job (docs/redis-layout.md 3.9).
void mark_failed(Connection& c, const std::string& q, const std::string& id) {
  c.checked({"LREM", "rq:queue:" + q, "1", id});
  c.checked({"HSET", "rq:job:" + id, "status", "failed", "started_at",
             "2026-01-01T00:00:00.000000Z", "ended_at", "2026-01-01T00:00:01.000000Z"});
  c.checked({"EXPIRE", "rq:job:" + id, "31536000"});
  c.checked({"ZADD", "rq:failed:" + q, std::to_string(now_seconds() + 31536000), id});
}

EnqueueOptions depends(std::vector<std::string> ids) {
  EnqueueOptions o;
  o.depends_on = std::move(ids);
  return o;
}

}  // namespace

TEST_CASE("cancel: status canceled, out of the queue and registry, into canceled", "[operations]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "cq");
  Job a = q.enqueue("lib:a");
  Job b = q.enqueue("lib:b");
  auto before = now_seconds();
  a.cancel();
  CHECK(a.status() == JobStatus::kCanceled);
  CHECK(hash_of(c, a.id())["status"] == "canceled");
  CHECK(q.job_ids() == std::vector<std::string>{b.id()});
  auto score = c.checked({"ZSCORE", "rq:canceled:cq", a.id()}).integer();
  CHECK(score >= before);
  CHECK(score <= now_seconds());
  CHECK(c.checked({"TTL", "rq:job:" + a.id()}).integer() == -1);

  CHECK_THROWS_AS(a.cancel(), InvalidJobOperation);
  Job stale = Job::fetch(c, b.id());
  b.cancel();
  CHECK_THROWS_AS(stale.cancel(), InvalidJobOperation);  // Redis state decides, not the snapshot

  // A started job leaves rq:wip; a scheduled one rq:scheduled; a deferred one rq:deferred.
  Job started = q.enqueue("lib:s");
  c.checked({"LREM", "rq:queue:cq", "1", started.id()});
  c.checked({"HSET", "rq:job:" + started.id(), "status", "started", "worker_name", "w"});
  c.checked({"ZADD", "rq:wip:cq", std::to_string(now_seconds() + 90), started.id()});
  started.cancel();
  CHECK_FALSE(in_zset(c, "rq:wip:cq", started.id()));
  CHECK(in_zset(c, "rq:canceled:cq", started.id()));

  Job sched = q.enqueue_at(Clock::now() + std::chrono::hours(1), "lib:x");
  sched.cancel();
  CHECK_FALSE(in_zset(c, "rq:scheduled:cq", sched.id()));

  Job deferred = q.enqueue_call("lib:d", Args(), depends({started.id()}));
  REQUIRE(deferred.status() == JobStatus::kDeferred);
  deferred.cancel();
  CHECK_FALSE(in_zset(c, "rq:deferred:cq", deferred.id()));
  CHECK(in_zset(c, "rq:canceled:cq", deferred.id()));

  Job gone = Job::from_hash(c, "gone", hash_of(c, a.id()));
  CHECK_THROWS_AS(gone.cancel(), NoSuchJobError);
}

TEST_CASE("cancel with enqueue_dependents releases dependents it no longer blocks",
          "[operations]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "cd");
  Job parent = q.enqueue("lib:parent");
  Job other = q.enqueue("lib:other");
  Job only_child = q.enqueue_call("lib:c1", Args(), depends({parent.id()}));
  Job both_child = q.enqueue_call("lib:c2", Args(), depends({parent.id(), other.id()}));
  REQUIRE(only_child.status() == JobStatus::kDeferred);

  parent.cancel(true);
  CHECK(hash_of(c, only_child.id())["status"] == "queued");
  CHECK(hash_of(c, both_child.id())["status"] == "deferred");
  CHECK(q.job_ids() == std::vector<std::string>{other.id(), only_child.id()});
  CHECK_FALSE(in_zset(c, "rq:deferred:cd", only_child.id()));
  CHECK(c.checked({"SMEMBERS", "rq:job:" + parent.id() + ":dependents"}).strings() ==
        std::vector<std::string>{both_child.id()});

  // Without enqueue_dependents they stay deferred.
  Job p2 = q.enqueue("lib:p2");
  Job c3 = q.enqueue_call("lib:c3", Args(), depends({p2.id()}));
  p2.cancel();
  CHECK(hash_of(c, c3.id())["status"] == "deferred");
}

TEST_CASE("requeue: a failed job goes back to its queue as RQ does it", "[operations]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "rq1");
  Job first = q.enqueue("lib:first");
  Job job = q.enqueue("lib:f");
  mark_failed(c, "rq1", job.id());
  c.checked({"HSET", "rq:job:" + job.id(), "exc_info", "old"});
  job.refresh();

  auto before = Clock::now();
  job.requeue(true);
  CHECK(job.status() == JobStatus::kQueued);
  auto h = hash_of(c, job.id());
  CHECK(h["status"] == "queued");
  CHECK(h["started_at"].empty());
  CHECK(h["ended_at"].empty());
  CHECK(hex(h["exc_info"]) == "78 9c 03 00 00 00 00 01");  // zlib.compress(b"")
  auto enqueued = parse_timestamp(h["enqueued_at"]);
  REQUIRE(enqueued);
  CHECK(*enqueued >= before - std::chrono::milliseconds(1));
  CHECK(q.job_ids() == std::vector<std::string>{job.id(), first.id()});  // at_front
  CHECK_FALSE(in_zset(c, "rq:failed:rq1", job.id()));
  CHECK(c.checked({"TTL", "rq:job:" + job.id()}).integer() > 0);  // the failure TTL stays

  // Not in the failed registry any more: refused, nothing changed.
  CHECK_THROWS_AS(job.requeue(), InvalidJobOperation);
  CHECK_THROWS_AS(q.requeue_failed(first.id()), InvalidJobOperation);
  CHECK(q.job_ids() == std::vector<std::string>{job.id(), first.id()});
  CHECK_THROWS_AS(q.requeue_failed("no-such-job"), NoSuchJobError);

  // Queue-level, by id: pushed to the back.
  mark_failed(c, "rq1", first.id());
  q.requeue_failed(first.id());
  CHECK(q.job_ids() == std::vector<std::string>{job.id(), first.id()});
  CHECK(hash_of(c, first.id())["status"] == "queued");
}

TEST_CASE("requeue_all_failed requeues every failed job of the queue", "[operations]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "ra");
  std::vector<std::string> ids;
  for (int i = 0; i < 1005; ++i) ids.push_back(q.enqueue("lib:f", i).id());
  for (const auto& id : ids) mark_failed(c, "ra", id);
  c.checked({"ZADD", "rq:failed:ra", "5", "hash-is-gone"});
  REQUIRE(q.count() == 0);

  CHECK(q.requeue_all_failed() == 1005);
  CHECK(q.count() == 1005);
  CHECK(c.checked({"ZCARD", "rq:failed:ra"}).integer() == 0);
  CHECK(hash_of(c, ids[1004])["status"] == "queued");
  CHECK(q.requeue_all_failed() == 0);
}

TEST_CASE("remove deletes the job and, optionally, its dependents", "[operations]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "dq");
  Job keep = q.enqueue("lib:keep");
  Job job = q.enqueue("lib:f");
  Job child = q.enqueue_call("lib:child", Args(), depends({job.id()}));
  c.checked({"XADD", "rq:results:" + job.id(), "*", "type", "1"});

  CHECK(job.remove() == 1);
  CHECK(c.checked({"EXISTS", "rq:job:" + job.id(), "rq:job:" + job.id() + ":dependents",
                   "rq:job::" + job.id() + ":dependencies"})
            .integer() == 0);
  CHECK(q.job_ids() == std::vector<std::string>{keep.id()});
  CHECK(c.checked({"EXISTS", "rq:results:" + job.id()}).integer() == 1);  // RQ keeps results
  CHECK(hash_of(c, child.id())["status"] == "deferred");
  CHECK(job.remove() == 0);

  // With dependents: the deferred child leaves rq:deferred and is deleted too.
  Job parent = q.enqueue("lib:p");
  Job c1 = q.enqueue_call("lib:c1", Args(), depends({parent.id()}));
  Job c2 = q.enqueue_call("lib:c2", Args(), depends({parent.id()}));
  c.checked({"HSET", "rq:job:" + parent.id(), "status", "failed"});
  c.checked({"LREM", "rq:queue:dq", "1", parent.id()});
  c.checked({"ZADD", "rq:failed:dq", "100", parent.id()});
  parent.refresh();
  CHECK(parent.remove(true) == 3);
  CHECK_FALSE(in_zset(c, "rq:failed:dq", parent.id()));
  CHECK_FALSE(in_zset(c, "rq:deferred:dq", c1.id()));
  CHECK_FALSE(in_zset(c, "rq:deferred:dq", c2.id()));
  CHECK(c.checked({"EXISTS", "rq:job:" + c1.id(), "rq:job:" + c2.id()}).integer() == 0);
  CHECK(in_zset(c, "rq:deferred:dq", child.id()));  // another parent's dependent is untouched

  // A finished job leaves rq:finished.
  Job done = q.enqueue("lib:done");
  c.checked({"HSET", "rq:job:" + done.id(), "status", "finished"});
  c.checked({"ZADD", "rq:finished:dq", "100", done.id()});
  CHECK(done.remove() == 1);
  CHECK_FALSE(in_zset(c, "rq:finished:dq", done.id()));
}

TEST_CASE("dependencies_status says which dependency a deferred job waits for", "[operations]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "ds");
  Job done = q.enqueue("lib:done");
  Job failed = q.enqueue("lib:failed");
  Job running = q.enqueue("lib:running");
  Job gone = q.enqueue("lib:gone");
  c.checked({"HSET", "rq:job:" + running.id(), "status", "started"});
  Job child = q.enqueue_call("lib:child", Args(),
                             depends({done.id(), failed.id(), running.id(), gone.id()}));
  c.checked({"HSET", "rq:job:" + done.id(), "status", "finished"});
  c.checked({"HSET", "rq:job:" + failed.id(), "status", "failed"});
  c.checked({"DEL", "rq:job:" + gone.id()});

  auto deps = child.dependencies_status();
  REQUIRE(deps.size() == 4);
  CHECK(deps[0].id == done.id());
  CHECK(deps[0].status == JobStatus::kFinished);
  CHECK(deps[0].met);
  CHECK(deps[1].status == JobStatus::kFailed);
  CHECK_FALSE(deps[1].met);
  CHECK(deps[2].status == JobStatus::kStarted);
  CHECK_FALSE(deps[2].met);
  CHECK_FALSE(deps[3].status);
  CHECK(deps[3].met);

  EnqueueOptions allow = depends({failed.id()});
  allow.allow_dependency_failures = true;
  Job tolerant = q.enqueue_call("lib:t", Args(), allow);
  auto t = tolerant.dependencies_status();
  REQUIRE(t.size() == 1);
  CHECK(t[0].met);
  CHECK(done.dependencies_status().empty());
}
