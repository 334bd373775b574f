// rqworker --with-scheduler: the worker's in-process scheduler (docs/redis-layout.md
// 1.8 / 3.3) moves due jobs, only one of several workers holds the lock, and
// retries with an interval go through rq:scheduled (3.10).
#include <signal.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double unix_of(Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("two --with-scheduler workers: one lock holder, due job runs on time",
          "[worker][scheduler]") {
  WorkerFixture f;
  Process a(f.worker_argv({"--with-scheduler", "--name", "sa", "sched"}), {}, log_path("sched_a"));
  Process b(f.worker_argv({"--with-scheduler", "--name", "sb", "sched"}), {}, log_path("sched_b"));
  const std::string lock = keys::scheduler_lock("sched");
  REQUIRE(f.eventually([&] { return f.exists(lock); }));
  const std::string holder = std::string(f.conn.checked({"GET", lock}).str());
  CHECK((holder == std::to_string(a.pid()) || holder == std::to_string(b.pid())));
  // Both workers registered and polling: the lock stays with its first owner.
  std::this_thread::sleep_for(1500ms);
  CHECK(std::string(f.conn.checked({"GET", lock}).str()) == holder);
  CHECK(f.ttl(lock) > 55);

  Queue q(f.conn, "sched");
  const auto when = Clock::now() + 1s;
  Job job = q.enqueue_at(when, "builtin:add", 20, 22);
  CHECK(f.status(job.id()) == "scheduled");
  // RQ stores whole seconds: the job is due at floor(when).
  const double due = std::floor(unix_of(when));
  REQUIRE(f.eventually([&] { return f.status(job.id()) == "finished"; }, 5s));
  Job done = Job::fetch(f.conn, job.id());
  CHECK(done.result<long long>() == 42);
  REQUIRE(done.started_at());
  const double started = unix_of(*done.started_at());
  CHECK(started >= due - 0.01);
  CHECK(started <= due + 1.0 + 0.2);  // within one scheduler period (+ timestamp rounding)
  CHECK(f.conn.checked({"ZCARD", keys::scheduled("sched")}).integer() == 0);

  a.signal(SIGTERM);
  b.signal(SIGTERM);
  CHECK(a.wait(10s) == 0);
  CHECK(b.wait(10s) == 0);
  CHECK_FALSE(f.exists(lock));  // the holder released it on exit
}

TEST_CASE("a burst worker with --with-scheduler moves due jobs once and releases the lock",
          "[worker][scheduler]") {
  WorkerFixture f;
  Queue q(f.conn, "bsched");
  Job due = q.enqueue_at(Clock::now() - 2s, "builtin:add", 1, 2);
  Job later = q.enqueue_in(1h, "builtin:add", 3, 4);
  f.burst({"--with-scheduler", "bsched"});
  CHECK(Job::fetch(f.conn, due.id()).result<long long>() == 3);
  CHECK(f.status(later.id()) == "scheduled");
  CHECK_FALSE(f.exists(keys::scheduler_lock("bsched")));

  // Without --with-scheduler nothing is moved.
  Job other = q.enqueue_at(Clock::now() - 2s, "builtin:add", 5, 6);
  f.burst({"bsched"});
  CHECK(f.status(other.id()) == "scheduled");
}

TEST_CASE("a retry with an interval goes through rq:scheduled and then runs",
          "[worker][scheduler][retry]") {
  WorkerFixture f;
  const std::string path = log_path("flaky_sched");
  std::remove(path.c_str());
  Queue q(f.conn, "rsched");
  EnqueueOptions o;
  o.retry = Retry{1, {1}};
  Job job = q.enqueue_call("builtin:flaky", Args::of(path, 2), o);
  Process w(f.worker_argv({"--with-scheduler", "--name", "rw", "rsched"}), {}, log_path("rsched"));
  REQUIRE(f.eventually([&] { return f.status(job.id()) == "scheduled"; }, 5s));
  const double at = unix_now();
  CHECK(f.zscore(keys::scheduled("rsched"), job.id()).has_value());
  CHECK(f.hget(keys::job(job.id()), "retries_left") == "0");
  CHECK(f.conn.checked({"XLEN", keys::results(job.id())}).integer() == 0);
  REQUIRE(f.eventually([&] { return f.status(job.id()) == "finished"; }, 5s));
  CHECK(unix_now() - at >= 0.0);
  Job done = Job::fetch(f.conn, job.id());
  CHECK(done.result<long long>() == 2);
  CHECK(f.conn.checked({"XLEN", keys::results(job.id())}).integer() == 1);
  CHECK_FALSE(f.zscore(keys::failed("rsched"), job.id()).has_value());
  w.signal(SIGTERM);
  CHECK(w.wait(10s) == 0);
  std::remove(path.c_str());
}
