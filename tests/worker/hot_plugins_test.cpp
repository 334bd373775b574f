// Hot plugins: horses dlopen per job, so a .so dropped into (or renamed
// over one in) the plugin dir serves the next job without a restart, and a
// plugin that crashes or hangs while loading fails only its own jobs.
#include <filesystem>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// A fresh, empty plugin directory for one test.
fs::path temp_plugin_dir(const std::string& tag) {
  fs::path dir =
      fs::path(binary_dir()) / "tests/worker/hot" / (tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Copies `from` into `dir` under a temporary name, then renames it into
// place: the atomic way to publish or replace a plugin.
void install(const fs::path& from, const fs::path& dir) {
  fs::path tmp = dir / (".incoming-" + from.filename().string());
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, dir / from.filename());
}

std::string test_plugin_dir() {
  return binary_dir() + "/test-plugins";
}

}  // namespace

TEST_CASE("a plugin dropped in while the worker runs serves the next job", "[worker][hot]") {
  WorkerFixture f;
  fs::path dir = temp_plugin_dir("drop");
  install(fs::path(plugin_dir()) / "libbuiltin.so", dir);
  Process w({rqworker_path(), "--url", f.redis.url(), "--plugin-dir", dir.string(), "--name",
             "hot-w", "hot"},
            {}, log_path("hot"));
  Queue q(f.conn, "hot");
  std::string before = q.enqueue("wordcount:count_words", std::string("a b c")).id();
  REQUIRE(f.eventually([&] { return f.status(before) == "failed"; }));
  CHECK_THAT(f.exc_info(before), Contains("unknown plugin 'wordcount'"));

  install(fs::path(plugin_dir()) / "libwordcount.so", dir);
  std::string after = q.enqueue("wordcount:count_words", std::string("a b c")).id();
  REQUIRE(f.eventually([&] { return f.status(after) == "finished"; }));

  // Replacing by rename while the worker runs: still served.
  install(fs::path(plugin_dir()) / "libwordcount.so", dir);
  std::string again = q.enqueue("wordcount:count_words", std::string("x y")).id();
  REQUIRE(f.eventually([&] { return f.status(again) == "finished"; }));
  CHECK(w.running());
  fs::remove_all(dir);
}

TEST_CASE("a plugin crashing or hanging in its loader fails only its jobs", "[worker][hot]") {
  WorkerFixture f;
  fs::path dir = temp_plugin_dir("badload");
  install(fs::path(plugin_dir()) / "libbuiltin.so", dir);
  install(fs::path(test_plugin_dir()) / "libloadcrash.so", dir);
  install(fs::path(test_plugin_dir()) / "libloadhang.so", dir);
  Process w({rqworker_path(), "--url", f.redis.url(), "--plugin-dir", dir.string(), "--name",
             "badload-w", "badload"},
            {}, log_path("badload"));
  Queue q(f.conn, "badload");
  std::string crash = q.enqueue("loadcrash:work").id();
  EnqueueOptions hang_opts;
  hang_opts.job_timeout = 2;
  std::string hang = q.enqueue_call("loadhang:work", Args(), hang_opts).id();
  std::string ok = q.enqueue("builtin:add", 2, 3).id();
  REQUIRE(f.eventually([&] { return f.status(ok) == "finished"; }, std::chrono::seconds(20)));
  CHECK(f.status(crash) == "failed");
  CHECK_THAT(f.exc_info(crash), Contains("Work-horse terminated unexpectedly"));
  CHECK(f.status(hang) == "failed");
  CHECK_THAT(f.exc_info(hang), Contains("JobTimeoutException"));
  CHECK(w.running());
  fs::remove_all(dir);
}

