// Worker maintenance (docs/redis-layout.md 3.4 / 3.12): a job left in rq:wip by a worker
// that was SIGKILLed together with its work horse is failed, or retried when
// it has retries left, by another worker's maintenance, once the dead
// worker's key has expired by itself. Nothing here expires keys or deletes
// locks by hand: short --worker-ttl / --heartbeat-grace /
// --maintenance-interval compress RQ's minutes into seconds.
#include <signal.h>

#include <fstream>
#include <functional>

#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

// Short heartbeat TTLs: a busy worker's key lives min(timeout, 1) + 1 = 2 s
// after its last heartbeat, an idle one's 2 + 1 = 3 s.
const std::vector<std::string> kShortTtls{
    "--worker-ttl", "2", "--heartbeat-grace", "1", "--job-monitoring-interval", "1"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Starts a worker named `name` on `queue` (short TTLs, maintenance every
// second), waits until it runs `id`, then SIGKILLs its horse and itself,
// leaving the job in rq:wip:<queue>. Returns once the dead worker's key has
// expired by itself, which must happen within the busy TTL (2 s) plus
// Redis's expiry slack. `before_kill` runs once the job has started.
void kill_worker_running(WorkerFixture& f, const std::string& name, const std::string& queue,
                         const std::string& id, const std::function<void()>& before_kill = {}) {
  Process doomed(
      f.worker_argv(with(kShortTtls, {"--maintenance-interval", "1", "--name", name, queue})), {},
      log_path("doomed_" + name));
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));
  if (before_kill) before_kill();
  std::vector<pid_t> horses;
  REQUIRE(f.eventually([&] { return !(horses = child_pids(doomed.pid())).empty(); }));
  // The running worker renews its key: it outlives several TTLs.
  std::this_thread::sleep_for(2500ms);
  REQUIRE(f.exists(keys::worker(name)));
  REQUIRE(f.status(id) == "started");
  doomed.signal(SIGKILL);
  REQUIRE(doomed.wait(5s) != -1);
  const auto killed = std::chrono::steady_clock::now();
  for (pid_t h : horses) ::kill(h, SIGKILL);
  REQUIRE(f.zscore(keys::started(queue), id).has_value());
  long long ttl = f.ttl(keys::worker(name));
  CHECK(ttl >= 0);  // still there, with a TTL
  CHECK(ttl <= 2);
  REQUIRE(f.eventually([&] { return !f.exists(keys::worker(name)); }, 4s));
  CHECK(std::chrono::steady_clock::now() - killed <= 3500ms);
}

}  // namespace

TEST_CASE("a killed worker's key expires by itself and maintenance at start fails its job",
          "[worker][maintenance]") {
  WorkerFixture f;
  Queue q(f.conn, "maint");
  Job job = q.enqueue("builtin:sleep", 30.0);
  kill_worker_running(f, "doomed1", "maint", job.id());
  // The doomed worker's maintenance held the cleaning lock for
  // --maintenance-interval - 1 = 1 s at a time: long gone by now.
  CHECK_FALSE(f.exists(keys::clean_lock("maint")));

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
  o.job_timeout = Duration(6);  // outlives kill_worker_running's 2.5 s, times out on the re-run
  Job job = q.enqueue_call("builtin:sleep", Args::of(30.0), o);
  // The rescuer is already running when the job is abandoned, and its
  // periodic maintenance (every second, lock held 1 s) picks the job up
  // once the dead worker's key has expired; while the doomed worker lived,
  // the same maintenance left its job alone (kill_worker_running checks).
  std::optional<Process> rescuer;
  kill_worker_running(f, "doomed2", "maint2", job.id(), [&] {
    rescuer.emplace(f.worker_argv(with(kShortTtls, {"--name", "rescuer2", "--maintenance-interval",
                                                    "1", "maint2"})),
                    std::map<std::string, std::string>{}, log_path("rescuer2"));
    REQUIRE(f.eventually([&] { return f.exists(keys::worker("rescuer2")); }));
  });
  // Retried: queued again, run by the rescuer, and this time it times out.
  REQUIRE(f.eventually([&] { return f.status(job.id()) == "failed"; }, 20s));
  CHECK(f.hget(keys::job(job.id()), "retries_left") == "0");
  CHECK(f.hget(keys::job(job.id()), "worker_name") == "rescuer2");
  CHECK_THAT(f.exc_info(job.id()), Catch::Contains("JobTimeoutException"));
  rescuer->signal(SIGTERM);
  CHECK(rescuer->wait(10s) == 0);
}

TEST_CASE("the cleaning lock lives --maintenance-interval - 1 seconds", "[worker][maintenance]") {
  WorkerFixture f;
  Process w(f.worker_argv({"--name", "lockw", "--maintenance-interval", "5", "lockq"}), {},
            log_path("lockw"));
  REQUIRE(f.eventually([&] { return f.exists(keys::clean_lock("lockq")); }));
  long long ttl = f.ttl(keys::clean_lock("lockq"));
  CHECK(ttl > 0);
  CHECK(ttl <= 4);
  // Expired by itself before the next run, which takes it again.
  REQUIRE(f.eventually([&] { return !f.exists(keys::clean_lock("lockq")); }, 6s));
  REQUIRE(f.eventually([&] { return f.exists(keys::clean_lock("lockq")); }, 4s));
  w.signal(SIGTERM);
  CHECK(w.wait(10s) == 0);

  // The default interval (RQ's 600 s) holds it 599 s.
  f.burst({"--name", "lockw2", "lockq2"});
  ttl = f.ttl(keys::clean_lock("lockq2"));
  CHECK(ttl > 590);
  CHECK(ttl <= 599);
}
