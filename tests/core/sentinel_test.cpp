// redis+sentinel:// against real processes (tests/support/sentinel_cluster):
// a master, a replica and three redis-sentinel. Connections reach the master
// the Sentinels name, wrong names and dead Sentinels are clear errors, a
// node that answers READONLY breaks the connection, and a reconnect after
// the master is SIGKILLed reaches the promoted replica.
#include "rqcpp/sentinel.hpp"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"
#include "sentinel_cluster.hpp"
#include "spawn.hpp"

using namespace rqcpp;
using Steady = std::chrono::steady_clock;

namespace {

std::string port_of(Connection& c) {
  return c.checked({"CONFIG", "GET", "port"}).strings().at(1);
}

std::string dead_sentinel() {
  return "127.0.0.1:" + std::to_string(test::detail::pick_free_port());
}

}  // namespace

TEST_CASE("redis+sentinel:// connects to the master the Sentinels name", "[sentinel]") {
  test::SentinelCluster cluster;
  const std::string master_port = std::to_string(cluster.master().port());

  Connection c = Connection::open(cluster.url("/2"));
  CHECK(port_of(c) == master_port);
  c.checked({"SET", "k", "v"});
  Connection direct = Connection::open("redis://127.0.0.1:" + master_port + "/2");
  CHECK(direct.checked({"GET", "k"}).str() == "v");  // db 2 of the master
  CHECK(c.url().is_sentinel());                      // url() stays the Sentinel URL

  RedisUrl node = resolve_master(RedisUrl::parse(cluster.url("/2")), std::chrono::seconds(1));
  CHECK_FALSE(node.is_sentinel());
  CHECK(node.host == "127.0.0.1");
  CHECK(node.port == cluster.master().port());
  CHECK(node.db == 2);

  // A dead Sentinel listed first is skipped.
  const auto ports = cluster.sentinel_ports();
  Connection skip = Connection::open("redis+sentinel://" + dead_sentinel() + ",127.0.0.1:" +
                                     std::to_string(ports[2]) + "/" + cluster.service());
  CHECK(port_of(skip) == master_port);

  // A wrong service name, and no Sentinel at all, are clear errors.
  CHECK_THROWS_WITH(
      Connection::open("redis+sentinel://127.0.0.1:" + std::to_string(ports[0]) + "/nosuch"),
      Catch::Contains("no master for service 'nosuch'") &&
          Catch::Contains("does not know the service 'nosuch'"));
  CHECK_THROWS_WITH(
      Connection::open("redis+sentinel://" + dead_sentinel() + "," + dead_sentinel() + "/svc"),
      Catch::Contains("no master for service 'svc'") && Catch::Contains("cannot connect"));

  // The enqueue script (FCALL) runs on the master too.
  Queue q(c, "default");
  std::string id = q.enqueue("builtin:add", 1, 2).id();
  CHECK(direct.checked({"EXISTS", "rq:job:" + id}).integer() == 1);

  // Sentinel AUTH: once the last Sentinel wants a password, it is asked
  // only with sentinel_password (the data node's password is not sent).
  const std::string last =
      "redis+sentinel://127.0.0.1:" + std::to_string(ports[2]) + "/" + cluster.service();
  {
    Connection admin = Connection::open("redis://127.0.0.1:" + std::to_string(ports[2]) + "/0");
    admin.checked({"ACL", "SETUSER", "default", "resetpass", ">sentinel-pw"});
  }
  CHECK_THROWS_WITH(Connection::open(last), Catch::Contains("NOAUTH"));
  CHECK_THROWS_WITH(Connection::open(last + "?sentinel_password=wrong"),
                    Catch::Contains("AUTH") && !Catch::Contains("wrong"));
  Connection authed = Connection::open(last + "?sentinel_password=sentinel-pw");
  CHECK(port_of(authed) == master_port);
}