TEST_CASE("rqctl plugins lists functions and survives crashing or hanging plugins",
          "[worker][hot][plugins]") {
  fs::path dir = temp_plugin_dir("list");
  install(fs::path(plugin_dir()) / "libwordcount.so", dir);
  install(fs::path(plugin_dir()) / "libbadabi.so", dir);
  install(fs::path(test_plugin_dir()) / "libloadcrash.so", dir);
  install(fs::path(test_plugin_dir()) / "libloadhang.so", dir);
  RunResult r =
      run({rqctl_path(), "plugins", "--plugin-dir", dir.string()}, std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // some plugins are invalid
  CHECK_THAT(r.out, Contains("wordcount 1.0.0 (libwordcount.so)\n"));
  CHECK_THAT(r.out, Contains("  wordcount:count_words  Counts the white-space separated words"));
  CHECK_THAT(r.out, Contains("badabi (libbadabi.so): ERROR: ") && Contains("ABI"));
  CHECK_THAT(r.out,
             Contains("loadcrash (libloadcrash.so): ERROR: crashed while loading (signal 11"));
  CHECK_THAT(r.out, Contains("loadhang (libloadhang.so): ERROR: loading did not finish"));

  fs::remove(dir / "libbadabi.so");
  fs::remove(dir / "libloadcrash.so");
  fs::remove(dir / "libloadhang.so");
  RunResult ok = run({rqctl_path(), "plugins", "--plugin-dir", dir.string(), "--json"});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Contains("\"version\": \"1.0.0\""));
  fs::remove_all(dir);
}

// Defect: a plugin whose manifest has a bogus function_count was loaded into
// the worker process after its first job ("work" is entry 1), and a later
// job naming a missing function walked off the table and crashed the worker.
TEST_CASE("a plugin with a bogus function_count is refused whole; the worker lives",
          "[worker][hot]") {
  WorkerFixture f;
  fs::path dir = temp_plugin_dir("badcount");
  install(fs::path(test_plugin_dir()) / "libbadcount.so", dir);
  install(fs::path(plugin_dir()) / "libbuiltin.so", dir);
  for (const std::string worker_class : {"fork", "simple"}) {
    INFO(worker_class);
    Queue q(f.conn, worker_class);
    const std::string first = q.enqueue("badcount:work").id();
    const std::string missing = q.enqueue("badcount:nothere").id();
    const std::string after = q.enqueue("builtin:add", 1, 2).id();
    RunResult r = run({rqworker_path(), "--url", f.redis.url(), "--plugin-dir", dir.string(),
                       "--burst", "--worker-class", worker_class, worker_class});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(f.status(first) == "failed");
    CHECK_THAT(f.exc_info(first), Contains("bad manifest: entry 2 of 100000"));
    CHECK(f.status(missing) == "failed");
    CHECK_THAT(f.exc_info(missing), Contains("bad manifest"));
    CHECK(f.status(after) == "finished");
  }
  fs::remove_all(dir);
}

// Defect: a world-writable plugin directory or file (anyone could run code
// as the worker's user) was used without a word.
TEST_CASE("a plugin directory or file anyone may write is refused unless allowed",
          "[worker][hot]") {
  WorkerFixture f;
  fs::path dir = temp_plugin_dir("writable");
  install(fs::path(plugin_dir()) / "libbuiltin.so", dir);
  Queue q(f.conn, "ww");
  const std::string id = q.enqueue("builtin:add", 1, 2).id();
  auto worker = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{rqworker_path(), "--url",      f.redis.url(),
                                  "--plugin-dir",  dir.string(), "--burst"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("ww");
    return run(argv);
  };

  fs::permissions(dir, fs::perms::others_write, fs::perm_options::add);
  RunResult refused = worker({});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Contains("is writable by anyone on this host (mode 0"));
  CHECK(f.status(id) == "queued");
  CHECK(worker({"--allow-world-writable-plugins"}).exit_code == 0);
  CHECK(f.status(id) == "finished");

  fs::permissions(dir, fs::perms::others_write, fs::perm_options::remove);
  fs::permissions(dir / "libbuiltin.so", fs::perms::others_write, fs::perm_options::add);
  const std::string second = q.enqueue("builtin:add", 1, 2).id();
  CHECK(worker({}).exit_code == 0);
  CHECK(f.status(second) == "failed");
  CHECK_THAT(f.exc_info(second), Contains("PluginError: plugin 'builtin': '"));
  CHECK_THAT(f.exc_info(second), Contains("libbuiltin.so' is writable by anyone"));
  fs::remove_all(dir);
}
