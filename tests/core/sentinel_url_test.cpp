// redis+sentinel:// URLs: the forms, their errors, and redaction of both
// passwords.
#include <catch2/catch.hpp>

#include "rqcpp/error.hpp"
#include "rqcpp/redis_url.hpp"

using rqcpp::RedisUrl;

TEST_CASE("redis+sentinel:// URLs parse Sentinels, service, db and both credentials",
          "[url][sentinel]") {
  auto u = RedisUrl::parse("redis+sentinel://10.0.0.1:26379,10.0.0.2:26380,[::1]/mymaster/2");
  REQUIRE(u.is_sentinel());
  REQUIRE(u.sentinels.size() == 3);
  CHECK(u.sentinels[0].host == "10.0.0.1");
  CHECK(u.sentinels[0].port == 26379);
  CHECK(u.sentinels[1].host == "10.0.0.2");
  CHECK(u.sentinels[1].port == 26380);
  CHECK(u.sentinels[2].host == "::1");
  CHECK(u.sentinels[2].port == 26379);  // Sentinel's default port
  CHECK(u.service == "mymaster");
  CHECK(u.db == 2);
  CHECK(u.host.empty());
  CHECK(u.port == 0);
  CHECK(u.password.empty());
  CHECK(u.sentinel_password.empty());

  auto a = RedisUrl::parse(
      "redis+sentinel://alice:p%40ss@s1:26379/my%20master?sentinel_password=sp%26w"
      "&sentinel_username=watcher&db=4");
  CHECK(a.user == "alice");
  CHECK(a.password == "p@ss");
  CHECK(a.service == "my master");
  CHECK(a.sentinel_user == "watcher");
  CHECK(a.sentinel_password == "sp&w");
  CHECK(a.db == 4);

  auto p = RedisUrl::parse("redis+sentinel://s1/svc/?password=x");
  CHECK(p.password == "x");
  CHECK(p.db == 0);
  CHECK(p.sentinels.size() == 1);

  CHECK_FALSE(RedisUrl::parse("redis://h:1/0").is_sentinel());
}

TEST_CASE("bad redis+sentinel:// URLs throw UrlError naming the problem", "[url][sentinel]") {
  auto fails_with = [](const char* url, const char* part) {
    try {
      RedisUrl::parse(url);
      FAIL("no error for " << url);
    } catch (const rqcpp::UrlError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(part) != std::string::npos);
    }
  };
  fails_with("redis+sentinel://s1:26379", "service");
  fails_with("redis+sentinel://s1:26379/", "service");
  fails_with("redis+sentinel://s1:26379,,s2/svc", "host");
  fails_with("redis+sentinel://s1:99999/svc", "port");
  fails_with("redis+sentinel://s1:x/svc", "port");
  fails_with("redis+sentinel://s1/svc/x", "db");
  fails_with("redis+sentinel://s1/svc?sentinel_pass=x", "sentinel_pass");
  // Sentinel parameters belong to Sentinel URLs only.
  fails_with("redis://h:6379/0?sentinel_password=x", "sentinel_password");
}

TEST_CASE("redis+sentinel:// errors and redacted() mask both passwords", "[url][sentinel]") {
  auto u = RedisUrl::parse(
      "redis+sentinel://bob:topsecret@s1:1,[::1]:2/svc/3?sentinel_password=alsosecret"
      "&sentinel_username=w");
  const std::string r = u.redacted();
  CHECK(r ==
        "redis+sentinel://bob:***@s1:1,[::1]:2/svc/3?sentinel_username=w&"
        "sentinel_password=***");
  // The redacted form parses back to the same places.
  auto back = RedisUrl::parse(r);
  CHECK(back.sentinels.size() == 2);
  CHECK(back.service == "svc");
  CHECK(back.db == 3);
  for (const char* bad_url : {"redis+sentinel://bob:topsecret@s1:x/svc",
                              "redis+sentinel://s1/svc/x?sentinel_password=topsecret"}) {
    INFO(bad_url);
    try {
      RedisUrl::parse(bad_url);
      FAIL("no error");
    } catch (const rqcpp::UrlError& e) {
      const std::string what = e.what();
      CHECK(what.find("secret") == std::string::npos);
      CHECK(what.find("***") != std::string::npos);
    }
  }
}
