// The job life cycle end to end with real workers: retries that end in
// success (docs/redis-layout.md 3.10), dependency graphs (3.2 / 3.13) and a queued job
// whose ttl expires (2.4).
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

// Order in which jobs ran, by started_at (RQ's TS has microseconds).
std::string started_ts(WorkerFixture& f, const std::string& id) {
  return f.hget(keys::job(id), "started_at");
}

EnqueueOptions after(std::vector<std::string> parents) {
  EnqueueOptions o;
  o.depends_on = std::move(parents);
  return o;
}

}  // namespace

TEST_CASE("a job failing twice succeeds on its third attempt", "[worker][lifecycle][retry]") {
  WorkerFixture f;
  const std::string path = log_path("flaky3");
  std::remove(path.c_str());
  Queue q(f.conn, "flaky");
  EnqueueOptions o;
  o.retry = Retry{3, {0}};
  std::string id = q.enqueue_call("builtin:flaky", Args::of(path, 3), o).id();
  f.burst({"--name", "w-flaky", "flaky"});

  Job j = Job::fetch(f.conn, id);
  CHECK(f.status(id) == "finished");
  CHECK(j.result<long long>() == 3);
  CHECK(j.retries_left() == 1);  // two retries used of three
  // Failed attempts leave no stream entry: only the success is recorded.
  CHECK(f.conn.checked({"XLEN", keys::results(id)}).integer() == 1);
  CHECK_FALSE(f.zscore(keys::failed("flaky"), id).has_value());
  CHECK(f.zscore(keys::finished("flaky"), id).has_value());
  CHECK(f.hget(keys::worker("w-flaky"), "failed_job_count") == "2");
  CHECK(f.hget(keys::worker("w-flaky"), "successful_job_count") == "1");
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(all == "1\n2\n3\n");
  std::remove(path.c_str());
}

TEST_CASE("a three-level chain runs in order", "[worker][lifecycle][dependencies]") {
  WorkerFixture f;
  Queue q(f.conn, "chain");
  std::string a = q.enqueue("builtin:add", 1, 1).id();
  std::string b = q.enqueue_with(after({a}), "builtin:add", 2, 2).id();
  std::string c = q.enqueue_with(after({b}), "builtin:add", 3, 3).id();
  CHECK(f.status(b) == "deferred");
  CHECK(f.status(c) == "deferred");
  f.burst({"chain"});
  for (const auto& id : {a, b, c}) CHECK(f.status(id) == "finished");
  CHECK(started_ts(f, a) < started_ts(f, b));
  CHECK(started_ts(f, b) < started_ts(f, c));
  CHECK(f.conn.checked({"ZCARD", keys::deferred("chain")}).integer() == 0);
}

TEST_CASE("a diamond runs its join once, after both branches",
          "[worker][lifecycle][dependencies]") {
  WorkerFixture f;
  Queue q(f.conn, "diamond");
  std::string a = q.enqueue("builtin:add", 1, 1).id();
  std::string b = q.enqueue_with(after({a}), "builtin:sleep", 0.2).id();
  std::string c = q.enqueue_with(after({a}), "builtin:add", 2, 2).id();
  std::string d = q.enqueue_with(after({b, c}), "builtin:add", 3, 3).id();
  // Two workers: the branches run concurrently, the join must still wait.
  Process w1(f.worker_argv({"--burst", "--name", "d1", "diamond"}), {}, log_path("diamond1"));
  Process w2(f.worker_argv({"--burst", "--name", "d2", "diamond"}), {}, log_path("diamond2"));
  REQUIRE(w1.wait(30s) == 0);
  REQUIRE(w2.wait(30s) == 0);
  if (f.status(d) != "finished") f.burst({"diamond"});  // both burst workers may exit early
  CHECK(f.status(d) == "finished");
  // >=: the fused finish+take script may start d with b's ended_at TS.
  CHECK(f.hget(keys::job(d), "started_at") >= f.hget(keys::job(b), "ended_at"));
  CHECK(f.hget(keys::job(d), "started_at") >= f.hget(keys::job(c), "ended_at"));
  CHECK(f.conn.checked({"XLEN", keys::results(d)}).integer() == 1);  // ran once
}

