// enqueue_at / enqueue_in (docs/redis-layout.md 3.3) and the Scheduler (1.8, 3.3): locks,
// due-job moves, timing.
#include "rqcpp/scheduler.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"

using namespace rqcpp;
using namespace std::chrono_literals;

namespace {

std::map<std::string, std::string> hash_of(Connection& c, const std::string& id) {
  return c.checked({"HGETALL", "rq:job:" + id}).hash();
}

}  // namespace

TEST_CASE("enqueue_at writes a scheduled job as RQ does", "[scheduler]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "sq");
  auto when = Clock::now() + 1h;
  Job job = q.enqueue_at(when, "lib:add", 1, 2);

  CHECK(job.status() == JobStatus::kScheduled);
  CHECK_FALSE(job.enqueued_at());
  auto h = hash_of(c, job.id());
  CHECK(h["status"] == "scheduled");
  CHECK(h.count("enqueued_at") == 0);
  CHECK(h.count("enqueue_at_front") == 0);
  CHECK(h["origin"] == "sq");
  CHECK(h["description"] == "lib:add(1, 2)");
  CHECK(h["timeout"] == "180");
  // Score: integer Unix seconds of the run time; nothing queued.
  CHECK(c.checked({"ZSCORE", "rq:scheduled:sq", job.id()}).integer() == unix_seconds(when));
  CHECK(q.count() == 0);
  CHECK(c.checked({"SISMEMBER", "rq:queues", "rq:queue:sq"}).integer() == 1);
  CHECK(c.checked({"TTL", "rq:job:" + job.id()}).integer() == -1);

  // enqueue_in, at_front, ttl (not applied before the move).
  EnqueueOptions o;
  o.at_front = true;
  o.ttl = 300;
  auto before = now_seconds();
  Job in = q.enqueue_call_in(90s, "lib:add", Args::of(3), o);
  auto score = c.checked({"ZSCORE", "rq:scheduled:sq", in.id()}).integer();
  CHECK(score >= before + 90);
  CHECK(score <= now_seconds() + 90);
  auto hi = hash_of(c, in.id());
  CHECK(hi["enqueue_at_front"] == "1");
  CHECK(hi["ttl"] == "300");
  CHECK(c.checked({"TTL", "rq:job:" + in.id()}).integer() == -1);

  o = {};
  o.depends_on = {job.id()};
  CHECK_THROWS_AS(q.enqueue_call_at(when, "lib:add", Args(), o), std::invalid_argument);
  CHECK_THROWS_AS(q.enqueue_at(when, "no-colon"), std::invalid_argument);
}

TEST_CASE("two schedulers: exactly one holds each queue's lock", "[scheduler]") {
  test::RedisServer redis;
  Connection c1 = Connection::open(redis.url());
  Connection c2 = Connection::open(redis.url());
  SchedulerOptions o1, o2;
  o1.lock_value = "1111";
  o2.lock_value = "2222";
  o2.lock_retry = 0ms;  // retries on every pass
  Scheduler first(c1, {"a", "b"}, o1);
  Scheduler second(c2, {"b", "c"}, o2);

  first.run_once();
  second.run_once();
  CHECK(first.held_queues() == std::vector<std::string>{"a", "b"});
  CHECK(second.held_queues() == std::vector<std::string>{"c"});
  CHECK(c1.checked({"GET", "rq:scheduler-lock:a"}).str() == "1111");
  CHECK(c1.checked({"GET", "rq:scheduler-lock:b"}).str() == "1111");
  CHECK(c1.checked({"GET", "rq:scheduler-lock:c"}).str() == "2222");
  auto ttl = c1.checked({"TTL", "rq:scheduler-lock:b"}).integer();
  CHECK(ttl > 55);
  CHECK(ttl <= 61);

  // Both keep running: nothing changes hands, and each pass refreshes the TTL.
  c1.checked({"EXPIRE", "rq:scheduler-lock:b", "10"});
  for (int i = 0; i < 3; ++i) {
    second.run_once();
    first.run_once();
  }
  CHECK(first.held_queues() == std::vector<std::string>{"a", "b"});
  CHECK(second.held_queues() == std::vector<std::string>{"c"});
  CHECK(c1.checked({"TTL", "rq:scheduler-lock:b"}).integer() > 55);

  // A job due on b is moved once, by the holder only.
  Queue b(c1, "b");
  Job job = b.enqueue_at(Clock::now() - 1s, "lib:f");
  CHECK(second.run_once() == 0);
  CHECK(first.run_once() == 1);
  CHECK(b.job_ids() == std::vector<std::string>{job.id()});

  // release() drops only our locks; the other scheduler then takes b.
  first.release();
  CHECK(first.held_queues().empty());
  CHECK(c1.checked({"EXISTS", "rq:scheduler-lock:a"}).integer() == 0);
  CHECK(c1.checked({"GET", "rq:scheduler-lock:c"}).str() == "2222");
  second.run_once();
  CHECK(second.held_queues() == std::vector<std::string>{"b", "c"});

  // A lock that lapsed and was taken by another process is noticed, not
  // refreshed, and not released by us.
  c1.checked({"SET", "rq:scheduler-lock:c", "9999"});
  Job on_c = Queue(c1, "c").enqueue_at(Clock::now() - 1s, "lib:f");
  second.run_once();
  CHECK(second.held_queues() == std::vector<std::string>{"b"});
  CHECK(c1.checked({"LLEN", "rq:queue:c"}).integer() == 0);
  second.release();
  CHECK(c1.checked({"GET", "rq:scheduler-lock:c"}).str() == "9999");
  CHECK(c1.checked({"EXISTS", "rq:scheduler-lock:b"}).integer() == 0);
  (void)on_c;
}

