// enqueue.lua, enqueue_many.lua, schedule.lua and empty_queue.lua through
// Queue (their callers): the keys each writes, and a wrong-typed key for
// each key it touches.
#include "rqcpp/keys.hpp"
#include "script_fixture.hpp"

namespace rqcpp::test {
namespace {

std::vector<JobSpec> two_specs(long long ttl) {
  std::vector<JobSpec> specs;
  for (std::string id : {"b1", "b2"}) {
    EnqueueOptions o;
    o.job_id = id;
    o.ttl = ttl;
    specs.push_back(JobSpec{"builtin:add", Args::of(1, 2), o});
  }
  return specs;
}

TEST_CASE_METHOD(ScriptFixture, "enqueue writes the job, its queue and its dependencies",
                 "[scripts][enqueue]") {
  enqueue("p1");
  CHECK(hget(keys::job("p1"), "status") == "queued");
  CHECK(conn.checked({"SISMEMBER", keys::kQueues, keys::queue("default")}).integer() == 1);
  EnqueueOptions o;
  o.depends_on = {"p1"};
  o.ttl = 100;
  enqueue("c1", "default", o);
  CHECK(hget(keys::job("c1"), "status") == "deferred");
  CHECK_FALSE(conn.checked({"ZSCORE", keys::deferred("default"), "c1"}).is_nil());
  CHECK(conn.checked({"SMEMBERS", keys::dependents("p1")}).strings() ==
        std::vector<std::string>{"c1"});
  CHECK(conn.checked({"SMEMBERS", keys::dependencies("c1")}).strings() ==
        std::vector<std::string>{"p1"});
  CHECK(conn.checked({"TTL", keys::job("c1")}).integer() > 0);
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"p1"});
}

TEST_CASE_METHOD(ScriptFixture, "enqueue refuses a wrong-typed key", "[scripts][enqueue]") {
  EnqueueOptions o;
  o.depends_on = {"p1"};
  auto setup = [&] { enqueue("p1"); };
  // Deferred: rq:queues is not written (RQ adds a queue there only when a
  // job is pushed onto it).
  for (const auto& key : {keys::job("c1"), keys::queue("default"), keys::deferred("default"),
                          keys::dependencies("c1"), keys::job("p1"), keys::dependents("p1")}) {
    check_refused(key, setup, [&] { enqueue("c1", "default", o); });
  }
  // Queued: rq:queues is the first write, which checks its own key.
  for (const auto& key : {keys::job("c2"), keys::queue("default"), std::string(keys::kQueues)}) {
    check_refused(
        key, [] {}, [&] { enqueue("c2"); });
  }
}

TEST_CASE_METHOD(ScriptFixture, "enqueue_many writes every job of a chunk",
                 "[scripts][enqueue_many]") {
  auto jobs = Queue(conn, "default").enqueue_many(two_specs(100));
  REQUIRE(jobs.size() == 2);
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"b1", "b2"});
  for (std::string id : {"b1", "b2"}) {
    CHECK(hget(keys::job(id), "status") == "queued");
    CHECK(hget(keys::job(id), "origin") == "default");
    CHECK(conn.checked({"TTL", keys::job(id)}).integer() > 0);
  }
}

TEST_CASE_METHOD(ScriptFixture, "enqueue_many refuses a wrong-typed key",
                 "[scripts][enqueue_many]") {
  for (const auto& key : {keys::queue("default"), std::string(keys::kQueues), keys::job("b2")}) {
    check_refused(
        key, [] {}, [&] { Queue(conn, "default").enqueue_many(two_specs(100)); });
  }
}

TEST_CASE_METHOD(ScriptFixture, "schedule writes the scheduled registry", "[scripts][schedule]") {
  EnqueueOptions o;
  o.job_id = "s1";
  Queue(conn, "default")
      .enqueue_call_in(std::chrono::seconds(60), "builtin:add", Args::of(1, 2), o);
  CHECK(hget(keys::job("s1"), "status") == "scheduled");
  CHECK_FALSE(conn.checked({"ZSCORE", keys::scheduled("default"), "s1"}).is_nil());
  CHECK(conn.checked({"LLEN", keys::queue("default")}).integer() == 0);
  for (const auto& key :
       {keys::job("s1"), std::string(keys::kQueues), keys::scheduled("default")}) {
    check_refused(
        key, [] {},
        [&] {
          Queue(conn, "default")
              .enqueue_call_in(std::chrono::seconds(60), "builtin:add", Args::of(1, 2), o);
        });
  }
}

TEST_CASE_METHOD(ScriptFixture, "empty_queue deletes the queued jobs", "[scripts][empty_queue]") {
  enqueue("e1");
  enqueue("e2");
  CHECK(Queue(conn, "default").empty() == 2);
  CHECK(conn.checked({"EXISTS", keys::queue("default"), keys::job("e1"), keys::job("e2")})
            .integer() == 0);
  check_refused(
      keys::queue("default"), [] {}, [&] { Queue(conn, "default").empty(); });
}

}  // namespace
}  // namespace rqcpp::test
