// 1,000 jobs enqueued by 1,000 rqctl processes, all run by one burst worker.
#include <atomic>
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/registry.hpp>
#include <set>
#include <thread>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

TEST_CASE("1000 builtin:add jobs from rqctl are all run right by rqworker --burst",
          "[cli][bulk][worker]") {
  constexpr int kJobs = 1000;
  constexpr int kParallel = 4;
  RedisServer redis;

  // A few rqctl processes at a time; Catch2 assertions stay on this thread.
  std::vector<RunResult> results(kJobs);
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kParallel; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kJobs; i = next++) {
        try {
          results[i] = rqctl(
              redis, {"enqueue", "bulk", "builtin:add", std::to_string(i), std::to_string(2 * i)});
        } catch (const std::exception& e) {
          results[i].exit_code = -2;
          results[i].err = e.what();
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  std::vector<std::string> ids(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    INFO("job " << i << " stderr: " << results[i].err);
    REQUIRE(results[i].exit_code == 0);
    ids[i] = printed_id(results[i]);
  }
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == static_cast<size_t>(kJobs));

  Connection conn = Connection::open(redis.url());
  REQUIRE(conn.checked({"LLEN", "rq:queue:bulk"}).integer() == kJobs);

  RunResult worker = run_burst_worker(redis, {"bulk"});
  INFO("rqworker output: " << worker.out << worker.err);
  REQUIRE(worker.exit_code == 0);

  int wrong = 0;
  for (int i = 0; i < kJobs; ++i) {
    Job job = Job::fetch(conn, ids[i]);
    const auto value = job.result<long long>();
    if (job.status() != JobStatus::kFinished || !value || *value != 3LL * i) {
      if (++wrong <= 5) {
        UNSCOPED_INFO("job " << i << " (" << ids[i] << "): status "
                             << (job.status() ? to_string(*job.status()) : "none") << ", result "
                             << (value ? std::to_string(*value) : "none"));
      }
    }
  }
  CHECK(wrong == 0);
  CHECK(conn.checked({"LLEN", "rq:queue:bulk"}).integer() == 0);
  CHECK(Registry(conn, "bulk", RegistryKind::kFinished).count() == kJobs);
  CHECK(Registry(conn, "bulk", RegistryKind::kFailed).count() == 0);
  CHECK(Registry(conn, "bulk", RegistryKind::kStarted).count() == 0);

  // rqctl job --json reads the same results.
  RunResult shown = rqctl(redis, {"job", ids[kJobs - 1], "--json"});
  REQUIRE(shown.exit_code == 0);
  nlohmann::json j = parse_json_output(shown);
  CHECK(j["status"] == "finished");
  CHECK(j["result"] == 3LL * (kJobs - 1));
}
