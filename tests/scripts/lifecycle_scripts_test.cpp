// The job life-cycle scripts through their public callers: cancel_job.lua
// (Job::cancel), requeue_job.lua (Job::requeue, Queue::requeue_all_failed),
// delete_job.lua (Job::remove), schedule_due.lua and release_locks.lua
// (Scheduler), clean_registries.lua and clean_worker_registry.lua
// (maintenance.hpp): what each writes, and a wrong-typed key for each key it
// touches.
#include <optional>

#include "rqcpp/job.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/maintenance.hpp"
#include "rqcpp/scheduler.hpp"
#include "script_fixture.hpp"

namespace rqcpp::test {
namespace {

// p1 queued, c1 deferred on it; returns p1.
Job parent_and_child(ScriptFixture& f) {
  Job p = f.enqueue("p1");
  EnqueueOptions o;
  o.depends_on = {"p1"};
  f.enqueue("c1", "default", o);
  return p;
}

// f1 in the failed registry of "default".
Job failed_job(ScriptFixture& f) {
  f.enqueue("f1");
  f.conn.checked({"LREM", keys::queue("default"), "1", "f1"});
  f.conn.checked({"HSET", keys::job("f1"), "status", "failed"});
  f.conn.checked({"ZADD", keys::failed("default"), "99999999999", "f1"});
  return Job::fetch(f.conn, "f1");
}

TEST_CASE_METHOD(ScriptFixture, "cancel_job cancels and releases dependents",
                 "[scripts][cancel_job]") {
  parent_and_child(*this).cancel(true);
  CHECK(hget(keys::job("p1"), "status") == "canceled");
  CHECK_FALSE(conn.checked({"ZSCORE", keys::canceled("default"), "p1"}).is_nil());
  CHECK(hget(keys::job("c1"), "status") == "queued");
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"c1"});

  std::optional<Job> p;
  for (const auto& key :
       {keys::job("p1"), keys::queue("default"), keys::canceled("default"), keys::dependents("p1"),
        keys::job("c1"), keys::deferred("default"), keys::dependencies("c1")}) {
    check_refused(
        key, [&] { p.emplace(parent_and_child(*this)); }, [&] { p->cancel(true); });
  }
}

TEST_CASE_METHOD(ScriptFixture, "requeue_job requeues failed jobs", "[scripts][requeue_job]") {
  failed_job(*this).requeue();
  CHECK(hget(keys::job("f1"), "status") == "queued");
  CHECK(conn.checked({"ZCARD", keys::failed("default")}).integer() == 0);
  CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
        std::vector<std::string>{"f1"});

  std::optional<Job> f;
  for (const auto& key : {keys::failed("default"), keys::job("f1"), keys::queue("default"),
                          std::string(keys::kQueues)}) {
    check_refused(
        key, [&] { f.emplace(failed_job(*this)); }, [&] { f->requeue(); });
    check_refused(
        key, [&] { failed_job(*this); }, [&] { Queue(conn, "default").requeue_all_failed(); });
  }
}

TEST_CASE_METHOD(ScriptFixture, "delete_job deletes a job and its dependents",
                 "[scripts][delete_job]") {
  CHECK(parent_and_child(*this).remove(true) == 2);
  CHECK(conn.checked({"EXISTS", keys::job("p1"), keys::job("c1")}).integer() == 0);
  CHECK(conn.checked({"LLEN", keys::queue("default")}).integer() == 0);
  CHECK(conn.checked({"ZCARD", keys::deferred("default")}).integer() == 0);

  std::optional<Job> p;
  for (const auto& key : {keys::job("p1"), keys::dependents("p1"), keys::queue("default"),
                          keys::job("c1"), keys::deferred("default")}) {
    check_refused(
        key, [&] { p.emplace(parent_and_child(*this)); }, [&] { p->remove(true); });
  }
}

void due_job(ScriptFixture& f) {
  EnqueueOptions o;
  o.job_id = "s1";
  Queue(f.conn, "default").enqueue_call_at(Clock::time_point{}, "builtin:add", Args::of(1, 2), o);
}

