// Job::wait: blocks on rq:results:<id> (docs/redis-layout.md 1.4) on its own connection.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

namespace {

// What take_finish.lua writes for a success or a failure, atomically.
void finish_job(Connection& c, const std::string& id, bool ok) {
  c.append({"MULTI"});
  if (ok) {
    c.append({"HSET", "rq:job:" + id, "status", "finished"});
    c.append({"XADD", "rq:results:" + id, "*", "type", "1", "return_value",
              base64_encode(test::pack(42))});
  } else {
    c.append({"HSET", "rq:job:" + id, "status", "failed"});
    c.append({"XADD", "rq:results:" + id, "*", "type", "2", "exc_string",
              base64_encode(zlib_compress("Traceback: boom"))});
  }
  c.append({"EXEC"});
  c.replies();
}

// Runs `fn` on its own connection after `delay`.
std::thread later(const std::string& url, std::chrono::milliseconds delay,
                  std::function<void(Connection&)> fn) {
  return std::thread([url, delay, fn] {
    std::this_thread::sleep_for(delay);
    Connection c = Connection::open(url);
    fn(c);
  });
}

}  // namespace

TEST_CASE("wait returns an existing outcome at once", "[wait]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "wq");
  Job job = q.enqueue("lib:f");
  finish_job(c, job.id(), true);
  auto t0 = Steady::now();
  auto r = job.wait(5s);
  CHECK(Steady::now() - t0 < 500ms);
  REQUIRE(r);
  CHECK(r->type == JobResult::Type::kSuccessful);
  CHECK(r->value == test::pack(42));
  CHECK(job.status() == JobStatus::kFinished);

  Job failed = q.enqueue("lib:g");
  finish_job(c, failed.id(), false);
  auto f = failed.wait(5s);
  REQUIRE(f);
  CHECK(f->type == JobResult::Type::kFailed);
  CHECK(f->exc_string == "Traceback: boom");
}

TEST_CASE("wait blocks until the result entry is written", "[wait]") {
  test::RedisServer redis;
  // The caller's connection has a short command timeout: wait must not block on it.
  Connection c = Connection::open(redis.url(), 200ms);
  Queue q(c, "wq");
  Job job = q.enqueue("lib:f");
  // An entry from an earlier life (e.g. before a requeue) is not the answer.
  c.checked({"XADD", "rq:results:" + job.id(), "*", "type", "2", "exc_string",
             base64_encode(zlib_compress("old"))});
  c.checked({"HSET", "rq:job:" + job.id(), "status", "started"});

  auto writer = later(redis.url(), 400ms, [&](Connection& w) {
    // A retried attempt writes no entry and does not end the wait.
    w.checked({"HSET", "rq:job:" + job.id(), "status", "queued"});
    std::this_thread::sleep_for(100ms);
    w.checked({"HSET", "rq:job:" + job.id(), "status", "started"});
    std::this_thread::sleep_for(100ms);
    finish_job(w, job.id(), true);
  });
  auto t0 = Steady::now();
  auto r = job.wait(10s);
  auto took = Steady::now() - t0;
  writer.join();
  REQUIRE(r);
  CHECK(r->type == JobResult::Type::kSuccessful);
  CHECK(r->value == test::pack(42));
  CHECK(took >= 550ms);
  CHECK(took < 1500ms);
  CHECK(job.status() == JobStatus::kFinished);
  c.checked({"PING"});  // the caller's connection is still fine
}

TEST_CASE("wait times out with nullopt", "[wait]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "wq");
  Job job = q.enqueue("lib:f");
  auto t0 = Steady::now();
  CHECK_FALSE(job.wait(300ms));
  auto took = Steady::now() - t0;
  CHECK(took >= 300ms);
  CHECK(took < 1s);
  CHECK_FALSE(job.wait(0ms));
  CHECK(job.status() == JobStatus::kQueued);
}

TEST_CASE("wait notices ends that write no result entry", "[wait]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "wq");

  SECTION("failed by registry cleanup (abandoned)") {
    Job job = q.enqueue("lib:f");
    auto writer = later(redis.url(), 200ms, [&](Connection& w) {
      w.checked({"HSET", "rq:job:" + job.id(), "status", "failed", "exc_info",
                 zlib_compress("Moved to FailedJobRegistry at 2026-01-01 00:00:00")});
    });
    auto t0 = Steady::now();
    auto r = job.wait(10s);
    writer.join();
    CHECK(Steady::now() - t0 < 2s);
    REQUIRE(r);
    CHECK(r->type == JobResult::Type::kFailed);
    CHECK(r->stream_id.empty());
    CHECK(r->exc_string == "Moved to FailedJobRegistry at 2026-01-01 00:00:00");
    CHECK(job.status() == JobStatus::kFailed);
  }
  SECTION("finished with result_ttl 0: the hash is deleted, no entry") {
    Job job = q.enqueue("lib:f");
    auto writer = later(redis.url(), 200ms, [&](Connection& w) {
      w.checked({"DEL", "rq:job:" + job.id()});
    });
    auto t0 = Steady::now();
    CHECK_FALSE(job.wait(10s));
    writer.join();
    CHECK(Steady::now() - t0 < 2s);
    CHECK_FALSE(job.status());
  }
  SECTION("canceled") {
    Job job = q.enqueue("lib:f");
    auto writer =
        later(redis.url(), 200ms, [&](Connection& w) { Job::fetch(w, job.id()).cancel(); });
    auto t0 = Steady::now();
    CHECK_FALSE(job.wait(10s));
    writer.join();
    CHECK(Steady::now() - t0 < 2s);
    CHECK(job.status() == JobStatus::kCanceled);
  }
}
