// A burst worker drains a queue: every result right, one Redis round trip
// per job in steady state.
#include <signal.h>

#include <fstream>
#include <sstream>

#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

std::vector<Job> enqueue_adds(Connection& conn, const std::string& queue, int n) {
  Queue q(conn, queue);
  std::vector<JobSpec> specs;
  for (int i = 0; i < n; ++i) specs.push_back(JobSpec{"builtin:add", Args::of(i, 2 * i), {}});
  return q.enqueue_many(specs);
}

}  // namespace

TEST_CASE("a burst worker runs 1000 add jobs with every result right", "[worker][burst]") {
  WorkerFixture f;
  const int n = 1000;
  std::vector<Job> jobs = enqueue_adds(f.conn, "adds", n);
  REQUIRE(jobs.size() == static_cast<size_t>(n));

  auto t0 = std::chrono::steady_clock::now();
  f.burst({"adds"}, std::chrono::seconds(120));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN("1000 jobs in " << secs << " s");

  for (int i = 0; i < n; ++i) {
    Job j = Job::fetch(f.conn, jobs[i].id());
    INFO("job " << i);
    REQUIRE(j.status() == JobStatus::kFinished);
    REQUIRE(j.result<long long>() == 3LL * i);
  }
  CHECK(f.conn.checked({"LLEN", keys::queue("adds")}).integer() == 0);
  CHECK(f.conn.checked({"ZCARD", keys::started("adds")}).integer() == 0);
  CHECK(f.conn.checked({"ZCARD", keys::finished("adds")}).integer() == n);
}

TEST_CASE("steady state costs one Redis round trip per job", "[worker][burst]") {
  WorkerFixture f;
  const int n = 200;
  enqueue_adds(f.conn, "rt", n);

  // MONITOR lists every command a client sends; commands run inside a
  // script are tagged "lua]" and are not round trips.
  const std::string log = log_path("monitor");
  Process monitor({RQCPP_TEST_REDIS_CLI, "-p", std::to_string(f.redis.port()), "MONITOR"}, {}, log);
  REQUIRE(f.eventually([&] {
    std::ifstream in(log);
    std::string first;
    return std::getline(in, first) && first == "OK";
  }));
  f.burst({"rt"});
  // The death script is the worker's last command: wait until MONITOR shows it.
  f.conn.checked({"PING"});
  REQUIRE(f.eventually([&] {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str().find("\"PING\"") != std::string::npos;
  }));
  monitor.signal(SIGKILL);

  std::ifstream in(log);
  std::string line;
  long long round_trips = 0, fcall = 0;
  while (std::getline(in, line)) {
    if (line == "OK" || line.find("lua]") != std::string::npos) continue;
    if (line.find("\"PING\"") != std::string::npos) break;  // ours, after the worker
    ++round_trips;
    if (line.find("\"FCALL\"") != std::string::npos ||
        line.find("\"fcall\"") != std::string::npos) {
      ++fcall;
    }
  }
  WARN(round_trips << " round trips for " << n << " jobs (" << fcall << " FCALL)");
  // Start-up (CLIENT, FUNCTION LOAD, register, SUBSCRIBE), start-up
  // maintenance (clean_registries + clean_worker_registry: 2 FCALLs), the
  // first take, one finish+take per job, death: at most a handful beyond n.
  CHECK(round_trips <= n + 16);
  CHECK(fcall >= n);
  std::remove(log.c_str());
  CHECK(f.conn.checked({"ZCARD", keys::finished("rt")}).integer() == n);
}

TEST_CASE("two workers on one queue run every job exactly once", "[worker][burst]") {
  WorkerFixture f;
  const int n = 300;
  std::vector<Job> jobs = enqueue_adds(f.conn, "shared", n);
  Process a(f.worker_argv({"--burst", "--name", "wa", "shared"}), {}, log_path("shared_a"));
  Process b(f.worker_argv({"--burst", "--name", "wb", "shared"}), {}, log_path("shared_b"));
  REQUIRE(a.wait(std::chrono::seconds(60)) == 0);
  REQUIRE(b.wait(std::chrono::seconds(60)) == 0);
  long long done_a = std::stoll(f.hget(keys::worker("wa"), "successful_job_count"));
  long long done_b = std::stoll(f.hget(keys::worker("wb"), "successful_job_count"));
  CHECK(done_a + done_b == n);
  for (int i = 0; i < n; ++i) {
    Job j = Job::fetch(f.conn, jobs[i].id());
    REQUIRE(j.result<long long>() == 3LL * i);
    REQUIRE((j.worker_name() == "wa" || j.worker_name() == "wb"));
    REQUIRE(f.conn.checked({"XLEN", keys::results(jobs[i].id())}).integer() == 1);
  }
}
