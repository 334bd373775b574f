// Per-job resource limits (rqworker --job-memory-limit, --job-cpu-limit,
// --job-max-open-files and a job's meta rqcpp_limits) with real workers: a
// job that crosses one fails naming it, the worker goes on, the next job runs
// normally; a job can lower its worker's limits, never raise them.
#include "rqcpp/worker/job_limits.hpp"

#include <chrono>

#include "rqcpp/serialization.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace {

// What the test itself was built with (the whole tree shares the flags): a
// sanitizer build refuses memory limits.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif
#else
constexpr bool kSanitizerBuild = false;
#endif

EnqueueOptions with_meta(const std::string& json) {
  EnqueueOptions o;
  o.meta = json_to_msgpack(json);
  return o;
}

std::string limits_meta(const std::string& limits_json) {
  return "{\"rqcpp_limits\": " + limits_json + "}";
}

void check_failed(WorkerFixture& f, const std::string& id, const std::string& expect,
                  const std::string& log) {
  INFO("job " << id << "\nworker log:\n" << log);
  CHECK(f.status(id) == "failed");
  CHECK_THAT(f.exc_info(id), Contains(expect));
}

}  // namespace

TEST_CASE("rqcpp_limits in meta: parsed, checked, and never above the worker's",
          "[worker][limits]") {
  auto from = [](const std::string& json) { return job_limits_from_meta(json_to_msgpack(json)); };
  CHECK(from("{}") == JobLimits{});
  CHECK(from("{\"other\": 1}") == JobLimits{});
  const JobLimits l = from(limits_meta(R"({"memory": "128M", "cpu": "2m", "open_files": 9})"));
  CHECK(l.memory_bytes == 128ULL << 20);
  CHECK(l.cpu == std::chrono::seconds(120));
  CHECK(l.open_files == 9);
  CHECK(from(limits_meta(R"({"memory": 4096, "cpu": 3})")).memory_bytes == 4096);
  for (const char* bad :
       {R"(5)", R"({"mem": 1})", R"({"memory": 0})", R"({"cpu": -1})", R"({"cpu": 1.5})",
        R"({"memory": "12X"})", R"({"open_files": "9"})", R"({"cpu": "soon"})", R"([1])"}) {
    INFO(bad);
    CHECK_THROWS_WITH(from(limits_meta(bad)), Contains("invalid meta['rqcpp_limits']"));
  }

  JobLimits worker;
  worker.memory_bytes = 256ULL << 20;
  worker.cpu = std::chrono::seconds(10);
  JobLimits job;
  job.memory_bytes = 1ULL << 30;      // above the worker's: the worker's
  job.cpu = std::chrono::seconds(2);  // below: the job's
  job.open_files = 5;                 // the worker has none: the job's
  const JobLimits eff = effective_job_limits(worker, job);
  CHECK(eff.memory_bytes == 256ULL << 20);
  CHECK(eff.cpu == std::chrono::seconds(2));
  CHECK(eff.open_files == 5);
  CHECK(effective_job_limits(worker, JobLimits{}) == worker);
}

