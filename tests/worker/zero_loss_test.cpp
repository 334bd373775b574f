// Zero loss under chaos and outages (docs/zero-loss.md): workers and horses
// SIGKILLed at random, Redis stopped mid-run; every job still finishes, none
// is lost, none finishes twice.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <msgpack.hpp>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "rqcpp/maintenance.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Steady = std::chrono::steady_clock;

namespace {

// The children of `pid` (its work horse, if one runs), from procfs.
std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                   "/children");
  std::vector<pid_t> out;
  pid_t child = 0;
  while (in >> child) out.push_back(child);
  return out;
}

// Per job: how many successful and failed result entries it has.
struct ResultCounts {
  long long ok = 0;
  long long failed = 0;
  std::string value;  // the successful entry's base64 return value
};
ResultCounts results_of(Connection& conn, const std::string& id) {
  ResultCounts c;
  Reply r = conn.checked({"XRANGE", keys::results(id), "-", "+"});
  for (size_t i = 0; i < r.size(); ++i) {
    std::vector<std::string> kv = r.at(i).at(1).strings();
    std::string type, value;
    for (size_t k = 0; k + 1 < kv.size(); k += 2) {
      if (kv[k] == "type") type = kv[k + 1];
      if (kv[k] == "return_value") value = kv[k + 1];
    }
    if (type == "1") {
      ++c.ok;
      c.value = value;
    } else {
      ++c.failed;
    }
  }
  return c;
}

std::string b64_msgpack_int(long long v) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, v);
  return base64_encode(std::string_view(buf.data(), buf.size()));
}

// Enqueues n builtin:add(i, 1000) jobs; returns the ids in order.
std::vector<std::string> enqueue_adds(Connection& conn, const std::string& queue, int n) {
  Queue q(conn, queue);
  std::vector<std::string> ids;
  ids.reserve(n);
  for (int i = 0; i < n; ++i) ids.push_back(q.enqueue("builtin:add", i, 1000).id());
  return ids;
}

}  // namespace

TEST_CASE("chaos: random SIGKILLs of workers and horses lose no job", "[worker][zero-loss]") {
  WorkerFixture f;
  const std::string queue = "chaos";
  const int kJobs = 2000;
  std::vector<std::string> ids = enqueue_adds(f.conn, queue, kJobs);
  Queue q(f.conn, queue);

  struct Running {
    std::string name;
    std::unique_ptr<Process> proc;
  };
  int generation = 0;
  auto start_worker = [&] {
    std::string name = "chaos-" + std::to_string(generation++);
    auto p = std::make_unique<Process>(
        f.worker_argv({"--name", name, "--job-monitoring-interval", "1", queue}),
        std::map<std::string, std::string>{}, log_path(name));
    return Running{name, std::move(p)};
  };
  std::vector<Running> workers;
  workers.push_back(start_worker());
  workers.push_back(start_worker());

  std::mt19937 rng(std::random_device{}());
  long long worker_kills = 0, horse_kills = 0, requeued = 0, retried = 0, abandoned = 0;
  auto maintain = [&] {
    CleanReport rep = clean_registries(f.conn, queue, CleanLock::kIgnore);
    abandoned += static_cast<long long>(rep.failed.size() + rep.retried.size());
    retried += static_cast<long long>(rep.retried.size());
    requeued += q.requeue_all_failed();
  };
  auto finished_count = [&] {
    return f.conn.checked({"ZCARD", keys::finished(queue)}).integer();
  };

  const auto deadline = Steady::now() + std::chrono::seconds(70);
  auto next_kill = Steady::now() + std::chrono::milliseconds(200);
  while (finished_count() < kJobs && Steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (Steady::now() >= next_kill) {
      next_kill = Steady::now() + std::chrono::milliseconds(100 + rng() % 300);
      Running& victim = workers[rng() % workers.size()];
      std::vector<pid_t> horses = children_of(victim.proc->pid());
      if (rng() % 3 != 0 && !horses.empty()) {
        ::kill(horses.front(), SIGKILL);
        ++horse_kills;
      } else {
        victim.proc->signal(SIGKILL);
        REQUIRE(victim.proc->wait(std::chrono::seconds(5)) != -1);
        ++worker_kills;
        // The worker key would expire by itself after its heartbeat TTL
        // (job_monitoring_interval + 60 s); fast-forward that expiry so
        // the dead-worker rule applies now rather than in a minute.
        f.conn.checked({"PEXPIRE", keys::worker(victim.name), "1"});
        victim = start_worker();
      }
    }
    maintain();
  }
  // Let the last horse-killed failures land, then recover them.
  for (int i = 0; i < 200 && finished_count() < kJobs; ++i) {
    maintain();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& w : workers) w.proc->signal(SIGTERM);
  for (auto& w : workers) CHECK(w.proc->wait(std::chrono::seconds(10)) != -1);

  long long lost = 0, double_finished = 0, failed_entries = 0, wrong_value = 0;
  for (int i = 0; i < kJobs; ++i) {
    const std::string& id = ids[i];
    ResultCounts rc = results_of(f.conn, id);
    if (f.status(id) != "finished" || !f.zscore(keys::finished(queue), id)) ++lost;
    if (rc.ok > 1) ++double_finished;
    if (rc.ok == 1 && rc.value != b64_msgpack_int(i + 1000)) ++wrong_value;
    failed_entries += rc.failed;
  }
  long long reruns = requeued + retried;
  std::cout << "chaos: jobs=" << kJobs << " worker_kills=" << worker_kills
            << " horse_kills=" << horse_kills << " abandoned(dead worker)=" << abandoned
            << " failed_results(horse killed)=" << failed_entries << " re-run=" << reruns
            << " lost=" << lost << " finished_twice=" << double_finished << "\n";
  CHECK(lost == 0);
  CHECK(double_finished == 0);
  CHECK(wrong_value == 0);
  CHECK(worker_kills + horse_kills >= 5);
  // At least once: a job runs again only after it was recovered.
  CHECK(failed_entries <= reruns);
  CHECK(f.conn.checked({"LLEN", keys::queue(queue)}).integer() == 0);
  CHECK(f.conn.checked({"ZCARD", keys::started(queue)}).integer() == 0);
}