TEST_CASE_METHOD(ScriptFixture, "schedule_due moves due jobs under the lock; release_locks",
                 "[scripts][schedule_due]") {
  due_job(*this);
  SchedulerOptions so;
  so.lock_value = "42";
  {
    Scheduler s(conn, {"default"}, so);
    CHECK(s.run_once() == 1);
    CHECK(hget(keys::job("s1"), "status") == "queued");
    CHECK(conn.checked({"LRANGE", keys::queue("default"), "0", "-1"}).strings() ==
          std::vector<std::string>{"s1"});
    CHECK(std::string(conn.checked({"GET", keys::scheduler_lock("default")}).str()) == "42");
    s.release();
    CHECK(conn.checked({"EXISTS", keys::scheduler_lock("default")}).integer() == 0);
  }
  for (const auto& key : {keys::scheduled("default"), keys::job("s1"), keys::queue("default"),
                          std::string(keys::kQueues)}) {
    check_refused(
        key, [&] { due_job(*this); }, [&] { Scheduler(conn, {"default"}, so).run_once(); });
  }
  check_refused(
      keys::scheduler_lock("default"), [&] { due_job(*this); },
      [&] { Scheduler(conn, {"default"}, so).run_once(); }, true);
  // release_locks: the lock turned into a list after it was taken.
  conn.checked({"FLUSHALL"});
  Scheduler s(conn, {"default"}, so);
  REQUIRE(s.acquire_locks() == 1);
  check_refused(
      keys::scheduler_lock("default"), [] {}, [&] { s.release(); }, true);
}

// a1 started on "default" by a worker whose key is gone, past its deadline.
void abandoned_job(ScriptFixture& f) {
  f.enqueue("a1");
  f.conn.checked({"LREM", keys::queue("default"), "1", "a1"});
  f.conn.checked({"HSET", keys::job("a1"), "status", "started", "worker_name", "gone"});
  f.conn.checked({"ZADD", keys::started("default"), "1", "a1"});
}

TEST_CASE_METHOD(ScriptFixture, "clean_registries fails abandoned jobs",
                 "[scripts][clean_registries]") {
  abandoned_job(*this);
  CleanReport r = clean_registries(conn, "default", CleanLock::kAcquire, std::chrono::seconds(5));
  CHECK(r.ran);
  CHECK(r.failed == std::vector<std::string>{"a1"});
  CHECK(hget(keys::job("a1"), "status") == "failed");
  CHECK_FALSE(conn.checked({"ZSCORE", keys::failed("default"), "a1"}).is_nil());
  CHECK(conn.checked({"ZCARD", keys::started("default")}).integer() == 0);

  auto clean = [&] {
    clean_registries(conn, "default", CleanLock::kAcquire, std::chrono::seconds(5));
  };
  for (const auto& key : {keys::finished("default"), keys::started("default"),
                          keys::failed("default"), keys::job("a1"), keys::worker("gone")}) {
    check_refused(
        key, [&] { abandoned_job(*this); }, clean);
  }
  check_refused(
      keys::clean_lock("default"), [&] { abandoned_job(*this); }, clean, true);
}

TEST_CASE_METHOD(ScriptFixture, "clean_worker_registry drops dead workers",
                 "[scripts][clean_worker_registry]") {
  auto setup = [&] {
    conn.checked({"SADD", keys::queue_workers("default"), keys::worker("dead")});
    conn.checked({"SADD", keys::kWorkers, keys::worker("dead")});
  };
  setup();
  CHECK(clean_worker_registry(conn, "default") == 1);
  CHECK(conn.checked({"EXISTS", keys::queue_workers("default"), keys::kWorkers}).integer() == 0);
  for (const auto& key : {keys::queue_workers("default"), std::string(keys::kWorkers)}) {
    check_refused(key, setup, [&] { clean_worker_registry(conn, "default"); });
  }
}

}  // namespace
}  // namespace rqcpp::test
