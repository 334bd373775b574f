// rqworker --pool N: the supervisor replaces a SIGKILLed member and shuts
// every member down warmly on SIGTERM.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <set>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                   "/children");
  std::vector<pid_t> out;
  pid_t child = 0;
  while (in >> child) out.push_back(child);
  return out;
}

// Live members of the pool: registered worker names without a death field.
std::set<std::string> live_workers(WorkerFixture& f) {
  std::set<std::string> out;
  for (const std::string& key : f.conn.checked({"SMEMBERS", "rq:workers"}).strings()) {
    if (f.exists(key) && f.hget(key, "death").empty()) out.insert(key);
  }
  return out;
}

}  // namespace

TEST_CASE("rqworker --pool replaces a killed member and stops all on SIGTERM", "[worker][pool]") {
  WorkerFixture f;
  Process pool(f.worker_argv({"--pool", "2", "--name", "pw", "poolq"}), {}, log_path("pool"));
  REQUIRE(f.eventually([&] {
    return live_workers(f) == std::set<std::string>{"rq:worker:pw.1", "rq:worker:pw.2"};
  }));
  std::vector<pid_t> members = children_of(pool.pid());
  REQUIRE(members.size() == 2);

  ::kill(members[0], SIGKILL);
  REQUIRE(f.eventually([&] { return f.exists(keys::worker("pw.3")); }));
  REQUIRE(f.eventually([&] { return children_of(pool.pid()).size() == 2; }));

  // The members work: a job enqueued now is run by one of them.
  Queue q(f.conn, "poolq");
  std::string id = q.enqueue("builtin:add", 2, 3).id();
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }));

  pool.signal(SIGTERM);
  int status = pool.wait(std::chrono::seconds(15));
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::set<std::string> live = live_workers(f);
  // Only the SIGKILLed member (it recorded no death) may still be listed.
  CHECK(live.count("rq:worker:pw.2") == 0);
  CHECK(live.count("rq:worker:pw.3") == 0);
  for (const char* name : {"pw.2", "pw.3"}) {
    if (f.exists(keys::worker(name))) CHECK_FALSE(f.hget(keys::worker(name), "death").empty());
  }
}