TEST_CASE("outage: Redis stopped for 5 s mid-run loses no job", "[worker][zero-loss]") {
  RedisServer redis(RedisServer::Persistence::kAppendOnly);
  Connection conn = Connection::open(redis.url());
  const std::string queue = "outage";
  const int kJobs = 1000;
  std::vector<std::string> ids = enqueue_adds(conn, queue, kJobs);
  // Slow the run down enough that the outage hits it in the middle: a
  // few jobs sleep, the rest are adds.
  Queue q(conn, queue);
  std::vector<std::string> sleepers;
  for (int i = 0; i < 40; ++i) sleepers.push_back(q.enqueue("builtin:sleep", 0.1).id());

  auto argv = [&](const std::string& name) {
    return std::vector<std::string>{rqworker_path(), "--url", redis.url(), "--plugin-dir",
                                    plugin_dir(), "--name", name, "--job-monitoring-interval",
                                    "1", queue};
  };
  Process w1(argv("outage-1"), {}, log_path("outage-1"));
  Process w2(argv("outage-2"), {}, log_path("outage-2"));

  auto finished = [&](Connection& c) {
    return c.checked({"ZCARD", keys::finished(queue)}).integer();
  };
  const long long total = kJobs + static_cast<long long>(sleepers.size());
  auto deadline = Steady::now() + std::chrono::seconds(20);
  while (finished(conn) < 300 && Steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  long long before = finished(conn);
  redis.stop();
  std::this_thread::sleep_for(std::chrono::seconds(5));
  redis.start();
  Connection again = Connection::open(redis.url());
  deadline = Steady::now() + std::chrono::seconds(40);
  while (finished(again) < total && Steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  w1.signal(SIGTERM);
  w2.signal(SIGTERM);
  CHECK(w1.wait(std::chrono::seconds(10)) != -1);
  CHECK(w2.wait(std::chrono::seconds(10)) != -1);

  long long lost = 0, double_finished = 0, wrong_value = 0, failed_entries = 0;
  for (int i = 0; i < kJobs; ++i) {
    ResultCounts rc = results_of(again, ids[i]);
    std::string st(again.checked({"HGET", keys::job(ids[i]), "status"}).str());
    if (st != "finished") ++lost;
    if (rc.ok > 1) ++double_finished;
    if (rc.ok == 1 && rc.value != b64_msgpack_int(i + 1000)) ++wrong_value;
    failed_entries += rc.failed;
  }
  for (const auto& id : sleepers) {
    std::string st(again.checked({"HGET", keys::job(id), "status"}).str());
    if (st != "finished") ++lost;
  }
  std::cout << "outage: jobs=" << total << " finished_before_stop=" << before
            << " outage=5s lost=" << lost << " finished_twice=" << double_finished
            << " failed_results=" << failed_entries << "\n";
  CHECK(before < total);  // the outage did hit the run in the middle
  CHECK(lost == 0);
  CHECK(double_finished == 0);
  CHECK(wrong_value == 0);
  CHECK(failed_entries == 0);
  CHECK(again.checked({"ZCARD", keys::started(queue)}).integer() == 0);
}
