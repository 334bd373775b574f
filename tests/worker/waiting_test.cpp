// Waiting for work: BLMOVE wake-ups, no polling, queues left intact, Redis
// outages waited out.
#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

long long total_commands(Connection& conn) {
  std::string info(conn.checked({"INFO", "stats"}).str());
  auto at = info.find("total_commands_processed:");
  return std::stoll(info.substr(at + 25));
}

}  // namespace

TEST_CASE("an idle worker blocks in Redis and wakes at once for a new job", "[worker][wait]") {
  WorkerFixture f;
  Process w(f.worker_argv({"--name", "wait-w", "first", "second"}), {}, log_path("wait"));
  REQUIRE(f.eventually([&] { return f.hget(keys::worker("wait-w"), "state") == "idle"; }));
  // The BLMOVE waits are in place once two clients are blocked.
  REQUIRE(f.eventually([&] {
    std::string info(f.conn.checked({"INFO", "clients"}).str());
    return info.find("blocked_clients:2") != std::string::npos;
  }));

  // Idle: no polling (only our own INFO commands are counted here).
  long long before = total_commands(f.conn);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  long long after = total_commands(f.conn);
  CHECK(after - before <= 2);

  Queue second(f.conn, "second");
  auto t0 = std::chrono::steady_clock::now();
  std::string id = second.enqueue("builtin:add", 4, 5).id();
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1000));
  CHECK(Job::fetch(f.conn, id).result<long long>() == 9);

  // The waits never take anything: a job pushed while the worker is busy
  // is still there for take, in order.
  Queue first(f.conn, "first");
  std::string slow = first.enqueue("builtin:sleep", 0.5).id();
  REQUIRE(f.eventually([&] { return f.status(slow) == "started"; }));
  std::string a = first.enqueue("builtin:add", 1, 0).id();
  std::string b = first.enqueue("builtin:add", 2, 0).id();
  CHECK(f.conn.checked({"LRANGE", keys::queue("first"), "0", "-1"}).strings() ==
        std::vector<std::string>{a, b});
  REQUIRE(f.eventually([&] { return f.status(b) == "finished"; }));
  CHECK(Job::fetch(f.conn, a).result<long long>() == 1);
  CHECK(f.conn.checked({"LLEN", keys::queue("first")}).integer() == 0);
}

TEST_CASE("a Redis restart is waited out and the worker registers again and goes on",
          "[worker][wait]") {
  WorkerFixture f;
  Process w(f.worker_argv({"--name", "outage-w", "out"}), {}, log_path("outage"));
  REQUIRE(f.eventually([&] { return f.hget(keys::worker("outage-w"), "state") == "idle"; }));

  f.redis.stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  f.redis.start();
  Connection conn = Connection::open(f.redis.url());
  REQUIRE(w.running());
  Queue q(conn, "out");
  std::string id = q.enqueue("builtin:add", 20, 1).id();
  REQUIRE(f.eventually(
      [&] {
        return std::string(conn.checked({"HGET", keys::job(id), "status"}).str()) == "finished";
      },
      std::chrono::seconds(15)));
  CHECK(std::string(conn.checked({"HGET", keys::worker("outage-w"), "queues"}).str()) == "out");
  CHECK(conn.checked({"SISMEMBER", std::string(keys::kWorkers), keys::worker("outage-w")})
            .integer() == 1);
}

TEST_CASE("a result computed while Redis refuses the worker is written when it is back",
          "[worker][wait]") {
  WorkerFixture f;
  Queue q(f.conn, "zl");
  std::string id = q.enqueue("builtin:sleep", 1.0).id();
  Process w(f.worker_argv({"--name", "zl-w", "zl"}), {}, log_path("zero_loss"));
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));

  // Lock the worker out: a password it does not know, its connections cut.
  // Our own connection stays authenticated.
  f.conn.checked({"CONFIG", "SET", "requirepass", "s3cret"});
  f.conn.checked({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  f.conn.checked({"CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "yes"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1800));  // the job ends meanwhile
  CHECK(f.status(id) == "started");
  CHECK(w.running());

  f.conn.checked({"CONFIG", "SET", "requirepass", ""});
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }, std::chrono::seconds(10)));
  CHECK(Job::fetch(f.conn, id).result<double>() == 1.0);
  CHECK_FALSE(f.zscore(keys::started("zl"), id));
  CHECK(f.hget(keys::worker("zl-w"), "successful_job_count") == "1");
  // ...and it goes on working.
  std::string next = q.enqueue("builtin:add", 1, 2).id();
  REQUIRE(f.eventually([&] { return f.status(next) == "finished"; }));
}

TEST_CASE("a suspended worker leaves jobs queued until resumed", "[worker][wait]") {
  WorkerFixture f;
  f.conn.checked({"SET", std::string(keys::kSuspended), "1"});
  Queue q(f.conn, "sus");
  std::string id = q.enqueue("builtin:add", 1, 1).id();
  RunResult burst = f.burst({"sus"});
  CHECK(f.status(id) == "queued");

  Process w(f.worker_argv({"--name", "sus-w", "sus"}), {}, log_path("suspended"));
  REQUIRE(f.eventually([&] { return f.hget(keys::worker("sus-w"), "state") == "suspended"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(f.status(id) == "queued");
  f.conn.checked({"DEL", std::string(keys::kSuspended)});
  REQUIRE(f.eventually([&] { return f.status(id) == "finished"; }, std::chrono::seconds(5)));
}
