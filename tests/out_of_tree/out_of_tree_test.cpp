// The installed package works for a plugin author and for a program
// embedding the worker runtime (SyncQueue): `cmake --install` this
// build into a temporary prefix, build tests/out_of_tree/plugin against it
// with find_package(rqcpp), then run its jobs with the real rqworker against
// a private redis-server and read the results back with the core API.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/queue.hpp>
#include <string>
#include <vector>

#include "redis_server.hpp"

namespace fs = std::filesystem;
using rqcpp::test::run;
using rqcpp::test::RunResult;

namespace {

// Runs a step that must succeed; on failure the assertion shows its output.
RunResult step(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  RunResult r = run(argv, timeout);
  std::string cmd;
  for (const auto& a : argv) cmd += a + " ";
  INFO("command: " << cmd << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("a plugin built against the installed package runs in rqworker", "[out_of_tree]") {
  // Fixed place under the build dir (inspectable after a failure), fresh each run.
  const fs::path work = fs::path(RQCPP_OOT_WORK_DIR);
  fs::remove_all(work);
  fs::create_directories(work);
  const fs::path prefix = work / "prefix";
  const fs::path build = work / "build";
  const fs::path plugins = work / "plugins";

  step({RQCPP_OOT_CMAKE, "--install", rqcpp::test::binary_dir(), "--prefix", prefix.string()},
       std::chrono::seconds(120));
  REQUIRE(fs::exists(prefix / RQCPP_OOT_CMAKEDIR / "rqcppConfig.cmake"));
  REQUIRE(fs::exists(prefix / "include" / "rqcpp" / "sdk.hpp"));

  step({RQCPP_OOT_CMAKE, "-S", rqcpp::test::source_dir() + "/tests/out_of_tree/plugin", "-B",
        build.string(), "-DCMAKE_PREFIX_PATH=" + prefix.string(),
        "-DCMAKE_CXX_COMPILER=" RQCPP_OOT_CXX_COMPILER, "-DCMAKE_BUILD_TYPE=Release",
        "-DOOT_PLUGIN_DIR=" + plugins.string()},
       std::chrono::seconds(120));
  step({RQCPP_OOT_CMAKE, "--build", build.string(), "-j2"}, std::chrono::seconds(400));
  REQUIRE(fs::exists(plugins / "libgreeter.so"));

  rqcpp::test::RedisServer redis;
  rqcpp::Connection conn = rqcpp::Connection::open(redis.url());
  rqcpp::Queue queue(conn, "oot");
  const std::string greet_id = queue.enqueue("greeter:greet", std::string("world")).id();
  const std::string total_id =
      queue.enqueue("greeter:total", std::vector<long long>{1, 2, 39}).id();
  const std::string bad_id = queue.enqueue("greeter:greet", 42).id();
  const std::string producer_id =
      trimmed(step({(build / "oot_producer").string(), redis.url(), "oot", "producer"},
                   std::chrono::seconds(30))
                  .out);
  REQUIRE_FALSE(producer_id.empty());

  step({rqcpp::test::rqworker_path(), "--burst", "--url", redis.url(), "--plugin-dir",
        plugins.string(), "oot"},
       std::chrono::seconds(60));

  rqcpp::Job greet = rqcpp::Job::fetch(conn, greet_id);
  REQUIRE(greet.status() == rqcpp::JobStatus::kFinished);
  REQUIRE(greet.result<std::string>() == std::optional<std::string>("hello, world"));
  REQUIRE(rqcpp::Job::fetch(conn, total_id).result<long long>() == std::optional<long long>(42));
  REQUIRE(rqcpp::Job::fetch(conn, producer_id).result<std::string>() ==
          std::optional<std::string>("hello, producer"));

  // The installed runtime: SyncQueue runs the job in the calling process.
  CHECK(trimmed(
            step({(build / "oot_sync").string(), redis.url(), "oot-sync", plugins.string(), "sync"},
                 std::chrono::seconds(30))
                .out) == "hello, sync");

  rqcpp::Job bad = rqcpp::Job::fetch(conn, bad_id);
  REQUIRE(bad.status() == rqcpp::JobStatus::kFailed);
  REQUIRE_THAT(
      bad.exc_info().value_or(""),
      Catch::Contains("TypeError") && Catch::Contains("greet() argument 1: expected str, got int"));

  fs::remove_all(work);  // kept only when the test failed
}
