// take_finish.lua through Fetcher (the worker's builder for it): take,
// finish+take, sync finish; a wrong-typed key for each key they touch; and
// the regression of issue 9: with rq:wip:<q> of the wrong type a real
// rqworker used to pop every queued job into nowhere.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "rqcpp/keys.hpp"
#include "script_fixture.hpp"
#include "worker/fetcher.hpp"

namespace rqcpp::test {
namespace {

Fetcher fetcher(const std::string& worker = "w") {
  return Fetcher(worker, {"default"}, std::chrono::seconds(30), 500);
}

// A registered worker "w" and jobs j1, j2 queued in "default".
void two_queued(ScriptFixture& f) {
  f.conn.checked({"HSET", keys::worker("w"), "state", "idle"});
  f.enqueue("j1");
  f.enqueue("j2");
}

// two_queued, then j1 taken by "w".
void j1_started(ScriptFixture& f) {
  two_queued(f);
  REQUIRE(fetcher().take(f.conn).job.id == "j1");
}

FinishRequest outcome(const std::string& status) {
  FinishRequest r;
  r.id = "j1";
  r.origin = "default";
  r.status = status;
  r.payload = status == "finished" ? "" : "ZXhj";
  r.working_time = 0.25;
  return r;
}

TEST_CASE_METHOD(ScriptFixture, "take marks the first queued job started", "[scripts][take]") {
  two_queued(*this);
  TakeReply t = fetcher().take(conn);
  REQUIRE(t.kind == TakeReply::Kind::kJob);
  CHECK(t.job.id == "j1");
  CHECK(t.job.queue == "default");
  CHECK(hget(keys::job("j1"), "status") == "started");
  CHECK(hget(keys::job("j1"), "worker_name") == "w");
  CHECK(conn.checked({"ZSCORE", keys::started("default"), "j1"}).is_nil() == false);
  CHECK(hget(keys::worker("w"), "current_job") == "j1");
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"j2"});
  // An id without a hash is dropped on the way, as RQ does.
  conn.checked({"LPUSH", keys::queue("default"), "ghost"});
  conn.checked({"HDEL", keys::worker("w"), "current_job"});
  CHECK(fetcher().take(conn).job.id == "j2");
  CHECK(conn.checked({"LLEN", keys::queue("default")}).integer() == 0);
}

TEST_CASE_METHOD(ScriptFixture, "take and finish by a worker whose key is gone change nothing",
                 "[scripts][take]") {
  j1_started(*this);
  conn.checked({"DEL", keys::worker("w")});
  auto before = snapshot();
  CHECK(fetcher().take(conn).kind == TakeReply::Kind::kUnregistered);
  CHECK(fetcher().finish(conn, outcome("finished"), true).kind == TakeReply::Kind::kUnregistered);
  CHECK(snapshot() == before);
  CHECK(hget(keys::job("j1"), "status") == "started");
}

TEST_CASE_METHOD(ScriptFixture, "take refuses a wrong-typed worker key and pops nothing",
                 "[scripts][take]") {
  check_refused(
      keys::worker("w"), [&] { two_queued(*this); }, [&] { fetcher().take(conn); });
}

