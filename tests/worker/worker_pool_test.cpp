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
  std::vector<pid_t> members = child_pids(pool.pid());
  REQUIRE(members.size() == 2);

  ::kill(members[0], SIGKILL);
  REQUIRE(f.eventually([&] { return f.exists(keys::worker("pw.3")); }));
  REQUIRE(f.eventually([&] { return child_pids(pool.pid()).size() == 2; }));

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

TEST_CASE("rqworker --pool passes heartbeat and maintenance options to every member",
          "[worker][pool]") {
  WorkerFixture f;
  Process pool(f.worker_argv({"--pool", "2", "--name", "pt", "--worker-ttl", "2",
                              "--heartbeat-grace", "1", "--maintenance-interval", "3", "ptq"}),
               {}, log_path("pool_ttl"));
  REQUIRE(f.eventually([&] {
    return live_workers(f) == std::set<std::string>{"rq:worker:pt.1", "rq:worker:pt.2"};
  }));
  // Each member's key: TTL 2 + 1, renewed (it outlives it); the cleaning
  // lock: 3 - 1 s.
  REQUIRE(f.eventually([&] { return f.exists(keys::clean_lock("ptq")); }));
  CHECK(f.ttl(keys::clean_lock("ptq")) <= 2);
  for (int i = 0; i < 40; ++i) {
    for (const char* name : {"pt.1", "pt.2"}) {
      long long ttl = f.ttl(keys::worker(name));
      INFO(name);
      REQUIRE(ttl > 0);
      CHECK(ttl <= 3);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  pool.signal(SIGTERM);
  int status = pool.wait(std::chrono::seconds(15));
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