TEST_CASE("allow_dependency_failures runs a dependent of a failed parent; others stay deferred",
          "[worker][lifecycle][dependencies]") {
  WorkerFixture f;
  Queue q(f.conn, "dfail");
  std::string parent = q.enqueue("builtin:fail", std::string("boom")).id();
  EnqueueOptions lenient = after({parent});
  lenient.allow_dependency_failures = true;
  std::string runs = q.enqueue_with(lenient, "builtin:add", 1, 2).id();
  std::string waits = q.enqueue_with(after({parent}), "builtin:add", 3, 4).id();
  f.burst({"dfail"});
  CHECK(f.status(parent) == "failed");
  CHECK(Job::fetch(f.conn, runs).result<long long>() == 3);
  CHECK(f.status(waits) == "deferred");
  // Another burst changes nothing: the dependent stays deferred for good.
  f.burst({"dfail"});
  CHECK(f.status(waits) == "deferred");
  CHECK(f.zscore(keys::deferred("dfail"), waits).has_value());
}

TEST_CASE("a stopped parent releases its dependents", "[worker][lifecycle][dependencies]") {
  WorkerFixture f;
  Queue q(f.conn, "dstop");
  std::string parent = q.enqueue("builtin:sleep", 30.0).id();
  std::string child = q.enqueue_with(after({parent}), "builtin:add", 5, 5).id();
  Process w(f.worker_argv({"--name", "stopper", "dstop"}), {}, log_path("dstop"));
  REQUIRE(f.eventually([&] { return f.status(parent) == "started"; }));
  f.conn.checked({"PUBLISH", keys::worker_channel("stopper"),
                  "{\"command\": \"stop-job\", \"job_id\": \"" + parent + "\"}"});
  REQUIRE(f.eventually([&] { return f.status(parent) == "stopped"; }));
  REQUIRE(f.eventually([&] { return f.status(child) == "finished"; }));
  CHECK(Job::fetch(f.conn, child).result<long long>() == 10);
  w.signal(SIGTERM);
  CHECK(w.wait(10s) == 0);
}

TEST_CASE("enqueue_at_front puts a released dependent at the head of its queue",
          "[worker][lifecycle][dependencies]") {
  WorkerFixture f;
  Queue parents(f.conn, "pfront");
  Queue q(f.conn, "front");
  std::string parent = parents.enqueue("builtin:add", 0, 0).id();
  EnqueueOptions front = after({parent});
  front.enqueue_at_front = true;
  std::string back1 = q.enqueue("builtin:add", 1, 1).id();
  std::string back2 = q.enqueue("builtin:add", 2, 2).id();
  std::string child = q.enqueue_with(front, "builtin:add", 3, 3).id();
  f.burst({"pfront"});
  CHECK(f.conn.checked({"LRANGE", keys::queue("front"), "0", "-1"}).strings() ==
        std::vector<std::string>{child, back1, back2});
  f.burst({"front"});
  CHECK(started_ts(f, child) < started_ts(f, back1));
}

TEST_CASE("a queued job whose ttl expired is discarded and never runs",
          "[worker][lifecycle][ttl]") {
  WorkerFixture f;
  Queue q(f.conn, "ttl");
  EnqueueOptions o;
  o.ttl = 1;
  std::string gone = q.enqueue_with(o, "builtin:add", 1, 1).id();
  std::string kept = q.enqueue("builtin:add", 2, 2).id();
  CHECK(f.ttl(keys::job(gone)) > 0);
  REQUIRE(f.eventually([&] { return !f.exists(keys::job(gone)); }, 3s));
  f.burst({"--name", "w-ttl", "ttl"});
  CHECK(f.status(kept) == "finished");
  CHECK_FALSE(f.exists(keys::job(gone)));
  CHECK_FALSE(f.exists(keys::results(gone)));
  CHECK_FALSE(f.zscore(keys::finished("ttl"), gone).has_value());
  CHECK_FALSE(f.zscore(keys::failed("ttl"), gone).has_value());
  CHECK(f.hget(keys::worker("w-ttl"), "successful_job_count") == "1");
  CHECK(f.conn.checked({"LLEN", keys::queue("ttl")}).integer() == 0);
}
