// Jobs that cannot run (or crash, or hang) fail with a clear exc_info, and
// the worker goes on with the next job.
#include "rqcpp/args.hpp"
#include "rqcpp/timestamp.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;

namespace {

struct Case {
  std::string name;
  std::string id;
  std::string expect;  // substring of exc_info
};

}  // namespace

TEST_CASE("failing or crashing or unrunnable jobs fail clearly and the worker goes on",
          "[worker][failures]") {
  WorkerFixture f;
  Queue q(f.conn, "bad");
  std::vector<Case> cases;
  std::vector<std::string> good;
  auto then_good = [&] { good.push_back(q.enqueue("builtin:add", 20, 22).id()); };

  cases.push_back(
      {"fail", q.enqueue("builtin:fail", std::string("boom")).id(), "ValueError: boom"});
  then_good();
  cases.push_back({"segv", q.enqueue("builtin:crash", std::string("segv")).id(),
                   "Work-horse terminated unexpectedly; waitpid returned 11 (signal 11: SIGSEGV)"});
  then_good();
  cases.push_back(
      {"abort", q.enqueue("builtin:crash", std::string("abort")).id(), "(signal 6: SIGABRT)"});
  then_good();
  cases.push_back({"exit", q.enqueue("builtin:crash", std::string("exit")).id(),
                   "Work-horse exited with status 3 without reporting an outcome"});
  then_good();
  cases.push_back(
      {"missing plugin", q.enqueue("nosuch:f").id(),
       "PluginError: unknown plugin 'nosuch' (no libnosuch.so or nosuch.so in " + plugin_dir()});
  then_good();
  cases.push_back({"missing function", q.enqueue("builtin:nosuch").id(),
                   "PluginError: no function 'nosuch' in plugin 'builtin' (it offers: add"});
  then_good();
  cases.push_back({"unlisted symbol", q.enqueue("extra:unlisted").id(),
                   "PluginError: no function 'unlisted' in plugin 'extra' (it offers: listed)"});
  then_good();
  cases.push_back(
      {"bad abi", q.enqueue("badabi:f").id(), "PluginError: ABI mismatch (plugin 999, worker 1)"});
  then_good();
  cases.push_back({"no manifest", q.enqueue("nomanifest:f").id(),
                   "PluginError: not an rqcpp plugin (no rqcpp_plugin_manifest"});
  then_good();

  write_raw_job(f.conn, "bad", "traversal",
                encode_job_data(JobCall{"../x:f", std::string("\x90", 1), std::string("\x80", 1)},
                                Serializer::kMsgpack));
  cases.push_back({"path traversal", "traversal", "PluginError: invalid plugin name '../x'"});
  then_good();
  // msgpack array of 4 announced, args array of 2 announced but cut short
  write_raw_job(
      f.conn, "bad", "malformed",
      zlib_compress(std::string("\x94\xab") + "builtin:add" + std::string("\xc0\x92\x01")));
  cases.push_back({"malformed msgpack", "malformed", "DecodeError: job data cannot be decoded"});
  then_good();
  write_raw_job(f.conn, "bad", "garbage", std::string("\xc1\xc1\xc1", 3));
  cases.push_back({"garbage data", "garbage", "DecodeError: job data cannot be decoded"});
  then_good();

  RunResult r = f.burst({"--name", "w-failures", "bad"});

  for (const Case& c : cases) {
    INFO(c.name << " (job " << c.id << ")\nworker log:\n" << r.err);
    CHECK(f.status(c.id) == "failed");
    CHECK(f.zscore(keys::failed("bad"), c.id).has_value());
    CHECK_FALSE(f.zscore(keys::started("bad"), c.id).has_value());
    std::string exc = f.exc_info(c.id);
    CHECK_THAT(exc, Contains(c.expect));
    if (exc.rfind("Traceback", 0) == 0) CHECK_THAT(exc, EndsWith("\n"));
  }
  for (const std::string& id : good) {
    INFO("good job " << id);
    CHECK(Job::fetch(f.conn, id).result<long long>() == 42);
  }
  // One worker did all of it.
  CHECK(f.hget(keys::worker("w-failures"), "failed_job_count") == std::to_string(cases.size()));
  CHECK(f.hget(keys::worker("w-failures"), "successful_job_count") == std::to_string(good.size()));
}

TEST_CASE("a job outliving its timeout is killed and fails fast", "[worker][failures]") {
  WorkerFixture f;
  Queue q(f.conn, "slow");
  EnqueueOptions opts;
  opts.job_timeout = 1;
  std::string id = q.enqueue_with(opts, "builtin:sleep", 5.0).id();
  std::string after = q.enqueue("builtin:add", 1, 1).id();

  auto t0 = std::chrono::steady_clock::now();
  f.burst({"slow"});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(secs < 4.0);
  CHECK(f.status(id) == "failed");
  CHECK_THAT(f.exc_info(id),
             EndsWith("JobTimeoutException: Task exceeded maximum timeout value (1 seconds)\n"));
  CHECK(Job::fetch(f.conn, after).result<long long>() == 2);
}

// Issue 10, defects 3 and 13: a timeout past the clock's range used to be a
// deadline that overflowed and fired at once; sleep(1e308) returned at once.
TEST_CASE("a timeout beyond the clock's range is no limit, and sleep(1e308) sleeps",
          "[worker][failures]") {
  WorkerFixture f;
  Queue q(f.conn, "far");
  EnqueueOptions huge;
  huge.job_timeout = 10'000'000'000LL;
  std::string big = q.enqueue_with(huge, "builtin:add", 1, 2).id();
  std::string inf = q.enqueue("builtin:add", 2, 2).id();
  f.conn.checked({"HSET", keys::job(inf), "timeout", "inf"});
  EnqueueOptions one;
  one.job_timeout = 1;
  std::string sleeper = q.enqueue_with(one, "builtin:sleep", 1e308).id();

  auto t0 = std::chrono::steady_clock::now();
  f.burst({"far"});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(f.status(big) == "finished");
  CHECK(Job::fetch(f.conn, big).result<long long>() == 3);
  CHECK(f.status(inf) == "finished");
  CHECK(f.status(sleeper) == "failed");
  CHECK_THAT(f.exc_info(sleeper),
             EndsWith("JobTimeoutException: Task exceeded maximum timeout value (1 seconds)\n"));
  CHECK(secs >= 1.0);
}

// Issue 10, defect 1: JSON args nested ~100,000 deep (200 KB, under 1 KB
// compressed) crashed the worker process itself: the JSON -> msgpack
// conversion recursed per level. Now the depth is bounded and the job fails.
TEST_CASE("a JSON job nested 100,000 deep fails clearly and the worker goes on",
          "[worker][failures]") {
  WorkerFixture f;
  Queue q(f.conn, "deep");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  write_raw_job(f.conn, "deep", "deep",
                zlib_compress("[\"builtin:echo\", null, [" + deep + "], {}]"));
  std::string after = q.enqueue("builtin:add", 1, 1).id();
  RunResult r = f.burst({"deep"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(f.status("deep") == "failed");
  CHECK_THAT(f.exc_info("deep"), Contains("nested deeper than 1000"));
  CHECK(f.status(after) == "finished");
}
