// clean_registries (docs/redis-layout.md 3.4, 3.10, 3.12 plus rqcpp's dead-worker rule)
// and clean_worker_registry (1.5, 5).
#include "rqcpp/maintenance.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/queue.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;

namespace {

std::map<std::string, std::string> hash_of(Connection& c, const std::string& id) {
  return c.checked({"HGETALL", "rq:job:" + id}).hash();
}

// What take_finish.lua leaves for a started job: status, worker_name, no TTL, a
// deadline score in rq:wip.
Job start(Connection& c, Queue& q, const std::string& worker, long long deadline,
          EnqueueOptions o = {}) {
  Job job = q.enqueue_call("lib:f", Args(), o);
  c.checked({"LREM", q.key(), "1", job.id()});
  c.checked({"HSET", "rq:job:" + job.id(), "status", "started", "worker_name", worker, "started_at",
             now_timestamp()});
  c.checked({"ZADD", "rq:wip:" + q.name(), std::to_string(deadline), job.id()});
  return job;
}

void live_worker(Connection& c, const std::string& name) {
  c.checked({"HSET", "rq:worker:" + name, "state", "busy", "queues", "mq"});
  c.checked({"EXPIRE", "rq:worker:" + name, "90"});
}

std::string exc_info_text(Connection& c, const std::string& id) {
  return zlib_decompress(hash_of(c, id)["exc_info"]);
}

std::string python_exc_info(const std::string& url, const std::string& id) {
  auto r = test::run({RQCPP_TEST_PYTHON, RQCPP_CORE_PYTHON_PEER, "exc_info", url, id});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("clean_registries drops expired finished and failed entries, under its lock",
          "[maintenance]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  auto now = now_seconds();
  c.checked({"ZADD", "rq:finished:mq", std::to_string(now - 5), "old", std::to_string(now + 500),
             "new", "+inf", "forever"});
  c.checked({"ZADD", "rq:failed:mq", std::to_string(now - 1), "old", "-1", "kept",
             std::to_string(now + 100), "new"});

  CleanReport r = clean_registries(c, "mq");
  CHECK(r.ran);
  CHECK(r.finished_removed == 1);
  CHECK(r.failed_removed == 1);
  CHECK(c.checked({"ZRANGE", "rq:finished:mq", "0", "-1"}).strings() ==
        std::vector<std::string>{"new", "forever"});
  CHECK(c.checked({"ZRANGE", "rq:failed:mq", "0", "-1"}).strings() ==
        std::vector<std::string>{"kept", "new"});
  CHECK(c.checked({"GET", "rq:clean_registries:mq"}).str() == "1");
  auto ttl = c.checked({"TTL", "rq:clean_registries:mq"}).integer();
  CHECK(ttl > 890);
  CHECK(ttl <= 899);

  // Held lock: nothing happens; without the lock (rq info): cleans anyway.
  c.checked({"ZADD", "rq:finished:mq", std::to_string(now - 5), "old2"});
  CleanReport skipped = clean_registries(c, "mq");
  CHECK_FALSE(skipped.ran);
  CHECK(c.checked({"ZCARD", "rq:finished:mq"}).integer() == 3);
  CleanReport forced = clean_registries(c, "mq", CleanLock::kIgnore);
  CHECK(forced.ran);
  CHECK(forced.finished_removed == 1);

  // A shorter lock (rqworker: --maintenance-interval - 1) expires by itself.
  CleanReport short_lock = clean_registries(c, "mq2", CleanLock::kAcquire, std::chrono::seconds(1));
  CHECK(short_lock.ran);
  CHECK(c.checked({"PTTL", "rq:clean_registries:mq2"}).integer() <= 1000);
  CHECK_FALSE(clean_registries(c, "mq2", CleanLock::kAcquire, std::chrono::seconds(1)).ran);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(clean_registries(c, "mq2", CleanLock::kAcquire, std::chrono::seconds(1)).ran);
  CHECK_THROWS_AS(clean_registries(c, "mq2", CleanLock::kAcquire, std::chrono::seconds(0)),
                  std::invalid_argument);
}

TEST_CASE("an abandoned job past its deadline is failed as RQ does", "[maintenance]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mq");
  live_worker(c, "w1");
  auto now = now_seconds();
  Job expired = start(c, q, "w1", now - 1);
  EnqueueOptions forever;
  forever.failure_ttl = -1;
  Job kept = start(c, q, "w1", now - 10, forever);
  Job running = start(c, q, "w1", now + 90);
  c.checked({"ZADD", "rq:wip:mq", std::to_string(now - 1), "hash-is-gone"});

  CleanReport r = clean_registries(c, "mq", CleanLock::kIgnore);
  std::sort(r.failed.begin(), r.failed.end());
  std::vector<std::string> expected = {expired.id(), kept.id()};
  std::sort(expected.begin(), expected.end());
  CHECK(r.failed == expected);
  CHECK(r.retried.empty());

  auto h = hash_of(c, expired.id());
  CHECK(h["status"] == "failed");
  CHECK_THAT(exc_info_text(c, expired.id()), Catch::StartsWith("Moved to FailedJobRegistry at 20"));
  CHECK(test::hex(h["exc_info"]).substr(0, 5) == "78 9c");  // compressed as RQ does
  auto ttl = c.checked({"TTL", "rq:job:" + expired.id()}).integer();
  CHECK(ttl > 31536000 - 10);
  auto score = c.checked({"ZSCORE", "rq:failed:mq", expired.id()}).integer();
  CHECK(score >= now + 31536000);
  CHECK(c.checked({"XLEN", "rq:results:" + expired.id()}).integer() == 0);  // no result entry

  CHECK(c.checked({"ZSCORE", "rq:failed:mq", kept.id()}).integer() == -1);
  CHECK(c.checked({"TTL", "rq:job:" + kept.id()}).integer() == -1);

  CHECK(c.checked({"ZRANGE", "rq:wip:mq", "0", "-1"}).strings() ==
        std::vector<std::string>{running.id()});
  CHECK(hash_of(c, running.id())["status"] == "started");
}

TEST_CASE("an abandoned job with retries left is retried by the 3.10 rule", "[maintenance]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mq");
  auto now = now_seconds();
  EnqueueOptions now_retry;
  now_retry.retry = Retry{2, {0}};
  Job again = start(c, q, "w1", now - 1, now_retry);
  EnqueueOptions later_retry;
  later_retry.retry = Retry{3, {5, 7}};  // retries_left 3 > 2 intervals: the first is used
  Job later = start(c, q, "w1", now - 1, later_retry);
  live_worker(c, "w1");