// One broken key must not stop a worker's other queues (a hostile or
// careless producer could write any key): the take passes over it and says
// so, and leaves the key as it is.
TEST_CASE_METHOD(ScriptFixture, "take passes over wrong-typed queue, registry and job keys",
                 "[scripts][take]") {
  const std::vector<std::string> both{"j1", "j2"};
  SECTION("a queue key that is not a list") {
    two_queued(*this);
    conn.checked({"DEL", keys::queue("default")});
    conn.checked({"SET", keys::queue("default"), "x"});
    TakeReply t = fetcher().take(conn);
    CHECK(t.kind == TakeReply::Kind::kEmpty);
    CHECK(t.skipped ==
          std::vector<TakeReply::Skipped>{{"default", "rq:queue:default is a string"}});
    CHECK(std::string(conn.checked({"GET", keys::queue("default")}).str()) == "x");
  }
  SECTION("a started registry that is not a zset") {
    two_queued(*this);
    conn.checked({"SET", keys::started("default"), "x"});
    TakeReply t = fetcher().take(conn);
    CHECK(t.kind == TakeReply::Kind::kEmpty);
    CHECK(t.skipped ==
          std::vector<TakeReply::Skipped>{{"default", "job j1 (rq:wip:default is a string)"},
                                          {"default", "job j2 (rq:wip:default is a string)"}});
    CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() == both);
  }
  SECTION("a job left in place keeps its place while the one behind it is taken") {
    two_queued(*this);
    conn.checked({"HSET", keys::job("j1"), "origin", "elsewhere"});
    conn.checked({"SET", keys::started("elsewhere"), "x"});
    TakeReply t = fetcher().take(conn);
    REQUIRE(t.kind == TakeReply::Kind::kJob);
    CHECK(t.job.id == "j2");
    CHECK(t.skipped ==
          std::vector<TakeReply::Skipped>{{"default", "job j1 (rq:wip:elsewhere is a string)"}});
    CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
          std::vector<std::string>{"j1"});
  }
  SECTION("a queued id whose job key is not a hash is dropped, as an id without a hash") {
    two_queued(*this);
    conn.checked({"DEL", keys::job("j1")});
    conn.checked({"SET", keys::job("j1"), "x"});
    TakeReply t = fetcher().take(conn);
    REQUIRE(t.kind == TakeReply::Kind::kJob);
    CHECK(t.job.id == "j2");
    CHECK(t.skipped.empty());
    CHECK(conn.checked({"LLEN", keys::queue("default")}).integer() == 0);
    CHECK(std::string(conn.checked({"GET", keys::job("j1")}).str()) == "x");
  }
  SECTION("ids without a hash leave the queue even when no job follows them") {
    // Left behind, they would keep the queue non-empty and wake a waiting
    // worker for nothing, over and over.
    conn.checked({"HSET", keys::worker("w"), "state", "idle"});
    conn.checked({"RPUSH", keys::queue("default"), "ghost1", "ghost2"});
    CHECK(fetcher().take(conn).kind == TakeReply::Kind::kEmpty);
    CHECK(conn.checked({"EXISTS", keys::queue("default")}).integer() == 0);
  }
  SECTION("ids without a hash behind a job left in place leave the queue; it stays") {
    two_queued(*this);
    conn.checked({"HSET", keys::job("j1"), "origin", "elsewhere"});
    conn.checked({"SET", keys::started("elsewhere"), "x"});
    conn.checked({"LINSERT", keys::queue("default"), "BEFORE", "j2", "ghost"});
    conn.checked({"RPUSH", keys::queue("default"), "ghost"});
    CHECK(fetcher().take(conn).job.id == "j2");
    CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
          std::vector<std::string>{"j1", "ghost"});
    conn.checked({"HDEL", keys::worker("w"), "current_job"});
    CHECK(fetcher().take(conn).kind == TakeReply::Kind::kEmpty);
    CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
          std::vector<std::string>{"j1"});
  }
}

TEST_CASE_METHOD(ScriptFixture, "a queue named twice is looked at once", "[scripts][take]") {
  // Its dropped ids would otherwise be popped twice, and the job left in
  // place behind them with them.
  conn.checked({"HSET", keys::worker("w"), "state", "idle"});
  enqueue("j1");
  conn.checked({"HSET", keys::job("j1"), "origin", "elsewhere"});
  conn.checked({"SET", keys::started("elsewhere"), "x"});
  conn.checked({"LPUSH", keys::queue("default"), "ghost"});
  Fetcher twice("w", {"default", "default"}, std::chrono::seconds(30), 500);
  CHECK(twice.take(conn).kind == TakeReply::Kind::kEmpty);
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"j1"});
}

