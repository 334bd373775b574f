// Worker maintenance (wire doc 3.4 / 3.12): a job left in rq:wip by a worker
// that was SIGKILLed together with its work horse is failed, or retried when
// it has retries left, by another worker's maintenance.
#include <signal.h>

#include <fstream>
#include <functional>

#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

// The pids of `pid`'s children (the worker's work horse).
std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  pid_t c = 0;
  while (in >> c) out.push_back(c);
  return out;
}

// Starts a worker named `name` on `queue`, waits until it runs `id`, then
// SIGKILLs its horse and itself, and lets its key expire (as its heartbeat
// TTL would), leaving the job in rq:wip:<queue>.
// `before_kill` runs once the job has started.
void kill_worker_running(WorkerFixture& f, const std::string& name, const std::string& queue,
                         const std::string& id, const std::function<void()>& before_kill = {}) {
  Process doomed(f.worker_argv({"--name", name, queue}), {}, log_path("doomed_" + name));
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));
  if (before_kill) before_kill();
  std::vector<pid_t> horses;
  REQUIRE(f.eventually([&] { return !(horses = children_of(doomed.pid())).empty(); }));
  doomed.signal(SIGKILL);
  REQUIRE(doomed.wait(5s) != -1);
  for (pid_t h : horses) ::kill(h, SIGKILL);
  REQUIRE(f.zscore(keys::started(queue), id).has_value());
  f.conn.checked({"PEXPIRE", keys::worker(name), "1"});
  REQUIRE(f.eventually([&] { return !f.exists(keys::worker(name)); }));
}

}  // namespace

TEST_CASE("maintenance at start fails a job abandoned by a killed worker", "[worker][maintenance]") {
  WorkerFixture f;
  Queue q(f.conn, "maint");
  Job job = q.enqueue("builtin:sleep", 30.0);
  kill_worker_running(f, "doomed1", "maint", job.id());
  // The doomed worker's own start-up maintenance took RQ's cleaning lock
  // (EX 899): let it expire, as it would long before anyone noticed.
  REQUIRE(f.exists(keys::clean_lock("maint")));
  f.conn.checked({"DEL", keys::clean_lock("maint")});

  f.burst({"--name", "rescuer", "maint"});
  CHECK(f.status(job.id()) == "failed");
  CHECK(f.zscore(keys::failed("maint"), job.id()).has_value());
  CHECK_FALSE(f.zscore(keys::started("maint"), job.id()).has_value());
  std::optional<std::string> exc = Job::fetch(f.conn, job.id()).exc_info();
  REQUIRE(exc);
  CHECK_THAT(*exc, Catch::Contains("doomed1"));
  CHECK_THAT(*exc, Catch::Contains("Moved to FailedJobRegistry"));
  // The dead worker's registration is gone from the queue's worker set.
  CHECK(f.conn.checked({"SISMEMBER", keys::queue_workers("maint"), keys::worker("doomed1")})
            .integer() == 0);
}

TEST_CASE("periodic maintenance retries an abandoned job that has retries left",
          "[worker][maintenance][retry]") {
  WorkerFixture f;
  Queue q(f.conn, "maint2");
  EnqueueOptions o;
  o.retry = Retry{1, {0}};
  o.job_timeout = Duration(1);
  Job job = q.enqueue_call("builtin:sleep", Args::of(30.0), o);
  // The rescuer is already running when the job is abandoned: its start-up
  // maintenance took RQ's 899 s cleaning lock; once that lock is gone
  // (expired, here deleted), its periodic maintenance picks the job up.
  std::optional<Process> rescuer;
  kill_worker_running(f, "doomed2", "maint2", job.id(), [&] {
    rescuer.emplace(
        f.worker_argv({"--name", "rescuer2", "--maintenance-interval", "1", "maint2"}),
        std::map<std::string, std::string>{}, log_path("rescuer2"));
    REQUIRE(f.eventually([&] { return f.exists(keys::worker("rescuer2")); }));
    REQUIRE(f.eventually([&] { return f.exists(keys::clean_lock("maint2")); }));
  });
  std::this_thread::sleep_for(1500ms);  // periodic runs while the lock is held do nothing
  CHECK(f.status(job.id()) == "started");
  f.conn.checked({"DEL", keys::clean_lock("maint2")});
  // Retried: queued again, run by the rescuer, and this time it times out.
  REQUIRE(f.eventually([&] { return f.status(job.id()) == "failed"; }, 10s));
  CHECK(f.hget(keys::job(job.id()), "retries_left") == "0");
  CHECK(f.hget(keys::job(job.id()), "worker_name") == "rescuer2");
  CHECK_THAT(f.exc_info(job.id()), Catch::Contains("JobTimeoutException"));
  rescuer->signal(SIGTERM);
  CHECK(rescuer->wait(10s) == 0);
}