TEST_CASE("READONLY and LOADING replies break the connection, other errors do not", "[sentinel]") {
  test::SentinelCluster cluster;
  Connection r = Connection::open("redis://127.0.0.1:" + std::to_string(cluster.replica().port()));
  CHECK(r.command({"GET", "nothing"}).is_nil());  // reads work on a replica
  CHECK_THROWS_WITH(r.command({"SET", "a", "1"}), Catch::Contains("READONLY"));
  CHECK(r.broken());
  r.reconnect();
  // A script (FCALL of the function library) gets READONLY too.
  Queue q(r, "default");
  CHECK_THROWS_WITH(q.enqueue("builtin:add", 1, 2), Catch::Contains("READONLY"));
  CHECK(r.broken());
  r.reconnect();
  // In a pipeline: the whole pipeline fails and the connection is closed.
  r.append({"GET", "x"});
  r.append({"SET", "x", "1"});
  CHECK_THROWS_WITH(r.replies(), Catch::Contains("READONLY"));
  CHECK(r.broken());

  // LOADING: a server reloading its data set (DEBUG RELOAD, slowed down by
  // key-load-delay) answers everything else with LOADING.
  char dir[] = "/tmp/rqcpp-loading-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  {
    test::RedisServer loading(test::RedisServer::Persistence::kNone,
                              {"--enable-debug-command", "yes", "--dir", dir});
    Connection admin = Connection::open(loading.url());
    admin.checked({"DEBUG", "POPULATE", "5000"});
    admin.checked({"CONFIG", "SET", "key-load-delay", "200"});  // microseconds a key: ~1 s
    admin.checked({"CONFIG", "SET", "loading-process-events-interval-bytes", "1024"});
    Connection other = Connection::open(loading.url());
    std::string reload_error;  // an exception must not escape the thread (std::terminate)
    std::thread reload([&] {
      try {
        admin.command({"DEBUG", "RELOAD"});
      } catch (const std::exception& e) {
        reload_error = e.what();
      }
    });
    std::string seen;
    const auto deadline = Steady::now() + std::chrono::seconds(10);
    while (seen.empty() && Steady::now() < deadline) {
      try {
        if (other.broken()) other.reconnect();
        other.command({"GET", "key:1"});
      } catch (const RedisError& e) {
        seen = e.what();
      }
    }
    reload.join();
    CHECK(reload_error.empty());
    CHECK_THAT(seen, Catch::Contains("LOADING"));
    CHECK(other.broken());
    other.reconnect();
    CHECK(other.checked({"GET", "key:1"}).str() == "value:1");
  }
  std::filesystem::remove_all(dir);

  // Any other error reply is returned and the connection stays.
  Connection m = Connection::open(cluster.url());
  m.checked({"SET", "s", "text"});
  CHECK(m.command({"LPUSH", "s", "x"}).is_error());
  CHECK(m.command({"NOSUCHCOMMAND"}).is_error());
  CHECK_FALSE(m.broken());
  CHECK(m.command({"PING"}).str() == "PONG");
}

TEST_CASE("after the master is SIGKILLed a reconnect reaches the promoted replica", "[sentinel]") {
  test::SentinelCluster cluster(std::chrono::seconds(1));
  Connection c = Connection::open(cluster.url());
  c.checked({"SET", "before", "1"});
  CHECK(c.checked({"WAIT", "1", "5000"}).integer() == 1);  // on the replica too
  cluster.master().crash();
  CHECK_THROWS_AS(c.command({"GET", "before"}), RedisError);
  CHECK(c.broken());
  // Until the failover ends the Sentinels name the dead master, or the
  // replica before it says ROLE master: reconnect() fails meanwhile.
  const auto deadline = Steady::now() + std::chrono::seconds(30);
  std::string last_error;
  while (c.broken() && Steady::now() < deadline) {
    try {
      c.reconnect();
    } catch (const RedisError& e) {
      last_error = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  INFO(last_error);
  REQUIRE_FALSE(c.broken());
  CHECK(port_of(c) == std::to_string(cluster.replica().port()));
  CHECK(c.checked({"GET", "before"}).str() == "1");
  CHECK(c.checked({"SET", "after", "2"}).str() == "OK");
}
