// Failover under running workers (docs/zero-loss.md, "Failover"): a master,
// a replica and three redis-sentinel processes; two rqworkers and the
// producer use the redis+sentinel:// URL. The master is SIGKILLed while both
// workers run a job and right after a burst of enqueues. The workers find
// the promoted replica and go on: the jobs they ran during the failover are
// finished once, every job enqueued after it finishes, no worker exits. Jobs
// the master acknowledged but had not yet sent to the replica are gone with
// it (asynchronous replication); the test prints how many.
#include <signal.h>
#include <sys/wait.h>

#include <iostream>

#include "rqcpp/error.hpp"
#include "sentinel_cluster.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Steady = std::chrono::steady_clock;

namespace {

std::string status_of(Connection& c, const std::string& id) {
  return std::string(c.checked({"HGET", keys::job(id), "status"}).str());
}

long long successful_results(Connection& c, const std::string& id) {
  Reply r = c.checked({"XRANGE", keys::results(id), "-", "+"});
  long long ok = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    auto kv = r.at(i).at(1).strings();
    for (size_t k = 0; k + 1 < kv.size(); k += 2) {
      if (kv[k] == "type" && kv[k + 1] == "1") ++ok;
    }
  }
  return ok;
}

template <class Pred>
bool poll_until(Pred pred, std::chrono::seconds timeout) {
  const auto deadline = Steady::now() + timeout;
  while (!pred()) {
    if (Steady::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

TEST_CASE("failover: master SIGKILLed under running workers, later jobs all finish",
          "[worker][sentinel][zero-loss]") {
  SentinelCluster cluster(std::chrono::seconds(1));
  const std::string url = cluster.url();
  const std::string queue = "failover";
  Connection conn = Connection::open(url);
  Queue q(conn, queue);
  // Retries let a job that was finished on the dead master, but still
  // started on the replica, run again once the deadline of its heartbeat
  // passes (instead of failing as abandoned).
  EnqueueOptions opts;
  opts.retry = Retry{3, {0}};

  std::vector<std::string> before;  // every job enqueued before the kill
  for (int i = 0; i < 200; ++i) before.push_back(q.enqueue_with(opts, "builtin:add", i, 1).id());
  std::vector<std::string> sleepers;  // running in both workers at the kill
  for (int i = 0; i < 2; ++i) sleepers.push_back(q.enqueue_with(opts, "builtin:sleep", 1.0).id());
  before.insert(before.end(), sleepers.begin(), sleepers.end());

  // --heartbeat-grace stays above the failover's stall (about 3-5 s here):
  // a live worker's job must not be taken for abandoned meanwhile.
  auto argv = [&](const std::string& name) {
    return std::vector<std::string>{rqworker_path(),
                                    "--url",
                                    url,
                                    "--plugin-dir",
                                    plugin_dir(),
                                    "--name",
                                    name,
                                    "--job-monitoring-interval",
                                    "1",
                                    "--heartbeat-grace",
                                    "15",
                                    "--maintenance-interval",
                                    "1",
                                    queue};
  };
  Process w1(argv("failover-1"), {}, log_path("failover-1"));
  Process w2(argv("failover-2"), {}, log_path("failover-2"));

  REQUIRE(poll_until(
      [&] {
        return status_of(conn, sleepers[0]) == "started" &&
               status_of(conn, sleepers[1]) == "started";
      },
      std::chrono::seconds(20)));
  // Both sleepers are started on the replica too: their outcome, computed
  // during the failover, must reach the new master.
  REQUIRE(conn.checked({"WAIT", "1", "5000"}).integer() == 1);
  // A burst of enqueues, then the crash right after the last one is
  // acknowledged: what the replica had not received yet is lost.
  for (int i = 0; i < 100; ++i) before.push_back(q.enqueue_with(opts, "builtin:add", i, 2).id());
  const auto killed_at = Steady::now();
  cluster.master().crash();

  REQUIRE(cluster.wait_for_promotion(std::chrono::seconds(30)));
  const double failover_s = std::chrono::duration<double>(Steady::now() - killed_at).count();
  // The producer's connection broke with the master; its reconnect asks
  // the Sentinels again.
  REQUIRE(poll_until(
      [&] {
        try {
          conn.reconnect();
          return true;
        } catch (const RedisError&) {
          return false;
        }
      },
      std::chrono::seconds(10)));
  REQUIRE(conn.checked({"CONFIG", "GET", "port"}).strings().at(1) ==
          std::to_string(cluster.replica().port()));

  std::vector<std::string> after;
  for (int i = 0; i < 200; ++i) after.push_back(q.enqueue_with(opts, "builtin:add", i, 3).id());
  RunResult cli = run({rqctl_path(), "--url", url, "enqueue", queue, "builtin:add", "40", "2"});
  INFO("rqctl: " << cli.err);
  REQUIRE(cli.exit_code == 0);
  after.push_back(cli.out.substr(0, cli.out.find('\n')));

  // Jobs the replica never received are lost; every other one finishes.
  std::vector<std::string> lost, survivors;
  for (const auto& id : before) {
    (conn.checked({"EXISTS", keys::job(id)}).integer() == 1 ? survivors : lost).push_back(id);
  }
  auto all_finished = [&](const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      if (status_of(conn, id) != "finished") return false;
    }
    return true;
  };
  const bool after_done = poll_until([&] { return all_finished(after); }, std::chrono::seconds(30));
  const bool survivors_done =
      poll_until([&] { return all_finished(survivors); }, std::chrono::seconds(20));

  long long twice = 0, not_finished = 0;
  for (const auto& id : survivors) {
    if (successful_results(conn, id) > 1) ++twice;
    if (status_of(conn, id) != "finished") ++not_finished;
  }
  for (const auto& id : after) {
    if (status_of(conn, id) != "finished") ++not_finished;
  }
  std::cout << "failover: jobs_before_kill=" << before.size() << " lost_before_kill=" << lost.size()
            << " (acknowledged by the master, not yet on the replica)"
            << " jobs_after_failover=" << after.size() << " not_finished=" << not_finished
            << " finished_twice=" << twice << " failover_s=" << failover_s << "\n";
  CHECK(after_done);
  CHECK(survivors_done);
  CHECK(not_finished == 0);
  CHECK(twice == 0);
  // The jobs running during the failover were finished with their results
  // kept by the workers (zero-loss rule), once each.
  for (const auto& id : sleepers) {
    CHECK(status_of(conn, id) == "finished");
    CHECK(successful_results(conn, id) == 1);
  }
  // No worker exited; both stop cleanly when asked.
  CHECK(w1.running());
  CHECK(w2.running());
  w1.signal(SIGTERM);
  w2.signal(SIGTERM);
  const int s1 = w1.wait(std::chrono::seconds(15));
  const int s2 = w2.wait(std::chrono::seconds(15));
  CHECK((WIFEXITED(s1) && WEXITSTATUS(s1) == 0));
  CHECK((WIFEXITED(s2) && WEXITSTATUS(s2) == 0));
}
