// The fixture itself: servers on distinct free ports, stop/start, processes.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <sstream>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"

using namespace rqcpp;

TEST_CASE("RedisServer starts private servers and stops them", "[support]") {
  pid_t pid;
  int port;
  {
    test::RedisServer a;
    test::RedisServer b;
    CHECK(a.port() != b.port());
    CHECK(a.url() == "redis://127.0.0.1:" + std::to_string(a.port()) + "/0");
    Connection c = Connection::open(a.url());
    auto info = std::string(c.command({"INFO", "server"}).str());
    CHECK(info.find("process_id:" + std::to_string(a.pid())) != std::string::npos);
    auto save = c.command({"CONFIG", "GET", "save"}).strings();
    REQUIRE(save.size() == 2);
    CHECK(save[1].empty());
    pid = a.pid();
    port = a.port();

    a.stop();
    CHECK_FALSE(a.running());
    CHECK_THROWS_AS(Connection::open(a.url()), RedisError);
    a.start();
    CHECK(a.port() == port);
    CHECK(Connection::open(a.url()).command({"PING"}).str() == "PONG");
    pid = a.pid();
  }
  CHECK(kill(pid, 0) != 0);  // reaped, not a zombie of ours
  CHECK_THROWS_AS(Connection::open("redis://127.0.0.1:" + std::to_string(port) + "/0"), RedisError);
}

TEST_CASE("Process runs, signals and reaps children; run() captures output", "[support]") {
  auto r = test::run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  auto env =
      test::run({"/bin/sh", "-c", "echo $RQCPP_X"}, std::chrono::seconds(5), {{"RQCPP_X", "42"}});
  CHECK(env.out == "42\n");
  CHECK_THROWS_WITH(test::run({"/bin/sleep", "5"}, std::chrono::milliseconds(200)),
                    Catch::Contains("timeout"));
  CHECK_THROWS_WITH(test::run({"/no/such/binary"}), Catch::Contains("/no/such/binary"));

  char path[] = "/tmp/rqcpp-proc-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    test::Process p({"/bin/sh", "-c", "echo hello; exec sleep 30"}, {}, path);
    CHECK(p.running());
    CHECK(p.wait(std::chrono::milliseconds(100)) == -1);
    p.signal(SIGTERM);
    int status = p.wait(std::chrono::seconds(5));
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    CHECK_FALSE(p.running());
    CHECK(p.wait(std::chrono::milliseconds(0)) == status);
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "hello\n");
  unlink(path);

  pid_t killed;
  {
    test::Process p({"/bin/sleep", "30"});
    killed = p.pid();
    test::Process moved(std::move(p));
    CHECK(moved.pid() == killed);
    CHECK(p.pid() == -1);
  }
  CHECK(kill(killed, 0) != 0);
  CHECK(test::Process({"/bin/true"}).wait(std::chrono::seconds(5)) == 0);
  CHECK_THROWS_AS(test::Process({"/no/such/binary"}), std::runtime_error);
  CHECK_FALSE(test::rqworker_path().empty());
  CHECK(test::source_dir() + "/tests/support/redis_server.hpp" != "");
}
