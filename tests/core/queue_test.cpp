// Queue inspection and removal (docs/redis-layout.md 1.3, 3.14).
#include "rqcpp/queue.hpp"

#include <catch2/catch.hpp>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"

using namespace rqcpp;

TEST_CASE("count, job_ids and jobs follow RQ's get_jobs", "[queue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "q");
  Job a = q.enqueue("lib:f", 1);
  Job b = q.enqueue("lib:f", 2);
  Job d = q.enqueue("lib:f", 3);
  CHECK(q.key() == "rq:queue:q");
  CHECK(q.count() == 3);
  CHECK(q.job_ids() == std::vector<std::string>{a.id(), b.id(), d.id()});
  CHECK(q.job_ids(1, 1) == std::vector<std::string>{b.id()});
  CHECK(q.job_ids(1) == std::vector<std::string>{b.id(), d.id()});
  CHECK(q.job_ids(0, 0).empty());

  // A dangling id still counts, but jobs() LREMs it; a foreign origin is skipped.
  c.command({"RPUSH", "rq:queue:q", "ghost"});
  c.command({"HSET", "rq:job:" + d.id(), "origin", "elsewhere"});
  CHECK(q.count() == 4);
  auto jobs = q.jobs();
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].id() == a.id());
  CHECK(jobs[1].id() == b.id());
  CHECK(q.job_ids() == std::vector<std::string>{a.id(), b.id(), d.id()});

  CHECK(q.fetch_job(a.id()));
  CHECK_FALSE(q.fetch_job(d.id()));
  c.command({"RPUSH", "rq:queue:q", "ghost2"});
  CHECK_FALSE(q.fetch_job("ghost2"));
  CHECK(q.count() == 3);
}

TEST_CASE("empty() removes queued ids and their hashes, as RQ's script", "[queue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "e");
  Job a = q.enqueue("lib:f", 1);
  Job b = q.enqueue("lib:f", 2);
  c.command({"SADD", "rq:job:" + a.id() + ":dependents", "x"});
  c.command({"SADD", "rq:job::" + a.id() + ":dependencies", "y"});
  c.command({"XADD", "rq:results:" + a.id(), "*", "type", "1"});
  CHECK(q.empty() == 2);
  CHECK(q.count() == 0);
  CHECK(c.command({"EXISTS", "rq:job:" + a.id(), "rq:job:" + b.id()}).integer() == 0);
  CHECK(c.command({"EXISTS", "rq:job:" + a.id() + ":dependents"}).integer() == 0);
  // Left alone, as RQ leaves them.
  CHECK(c.command({"EXISTS", "rq:job::" + a.id() + ":dependencies"}).integer() == 1);
  CHECK(c.command({"EXISTS", "rq:results:" + a.id()}).integer() == 1);
  CHECK(c.command({"SISMEMBER", "rq:queues", "rq:queue:e"}).integer() == 1);
  CHECK(q.empty() == 0);
}

TEST_CASE("remove() deletes the queue and its rq:queues entry", "[queue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue keep(c, "keep");
  keep.enqueue("lib:f");
  Queue q(c, "gone");
  Job a = q.enqueue("lib:f");
  c.command({"ZADD", "rq:failed:gone", "1", "x"});
  q.remove(false);
  CHECK(c.command({"EXISTS", "rq:queue:gone"}).integer() == 0);
  CHECK(c.command({"SMEMBERS", "rq:queues"}).strings() ==
        std::vector<std::string>{"rq:queue:keep"});
  CHECK(c.command({"EXISTS", "rq:job:" + a.id()}).integer() == 1);  // jobs kept
  CHECK(c.command({"EXISTS", "rq:failed:gone"}).integer() == 1);    // registries kept

  Job b = q.enqueue("lib:f");
  q.remove();
  CHECK(c.command({"EXISTS", "rq:job:" + b.id(), "rq:queue:gone"}).integer() == 0);
  CHECK(c.command({"SISMEMBER", "rq:queues", "rq:queue:gone"}).integer() == 0);
  CHECK(keep.count() == 1);
}