TEST_CASE_METHOD(ScriptFixture, "finish records the outcome and takes the next job",
                 "[scripts][finish]") {
  j1_started(*this);
  EnqueueOptions o;
  o.depends_on = {"j1"};
  enqueue("d1", "default", o);
  CHECK(hget(keys::job("d1"), "status") == "deferred");

  TakeReply t = fetcher().finish(conn, outcome("finished"), true);
  CHECK(t.finish_state == "done");
  REQUIRE(t.kind == TakeReply::Kind::kJob);
  CHECK(t.job.id == "j2");
  CHECK(hget(keys::job("j1"), "status") == "finished");
  CHECK_FALSE(conn.checked({"ZSCORE", keys::finished("default"), "j1"}).is_nil());
  CHECK(conn.checked({"ZSCORE", keys::started("default"), "j1"}).is_nil());
  CHECK(conn.checked({"XLEN", keys::results("j1")}).integer() == 1);
  CHECK(hget(keys::worker("w"), "successful_job_count") == "1");
  CHECK(hget(keys::worker("w"), "current_job") == "j2");
  // The dependent was released into its queue.
  CHECK(hget(keys::job("d1"), "status") == "queued");
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"d1"});
  // Repeated (a lost reply): nothing is written again.
  CHECK(fetcher().finish(conn, outcome("finished"), false).finish_state == "skipped");
}

TEST_CASE_METHOD(ScriptFixture,
                 "a repeated finish+take whose reply was lost hands out the same next job",
                 "[scripts][finish]") {
  // The worker sends finish(j1)+take, Redis applies it (j2 started) and goes
  // away before the reply arrives; after reconnecting the worker sends the
  // same call again. It must get j2 back, not pop j3 and leave j2 started
  // with nobody running it (found by the outage test).
  j1_started(*this);
  enqueue("j3");
  REQUIRE(fetcher().finish(conn, outcome("finished"), true).job.id == "j2");
  TakeReply again = fetcher().finish(conn, outcome("finished"), true);
  CHECK(again.finish_state == "skipped");
  REQUIRE(again.kind == TakeReply::Kind::kJob);
  CHECK(again.job.id == "j2");
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"j3"});
  CHECK(conn.checked({"ZCARD", keys::started("default")}).integer() == 1);
  CHECK(hget(keys::worker("w"), "current_job") == "j2");
  CHECK(conn.checked({"XLEN", keys::results("j1")}).integer() == 1);
}

TEST_CASE_METHOD(ScriptFixture, "finish of a failure writes the failed registry",
                 "[scripts][finish]") {
  j1_started(*this);
  TakeReply t = fetcher().finish(conn, outcome("failed"), false);
  CHECK(t.finish_state == "done");
  CHECK(hget(keys::job("j1"), "status") == "failed");
  CHECK_FALSE(conn.checked({"ZSCORE", keys::failed("default"), "j1"}).is_nil());
  CHECK(hget(keys::worker("w"), "failed_job_count") == "1");
}

// The take of a fused finish+take passes over what the plain take does,
// after the finish wrote: it cannot fail half-way.
TEST_CASE_METHOD(ScriptFixture, "finish+take records the outcome and drops a wrong-typed next job",
                 "[scripts][finish]") {
  j1_started(*this);
  conn.checked({"DEL", keys::job("j2")});
  conn.checked({"SET", keys::job("j2"), "x"});
  TakeReply t = fetcher().finish(conn, outcome("finished"), true);
  CHECK(t.finish_state == "done");
  CHECK(t.kind == TakeReply::Kind::kEmpty);
  CHECK(hget(keys::job("j1"), "status") == "finished");
  CHECK(conn.checked({"LLEN", keys::queue("default")}).integer() == 0);
  CHECK(std::string(conn.checked({"GET", keys::job("j2")}).str()) == "x");
}