TEST_CASE("rqworker --job-memory-limit fails a job that allocates past it and the worker goes on",
          "[worker][limits]") {
  CHECK(kJobMemoryLimitSupported == !kSanitizerBuild);
  WorkerFixture f;
  Queue q(f.conn, "mem");
  if (!kJobMemoryLimitSupported) {
    // The documented refusal of a sanitizer build: a usage error at start,
    // and a job asking for a memory limit fails instead of running unlimited.
    RunResult r = run(f.worker_argv({"--burst", "--job-memory-limit", "256M", "mem"}));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("--job-memory-limit is not available in a sanitizer build"));
    const std::string asked =
        q.enqueue_with(with_meta(limits_meta(R"({"memory": "64M"})")), "builtin:allocate", 16).id();
    const std::string next = q.enqueue("builtin:add", 1, 2).id();
    RunResult w = f.burst({"mem"});
    check_failed(f, asked, "cannot be applied: this rqworker is a sanitizer build", w.err);
    CHECK(Job::fetch(f.conn, next).result<long long>() == 3);
    return;
  }
  const std::string big = q.enqueue("builtin:allocate", 1024).id();
  const std::string small = q.enqueue("builtin:allocate", 16).id();
  const std::string add = q.enqueue("builtin:add", 20, 22).id();
  // The job lowers the worker's limit for itself.
  const std::string lowered =
      q.enqueue_with(with_meta(limits_meta(R"({"memory": "64M"})")), "builtin:allocate", 128).id();
  const std::string fits =
      q.enqueue_with(with_meta(limits_meta(R"({"memory": "64M"})")), "builtin:allocate", 16).id();
  // Asking for more than the worker's gets the worker's.
  const std::string above =
      q.enqueue_with(with_meta(limits_meta(R"({"memory": "4G"})")), "builtin:allocate", 512).id();
  RunResult r = f.burst({"--name", "w-mem", "--job-memory-limit", "256M", "mem"});
  check_failed(f, big,
               "JobMemoryLimitExceeded: the job crossed its memory limit of 256 MiB (rqworker "
               "--job-memory-limit): std::bad_alloc",
               r.err);
  check_failed(f, lowered,
               "JobMemoryLimitExceeded: the job crossed its memory limit of 64 MiB (the job's "
               "meta['rqcpp_limits']['memory'])",
               r.err);
  check_failed(f, above, "memory limit of 256 MiB (rqworker --job-memory-limit)", r.err);
  CHECK(Job::fetch(f.conn, small).result<long long>() == 16);
  CHECK(Job::fetch(f.conn, fits).result<long long>() == 16);
  CHECK(Job::fetch(f.conn, add).result<long long>() == 42);
  CHECK(f.hget(keys::worker("w-mem"), "failed_job_count") == "3");

  // A job can set a limit its worker does not have.
  const std::string own =
      q.enqueue_with(with_meta(limits_meta(R"({"memory": 67108864})")), "builtin:allocate", 128)
          .id();
  const std::string free_run = q.enqueue("builtin:allocate", 128).id();
  RunResult r2 = f.burst({"mem"});
  check_failed(f, own, "JobMemoryLimitExceeded: the job crossed its memory limit of 64 MiB",
               r2.err);
  CHECK(Job::fetch(f.conn, free_run).result<long long>() == 128);
}

TEST_CASE("rqworker --job-cpu-limit kills a job that burns past it quickly and the worker goes on",
          "[worker][limits]") {
  WorkerFixture f;
  Queue q(f.conn, "cpu");
  // Asks for more than the worker's 1 s: gets 1 s.
  const std::string burner =
      q.enqueue_with(with_meta(limits_meta(R"({"cpu": 10})")), "builtin:burn_cpu", 30.0).id();
  const std::string after = q.enqueue("builtin:add", 1, 2).id();
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r = f.burst({"--name", "w-cpu", "--job-cpu-limit", "1", "cpu"});
  const auto took = std::chrono::steady_clock::now() - t0;
  check_failed(f, burner,
               "JobCpuLimitExceeded: the job used up its CPU time limit of 1 s (rqworker "
               "--job-cpu-limit): Work-horse terminated unexpectedly",
               r.err);
  CHECK_THAT(f.exc_info(burner), Contains("(signal 24: SIGXCPU)"));
  CHECK(Job::fetch(f.conn, after).result<long long>() == 3);
  CHECK(took < std::chrono::seconds(20));  // killed at 1 s of CPU, not at 30 s

  // The job's own limit, on a worker without one; a job within it finishes.
  const std::string own =
      q.enqueue_with(with_meta(limits_meta(R"({"cpu": "1s"})")), "builtin:burn_cpu", 30.0).id();
  const std::string within =
      q.enqueue_with(with_meta(limits_meta(R"({"cpu": 5})")), "builtin:burn_cpu", 0.1).id();
  RunResult r2 = f.burst({"cpu"});
  check_failed(f, own, "CPU time limit of 1 s (the job's meta['rqcpp_limits']['cpu'])", r2.err);
  CHECK(Job::fetch(f.conn, within).result<double>() == 0.1);
}