  CleanReport r = clean_registries(c, "mq", CleanLock::kIgnore);
  CHECK(r.failed.empty());
  CHECK(r.retried.size() == 2);

  auto a = hash_of(c, again.id());
  CHECK(a["status"] == "queued");
  CHECK(a["retries_left"] == "1");
  CHECK(parse_timestamp(a["enqueued_at"]));
  CHECK(q.job_ids() == std::vector<std::string>{again.id()});

  auto l = hash_of(c, later.id());
  CHECK(l["status"] == "scheduled");
  CHECK(l["retries_left"] == "2");
  auto score = c.checked({"ZSCORE", "rq:scheduled:mq", later.id()}).integer();
  CHECK(score >= now + 5);
  CHECK(score <= now_seconds() + 5);
  CHECK(c.checked({"ZCARD", "rq:wip:mq"}).integer() == 0);
  CHECK(c.checked({"ZCARD", "rq:failed:mq"}).integer() == 0);
}

TEST_CASE("a started job whose worker is gone is abandoned before its deadline", "[maintenance]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mq");
  auto future = now_seconds() + 90;
  live_worker(c, "alive");
  live_worker(c, "stopped");
  c.checked({"HSET", "rq:worker:stopped", "death", now_timestamp()});
  Job healthy = start(c, q, "alive", future);
  Job orphan = start(c, q, "vanished", future);
  Job left = start(c, q, "stopped", future);
  EnqueueOptions retry;
  retry.retry = Retry{1, {0}};
  Job retried = start(c, q, "vanished", future, retry);
  // Past its deadline too (the worker key and the deadline share one TTL):
  // the dead worker is still named.
  Job overdue = start(c, q, "vanished", now_seconds() - 1);

  CleanReport r = clean_registries(c, "mq", CleanLock::kIgnore);
  CHECK(r.retried == std::vector<std::string>{retried.id()});
  std::sort(r.failed.begin(), r.failed.end());
  std::vector<std::string> expected = {orphan.id(), left.id(), overdue.id()};
  std::sort(expected.begin(), expected.end());
  CHECK(r.failed == expected);

  CHECK(hash_of(c, orphan.id())["status"] == "failed");
  CHECK_THAT(exc_info_text(c, orphan.id()),
             Catch::StartsWith("Moved to FailedJobRegistry at ") &&
                 Catch::EndsWith(": worker vanished died (heartbeat expired)"));
  CHECK_THAT(exc_info_text(c, left.id()), Catch::EndsWith(": worker stopped has shut down"));
  CHECK_THAT(exc_info_text(c, overdue.id()),
             Catch::EndsWith(": worker vanished died (heartbeat expired)"));
  CHECK(c.checked({"ZSCORE", "rq:failed:mq", orphan.id()}).integer() > future);
  CHECK(hash_of(c, retried.id())["status"] == "queued");
  CHECK(q.job_ids() == std::vector<std::string>{retried.id()});
  CHECK(c.checked({"ZRANGE", "rq:wip:mq", "0", "-1"}).strings() ==
        std::vector<std::string>{healthy.id()});

  // rqcpp's reader and Python RQ both read the text (stored zlib blocks).
  CHECK(Job::fetch(c, orphan.id()).exc_info() == exc_info_text(c, orphan.id()));
  CHECK(python_exc_info(redis.url(), orphan.id()) == exc_info_text(c, orphan.id()) + "\n");
}

TEST_CASE("clean_worker_registry drops workers whose hash is gone", "[maintenance]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  live_worker(c, "alive");
  c.checked({"SADD", "rq:workers:mq", "rq:worker:alive", "rq:worker:gone"});
  c.checked({"SADD", "rq:workers", "rq:worker:alive", "rq:worker:gone", "rq:worker:other"});
  CHECK(clean_worker_registry(c, "mq") == 1);
  CHECK(c.checked({"SMEMBERS", "rq:workers:mq"}).strings() ==
        std::vector<std::string>{"rq:worker:alive"});
  auto all = c.checked({"SMEMBERS", "rq:workers"}).strings();
  std::sort(all.begin(), all.end());
  CHECK(all == std::vector<std::string>{"rq:worker:alive", "rq:worker:other"});
  CHECK(clean_worker_registry(c, "mq") == 0);
}