TEST_CASE("unheld locks are retried after lock_retry; the default value is the pid",
          "[scheduler]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  c.checked({"SET", "rq:scheduler-lock:q", "other", "EX", "61"});
  SchedulerOptions o;
  o.lock_retry = 300ms;
  {
    Scheduler s(c, {"q"}, o);
    CHECK(s.lock_value() == std::to_string(::getpid()));
    s.run_once();
    CHECK(s.held_queues().empty());
    c.checked({"DEL", "rq:scheduler-lock:q"});
    s.run_once();  // retry not due yet
    CHECK(s.held_queues().empty());
    CHECK(c.checked({"EXISTS", "rq:scheduler-lock:q"}).integer() == 0);
    std::this_thread::sleep_for(350ms);
    s.run_once();
    CHECK(s.held_queues() == std::vector<std::string>{"q"});
    CHECK(c.checked({"GET", "rq:scheduler-lock:q"}).str() == std::to_string(::getpid()));
  }
  // The destructor released it.
  CHECK(c.checked({"EXISTS", "rq:scheduler-lock:q"}).integer() == 0);

  // acquire_locks() ignores the retry time and moves nothing.
  Queue q(c, "q");
  q.enqueue_at(Clock::now() - 1s, "lib:f");
  c.checked({"SET", "rq:scheduler-lock:q", "other", "EX", "61"});
  Scheduler s(c, {"q"}, o);
  CHECK(s.acquire_locks() == 0);
  c.checked({"DEL", "rq:scheduler-lock:q"});
  CHECK(s.acquire_locks() == 1);
  CHECK(q.count() == 0);
  CHECK(s.run_once() == 1);

  CHECK_THROWS_AS(Scheduler(c, {}), std::invalid_argument);
  CHECK_THROWS_AS(Scheduler(c, {""}), std::invalid_argument);
}

TEST_CASE("a due job is moved into its queue as RQ's enqueue_job does", "[scheduler]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mq");
  Job plain = q.enqueue("lib:first");
  EnqueueOptions front;
  front.at_front = true;
  front.ttl = 500;
  Job at_front = q.enqueue_call_at(Clock::now() - 2s, "lib:front", Args(), front);
  Job back = q.enqueue_at(Clock::now() - 2s, "lib:back");
  Job later = q.enqueue_at(Clock::now() + 1h, "lib:later");
  c.checked({"ZADD", "rq:scheduled:mq", "1", "hash-is-gone"});

  Scheduler s(c, {"mq"});
  auto before = Clock::now();
  CHECK(s.run_once() == 2);
  CHECK(q.job_ids() == std::vector<std::string>{at_front.id(), plain.id(), back.id()});
  auto scheduled = c.checked({"ZRANGE", "rq:scheduled:mq", "0", "-1"}).strings();
  CHECK(scheduled == std::vector<std::string>{later.id()});
  auto h = hash_of(c, back.id());
  CHECK(h["status"] == "queued");
  auto enqueued = parse_timestamp(h["enqueued_at"]);
  REQUIRE(enqueued);
  CHECK(*enqueued >= before - 1ms);
  // The job's ttl starts counting when it is queued.
  auto ttl = c.checked({"TTL", "rq:job:" + at_front.id()}).integer();
  CHECK(ttl > 490);
  CHECK(ttl <= 500);
  CHECK(c.checked({"TTL", "rq:job:" + back.id()}).integer() == -1);
  CHECK(s.run_once() == 0);
}

TEST_CASE("a job scheduled 1 s ahead is moved within a second of its time", "[scheduler]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "tq");
  Scheduler s(c, {"tq"});
  REQUIRE(s.acquire_locks() == 1);

  const auto when = Clock::now() + 1s;
  Job job = q.enqueue_at(when, "lib:f");
  // RQ's scores are whole seconds: the job is due from the start of its second.
  const auto due = Clock::time_point(std::chrono::seconds(unix_seconds(when)));
  std::optional<Clock::time_point> moved_at;
  const auto give_up = Clock::now() + 3s;
  while (!moved_at && Clock::now() < give_up) {
    auto pass_start = Clock::now();
    if (s.run_once() == 1) {
      moved_at = pass_start;
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }
  REQUIRE(moved_at);
  CHECK(*moved_at >= due - 25ms);  // never before its second (20 ms loop granularity)
  CHECK(*moved_at - when < 1s);
  CHECK(when - *moved_at < 1s);
  CHECK(q.job_ids() == std::vector<std::string>{job.id()});
}

TEST_CASE("Python RQ sees a job scheduled by rqcpp and the scheduler's pid",
          "[scheduler][python]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "pys");
  EnqueueOptions o;
  o.at_front = true;
  const auto when = Clock::now() + 1h;
  Job job = q.enqueue_call_at(when, "mylib:add", Args::of(2, 3), o);
  Scheduler s(c, {"pys"});
  s.acquire_locks();

  auto r = test::run({RQCPP_TEST_PYTHON, RQCPP_CORE_PYTHON_PEER, "scheduled", redis.url(), "pys"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto out = nlohmann::json::parse(r.out);
  INFO(out.dump());
  REQUIRE(out["jobs"].size() == 1);
  CHECK(out["jobs"][0]["id"] == job.id());
  CHECK(out["jobs"][0]["status"] == "scheduled");
  CHECK(out["jobs"][0]["at"].get<double>() == static_cast<double>(unix_seconds(when)));
  CHECK(out["jobs"][0]["enqueue_at_front"] == true);
  CHECK(out["scheduler_pid"] == ::getpid());
  CHECK(out["queues"] == nlohmann::json::array({"pys"}));
}
