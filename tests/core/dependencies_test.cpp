// enqueue with depends_on (docs/redis-layout.md 3.2): deferred when a dependency exists
// and is not finished; a plain enqueue with the dependency fields otherwise.
#include <algorithm>
#include <catch2/catch.hpp>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/queue.hpp"

using namespace rqcpp;

namespace {

EnqueueOptions depends(std::vector<std::string> ids) {
  EnqueueOptions o;
  o.depends_on = std::move(ids);
  return o;
}

}  // namespace

TEST_CASE("a job with an unfinished dependency is deferred", "[dependencies]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "dq");
  Job parent = q.enqueue("lib:parent");
  Job other = q.enqueue("lib:other");
  c.command({"HSET", "rq:job:" + other.id(), "status", "finished"});

  EnqueueOptions o = depends({parent.id(), other.id()});
  o.allow_dependency_failures = true;
  o.enqueue_at_front = true;
  o.ttl = 500;
  auto before = now_seconds();
  Job child = q.enqueue_call("lib:child", Args(), o);

  CHECK(child.status() == JobStatus::kDeferred);
  auto h = c.command({"HGETALL", "rq:job:" + child.id()}).hash();
  CHECK(h["status"] == "deferred");
  CHECK(h.count("enqueued_at") == 0);
  CHECK(h["dependency_id"] == parent.id());
  CHECK(h["dependency_ids"] == "[\"" + parent.id() + "\", \"" + other.id() + "\"]");
  CHECK(h["allow_dependency_failures"] == "1");
  CHECK(h["enqueue_at_front"] == "1");
  CHECK(h["origin"] == "dq");
  CHECK(h["timeout"] == "180");

  // Not queued; registered in the deferred registry with score NOW.
  CHECK(q.job_ids() == std::vector<std::string>{parent.id(), other.id()});
  auto score = c.command({"ZSCORE", "rq:deferred:dq", child.id()}).integer();
  CHECK(score >= before);
  CHECK(score <= now_seconds());
  // Both directions of the dependency, for every dependency.
  CHECK(c.command({"SISMEMBER", "rq:job:" + parent.id() + ":dependents", child.id()}).integer() ==
        1);
  CHECK(c.command({"SISMEMBER", "rq:job:" + other.id() + ":dependents", child.id()}).integer() ==
        1);
  auto deps = c.command({"SMEMBERS", "rq:job::" + child.id() + ":dependencies"}).strings();
  std::sort(deps.begin(), deps.end());
  auto expected = std::vector<std::string>{parent.id(), other.id()};
  std::sort(expected.begin(), expected.end());
  CHECK(deps == expected);
  // ttl expires the hash and both of the job's sets.
  CHECK(c.command({"TTL", "rq:job:" + child.id()}).integer() > 400);
  CHECK(c.command({"TTL", "rq:job::" + child.id() + ":dependencies"}).integer() > 400);
  CHECK(child.dependency_ids() == std::vector<std::string>{parent.id(), other.id()});
}

TEST_CASE("a job whose dependencies are finished or gone is queued at once", "[dependencies]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "dq2");
  Job done = q.enqueue("lib:done");
  c.command({"HSET", "rq:job:" + done.id(), "status", "finished"});
  c.command({"DEL", "rq:queue:dq2"});

  Job child = q.enqueue_call("lib:child", Args(), depends({done.id(), "long-gone"}));
  CHECK(child.status() == JobStatus::kQueued);
  auto h = c.command({"HGETALL", "rq:job:" + child.id()}).hash();
  CHECK(h["status"] == "queued");
  CHECK_FALSE(h["enqueued_at"].empty());
  CHECK(h["dependency_id"] == done.id());
  CHECK(h["dependency_ids"] == "[\"" + done.id() + "\", \"long-gone\"]");
  CHECK(q.job_ids() == std::vector<std::string>{child.id()});
  CHECK(c.command({"EXISTS", "rq:deferred:dq2"}).integer() == 0);
  CHECK(c.command({"EXISTS", "rq:job:" + done.id() + ":dependents"}).integer() == 0);
  CHECK(c.command({"EXISTS", "rq:job::" + child.id() + ":dependencies"}).integer() == 0);
  CHECK(child.dependency_ids() == std::vector<std::string>{done.id(), "long-gone"});
}

TEST_CASE("failed or status-less dependencies defer; deferral does not register the queue",
          "[dependencies]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  c.command({"HSET", "rq:job:failed-dep", "data", "x", "status", "failed"});
  c.command({"HSET", "rq:job:no-status", "data", "x"});
  Queue q(c, "fresh");
  EnqueueOptions o = depends({"failed-dep"});
  o.allow_dependency_failures = true;  // at enqueue only "finished" counts
  CHECK(q.enqueue_call("lib:f", Args(), o).status() == JobStatus::kDeferred);
  CHECK(q.enqueue_call("lib:f", Args(), depends({"no-status"})).status() == JobStatus::kDeferred);
  CHECK(c.command({"EXISTS", "rq:queues"}).integer() == 0);
  CHECK(q.count() == 0);
  CHECK(c.command({"ZCARD", "rq:deferred:fresh"}).integer() == 2);
}