TEST_CASE_METHOD(ScriptFixture, "finish refuses a wrong-typed key and writes nothing",
                 "[scripts][finish]") {
  auto setup = [&] {
    j1_started(*this);
    EnqueueOptions o;
    o.depends_on = {"j1"};
    enqueue("d1", "default", o);
  };
  for (const auto& key :
       {keys::worker("w"), keys::job("j1"), keys::started("default"), keys::finished("default"),
        keys::results("j1"), keys::dependents("j1"), keys::queue("default")}) {
    check_refused(key, setup, [&] { fetcher().finish(conn, outcome("finished"), true); });
  }
  check_refused(keys::failed("default"), setup,
                [&] { fetcher().finish(conn, outcome("failed"), false); });
  // A stored number the script parses.
  conn.checked({"FLUSHALL"});
  j1_started(*this);
  conn.checked({"HSET", keys::job("j1"), "result_ttl", "soon"});
  auto before = snapshot();
  CHECK_THROWS_WITH(fetcher().finish(conn, outcome("finished"), true),
                    Catch::Contains("result_ttl of rq:job:j1"));
  CHECK(snapshot() == before);
}

TEST_CASE_METHOD(ScriptFixture, "finish of a retried job refuses a wrong-typed scheduled key",
                 "[scripts][finish]") {
  auto setup = [&] {
    conn.checked({"HSET", keys::worker("w"), "state", "idle"});
    EnqueueOptions o;
    o.retry = Retry{2, {30}};
    enqueue("j1", "default", o);
    REQUIRE(fetcher().take(conn).job.id == "j1");
  };
  check_refused(keys::scheduled("default"), setup,
                [&] { fetcher().finish(conn, outcome("failed"), true); });
  conn.checked({"FLUSHALL"});
  setup();
  CHECK(fetcher().finish(conn, outcome("failed"), false).finish_state == "retried");
  CHECK(hget(keys::job("j1"), "status") == "scheduled");
  CHECK_FALSE(conn.checked({"ZSCORE", keys::scheduled("default"), "j1"}).is_nil());
}

TEST_CASE_METHOD(ScriptFixture, "sync finish records without a worker hash", "[scripts][finish]") {
  auto setup = [&] {
    enqueue("j1");
    conn.checked({"HSET", keys::job("j1"), "status", "started", "worker_name", "sync"});
    conn.checked({"LREM", keys::queue("default"), "1", "j1"});
    conn.checked({"ZADD", keys::started("default"), "1", "j1"});
  };
  setup();
  CHECK(fetcher("sync").finish_sync(conn, outcome("finished")) == "done");
  CHECK(hget(keys::job("j1"), "status") == "finished");
  CHECK_FALSE(conn.checked({"EXISTS", keys::worker("sync")}).integer());
  for (const auto& key : {keys::job("j1"), keys::started("default"), keys::finished("default")}) {
    check_refused(key, setup, [&] { fetcher("sync").finish_sync(conn, outcome("finished")); });
  }
}

TEST_CASE_METHOD(ScriptFixture, "a worker facing a wrong-typed rq:wip loses no job",
                 "[scripts][take][regression]") {
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(Queue(conn, "default").enqueue("builtin:add", i, 1).id());
  conn.checked({"SET", keys::started("default"), "not a zset"});
  std::string log = "/tmp/rqcpp-scripts-wip-" + std::to_string(redis.port()) + ".log";
  Process worker({rqworker_path(), "--url", redis.url(), "--plugin-dir", plugin_dir(), "--burst",
                  "--name", "w", "default"},
                 {}, log);
  // The worker reports the broken key, then keeps retrying (with backoff):
  // give it a few retries before looking.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (read_file(log).find("rq:wip:default") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline && worker.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  worker.signal(SIGTERM);
  worker.wait(std::chrono::seconds(10));
  std::string text = read_file(log);
  std::remove(log.c_str());
  INFO("worker log:\n" << text);
  CHECK(text.find("key rq:wip:default is a string") != std::string::npos);
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() == ids);
  for (const auto& id : ids) CHECK(hget(keys::job(id), "status") == "queued");
  CHECK(std::string(conn.checked({"GET", keys::started("default")}).str()) == "not a zset");
}

}  // namespace
}  // namespace rqcpp::test
