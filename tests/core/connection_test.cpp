#include "rqcpp/connection.hpp"

#include <catch2/catch.hpp>
#include <memory>

#include "redis_server.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/script.hpp"

using namespace rqcpp;

TEST_CASE("Connection runs commands, pipelines and scripts", "[connection]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  CHECK(c.command({"PING"}).str() == "PONG");
  CHECK(c.command({"SET", "k", std::string_view("a\0b", 3)}).str() == "OK");
  CHECK(c.command({"GET", "k"}).str() == std::string_view("a\0b", 3));
  CHECK(c.command({"GET", "missing"}).is_nil());
  CHECK(c.command({"INCR", "n"}).integer() == 1);
  CHECK(c.command({"GET", "n"}).integer() == 1);

  Reply err = c.command({"LPUSH", "k", "x"});
  CHECK(err.is_error());
  CHECK_THROWS_AS(c.checked({"LPUSH", "k", "x"}), RedisError);

  c.command({"HSET", "h", "a", "1", "b", "2"});
  auto h = c.command({"HGETALL", "h"}).hash();
  CHECK(h == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});

  c.append({"RPUSH", "l", "1", "2"});
  c.append({"LRANGE", "l", "0", "-1"});
  auto replies = c.replies();
  REQUIRE(replies.size() == 2);
  CHECK(replies[0].integer() == 2);
  CHECK(replies[1].strings() == std::vector<std::string>{"1", "2"});

  Script s("echo", "return ARGV[1] .. KEYS[1]");
  CHECK(c.eval(s, {"k1"}, {"v"}).str() == "vk1");
  CHECK(c.command({"SCRIPT", "EXISTS", c.load(s)}).at(0).integer() == 1);
  // After SCRIPT FLUSH the script is reloaded when Redis answers NOSCRIPT.
  c.command({"SCRIPT", "FLUSH"});
  CHECK(c.eval(s, {"k2"}, {"w"}).str() == "wk2");
  Script bad("bad", "return redis.call('NOSUCHCOMMAND')");
  CHECK_THROWS_WITH(c.eval(bad, {}, {}), Catch::Contains("bad"));
}

TEST_CASE("Connection runs library functions with FCALL and reloads a lost library",
          "[connection]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  auto lib = std::make_shared<const FunctionLibrary>(
      "#!lua name=t1\n"
      "redis.register_function('t1_echo', function(KEYS, ARGV) return ARGV[1] .. KEYS[1] end)\n"
      "redis.register_function('t1_fail', function() return redis.call('NOSUCHCOMMAND') end)\n");
  Script echo("echo", "t1_echo", lib);
  Script fails("fails", "t1_fail", lib);
  CHECK(echo.id() == fails.id());  // one FUNCTION LOAD serves both
  CHECK(c.eval(echo, {"k1"}, {"v"}).str() == "vk1");
  CHECK(c.command({"FUNCTION", "LIST", "LIBRARYNAME", "t1"}).size() == 1);
  c.checked({"FUNCTION", "FLUSH"});
  CHECK(c.eval(echo, {"k2"}, {"w"}).str() == "wk2");
  // A second connection loading the same library finds it there: success.
  Connection c2 = Connection::open(redis.url());
  CHECK(c2.load(fails) == "t1_fail");
  CHECK_THROWS_WITH(c2.eval(fails, {}, {}), Catch::Contains("script fails"));
  // Pipelined: loaded before the first append.
  Connection c3 = Connection::open(redis.url());
  c3.append_eval(echo, {"a"}, {"b"});
  CHECK(c3.replies().at(0).str() == "ba");

  Script broken("broken", "t2_f", std::make_shared<const FunctionLibrary>("#!lua name=t2\nx("));
  CHECK_THROWS_WITH(c.eval(broken, {}, {}), Catch::Contains("cannot load the function library"));
  // A user who may not load functions gets the reason, naming the script.
  c.checked({"FUNCTION", "FLUSH"});
  c.checked({"ACL", "SETUSER", "default", "-function"});
  Connection c4 = Connection::open(redis.url());
  CHECK_THROWS_WITH(c4.eval(echo, {"a"}, {"b"}),
                    Catch::Contains("echo") && Catch::Contains("NOPERM"));
  c.checked({"ACL", "SETUSER", "default", "+function"});
}

TEST_CASE("Connection selects the URL's db and fails clearly", "[connection]") {
  test::RedisServer redis;
  Connection c = Connection::open("redis://127.0.0.1:" + std::to_string(redis.port()) + "/3");
  c.command({"SET", "in3", "1"});
  Connection c0 = Connection::open(redis.url());
  CHECK(c0.command({"EXISTS", "in3"}).integer() == 0);
  c0.command({"SELECT", "3"});
  CHECK(c0.command({"EXISTS", "in3"}).integer() == 1);

  CHECK_THROWS_AS(Connection::open("redis://127.0.0.1:" + std::to_string(redis.port()) + "/99999"),
                  RedisError);
  CHECK_THROWS_AS(Connection::open("redis://:pw@127.0.0.1:" + std::to_string(redis.port()) + "/0"),
                  RedisError);
  CHECK_THROWS_AS(Connection::open("nope://x"), UrlError);
}

TEST_CASE("Connection survives a Redis restart through reconnect()", "[connection]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  CHECK(c.fd() >= 0);
  redis.stop();
  CHECK_THROWS_AS(c.command({"PING"}), RedisError);
  CHECK(c.broken());
  CHECK(c.fd() == -1);
  CHECK_THROWS_AS(c.command({"PING"}), RedisError);
  CHECK_THROWS_AS(c.reconnect(), RedisError);
  redis.start();
  c.reconnect();
  CHECK_FALSE(c.broken());
  CHECK(c.command({"PING"}).str() == "PONG");
}

TEST_CASE("Connection honours its command timeout", "[connection]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url(), std::chrono::milliseconds(200));
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(c.command({"BLPOP", "nothing", "5"}), RedisError);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  CHECK(c.broken());
  c.reconnect();
  c.set_timeout(std::chrono::milliseconds(0));
  CHECK(c.command({"BLPOP", "nothing", "1"}).is_nil());
}
