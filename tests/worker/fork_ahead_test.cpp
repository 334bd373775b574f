// The forking worker's fast path (docs/hot-path.md): a plugin a horse has
// loaded is loaded by the worker too and inherited by later horses, and a
// horse forked ahead ("standby") waits for the next job.
#include <signal.h>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

long long run_loader_pid(WorkerFixture& f, Queue& q) {
  std::string id = q.enqueue("builtin:loader_pid").id();
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }));
  auto pid = Job::fetch(f.conn, id).result<long long>();
  REQUIRE(pid);
  return *pid;
}

}  // namespace

TEST_CASE("horses inherit a plugin the worker loaded after a horse tried it", "[worker][fast]") {
  WorkerFixture f;
  Process w(f.worker_argv({"--name", "inherit-w", "inherit"}), {}, log_path("inherit"));
  Queue q(f.conn, "inherit");
  const long long worker = w.pid();
  // The first job's horse loads the plugin itself: the worker never loads
  // an untried plugin.
  CHECK(run_loader_pid(f, q) != worker);
  // From then on the worker holds it loaded and its horses inherit it.
  CHECK(run_loader_pid(f, q) == worker);
  CHECK(run_loader_pid(f, q) == worker);
  std::string id = q.enqueue("builtin:getpid").id();
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }));
  CHECK(Job::fetch(f.conn, id).result<long long>() != worker);  // still run in a horse
}

TEST_CASE("a standby horse killed while it waits costs no job", "[worker][fast]") {
  WorkerFixture f;
  Process w(f.worker_argv({"--name", "standby-w", "standby"}), {}, log_path("standby"));
  Queue q(f.conn, "standby");
  std::string first = q.enqueue("builtin:add", 1, 2).id();
  REQUIRE(f.eventually([&] { return f.status(first) == "finished"; }));
  // Idle now, with a horse forked ahead for the next job.
  REQUIRE(f.eventually([&] { return child_pids(w.pid()).size() == 1; }));
  pid_t standby = child_pids(w.pid()).front();
  REQUIRE(::kill(standby, SIGKILL) == 0);
  REQUIRE(f.eventually([&] {  // dead: a zombie until the worker needs it
    std::ifstream st("/proc/" + std::to_string(standby) + "/stat");
    std::string pid, comm, state;
    return !(st >> pid >> comm >> state) || state == "Z";
  }));
  std::string next = q.enqueue("builtin:add", 20, 22).id();
  REQUIRE(f.eventually([&] { return f.status(next) == "finished"; }));
  CHECK(Job::fetch(f.conn, next).result<long long>() == 42);
  CHECK(w.running());
}