TEST_CASE("rqworker --job-max-open-files caps a job's descriptors and a job can only lower it",
          "[worker][limits]") {
  WorkerFixture f;
  Queue q(f.conn, "fds");
  const std::string capped = q.enqueue("builtin:open_files", 100).id();
  const std::string lowered =
      q.enqueue_with(with_meta(limits_meta(R"({"open_files": 3})")), "builtin:open_files", 100)
          .id();
  const std::string above =
      q.enqueue_with(with_meta(limits_meta(R"({"open_files": 50})")), "builtin:open_files", 100)
          .id();
  const std::string within = q.enqueue("builtin:open_files", 5).id();
  RunResult r = f.burst({"--job-max-open-files", "8", "fds"});
  INFO(r.err);
  CHECK(Job::fetch(f.conn, capped).result<long long>() == 8);
  CHECK(Job::fetch(f.conn, lowered).result<long long>() == 3);
  CHECK(Job::fetch(f.conn, above).result<long long>() == 8);
  CHECK(Job::fetch(f.conn, within).result<long long>() == 5);

  // Without a limit the same job opens all 100.
  const std::string free_run = q.enqueue("builtin:open_files", 100).id();
  f.burst({"fds"});
  CHECK(Job::fetch(f.conn, free_run).result<long long>() == 100);
}

TEST_CASE("an invalid rqcpp_limits fails its job clearly, unrun, and the worker goes on",
          "[worker][limits]") {
  WorkerFixture f;
  Queue q(f.conn, "badlim");
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"("lots")", "must be a map with keys memory, cpu, open_files"},
      {R"({"mem": "1G"})", "unknown key 'mem' (known: memory, cpu, open_files)"},
      {R"({"memory": "12X"})", "memory: invalid size '12X'"},
      {R"({"cpu": 0})", "cpu must be above 0"},
      {R"({"open_files": 2.5})", "open_files must be an integer"},
  };
  std::vector<std::string> ids;
  // builtin:progress would save meta["progress"] if it ran: it must not.
  for (const auto& c : cases) {
    ids.push_back(q.enqueue_with(with_meta(limits_meta(c.first)), "builtin:progress", 1).id());
  }
  const std::string after = q.enqueue("builtin:add", 2, 2).id();
  RunResult r = f.burst({"badlim"});
  for (size_t i = 0; i < cases.size(); ++i) {
    check_failed(f, ids[i], "ValueError: invalid meta['rqcpp_limits']: " + cases[i].second, r.err);
    CHECK_THAT(decode_value(f.hget(keys::job(ids[i]), "meta"), Serializer::kMsgpack),
               !Contains("progress"));
  }
  CHECK(Job::fetch(f.conn, after).result<long long>() == 4);

  // The no-fork worker cannot limit a job: it fails the job rather than run
  // it unlimited.
  const std::string simple =
      q.enqueue_with(with_meta(limits_meta(R"({"cpu": 5})")), "builtin:add", 1, 1).id();
  RunResult s = f.burst({"--worker-class", "simple", "badlim"});
  check_failed(f, simple, "RuntimeError: meta['rqcpp_limits'] cannot be applied", s.err);
}

TEST_CASE("bad job-limit options are a usage error at start", "[worker][limits]") {
  WorkerFixture f;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--job-memory-limit", "12X"}, "--job-memory-limit: invalid size '12X'"},
      {{"--job-memory-limit", "-5M"}, "--job-memory-limit: invalid size '-5M'"},
      {{"--job-cpu-limit", "soon"}, "--job-cpu-limit: invalid duration 'soon'"},
      {{"--job-cpu-limit", "-1"}, "must not be negative"},
      {{"--job-max-open-files", "-1"}, "must not be negative"},
      {{"--job-max-open-files", "many"}, "job-max-open-files"},
      {{"--worker-class", "simple", "--job-cpu-limit", "1"},
       "--worker-class simple runs jobs in the worker process"},
  };
  for (const auto& [args, expect] : cases) {
    std::vector<std::string> a{"--burst"};
    a.insert(a.end(), args.begin(), args.end());
    a.push_back("q");
    RunResult r = run(f.worker_argv(a), std::chrono::seconds(20));
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(expect));
  }
  RunResult help = run({rqworker_path(), "--help"});
  CHECK_THAT(help.out, Contains("--job-memory-limit") && Contains("--job-cpu-limit") &&
                           Contains("--job-max-open-files"));
}
