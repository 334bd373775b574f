#include <catch2/catch.hpp>
#include <cstdlib>

#include "rqcpp/error.hpp"
#include "rqcpp/redis_url.hpp"

using rqcpp::RedisUrl;

TEST_CASE("redis:// URLs parse host, port, db and credentials", "[url]") {
  auto u = RedisUrl::parse("redis://127.0.0.1:6391/2");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 6391);
  CHECK(u.db == 2);
  CHECK(u.user.empty());
  CHECK(u.password.empty());
  CHECK(u.unix_path.empty());

  auto d = RedisUrl::parse("redis://redis.example");
  CHECK(d.host == "redis.example");
  CHECK(d.port == 6379);
  CHECK(d.db == 0);

  auto p = RedisUrl::parse("redis://:s3cret@host:1234/0");
  CHECK(p.user.empty());
  CHECK(p.password == "s3cret");
  CHECK(p.port == 1234);

  auto up = RedisUrl::parse("redis://alice:p%40ss@host/5");
  CHECK(up.user == "alice");
  CHECK(up.password == "p@ss");
  CHECK(up.db == 5);

  auto q = RedisUrl::parse("redis://host:1/?db=3");
  CHECK(q.db == 3);

  auto v6 = RedisUrl::parse("redis://[::1]:7000/1");
  CHECK(v6.host == "::1");
  CHECK(v6.port == 7000);
}

TEST_CASE("unix:// URLs parse the socket path and db", "[url]") {
  auto u = RedisUrl::parse("unix:///run/redis/redis.sock?db=4");
  CHECK(u.unix_path == "/run/redis/redis.sock");
  CHECK(u.db == 4);
  CHECK(u.host.empty());
  auto a = RedisUrl::parse("unix://:pw@/tmp/r.sock");
  CHECK(a.unix_path == "/tmp/r.sock");
  CHECK(a.password == "pw");
  CHECK(RedisUrl::parse("unix:///tmp/r.sock?password=x%20y").password == "x y");
}

TEST_CASE("bad URLs throw UrlError naming the problem", "[url]") {
  auto fails_with = [](const char* url, const char* part) {
    try {
      RedisUrl::parse(url);
      FAIL("no error for " << url);
    } catch (const rqcpp::UrlError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(part) != std::string::npos);
    }
  };
  fails_with("http://host:6379/0", "scheme");
  fails_with("rediss://host/0?ssl_cert_reqs=sometimes", "ssl_cert_reqs 'sometimes'");
  fails_with("rediss://host/0?ssl_check_hostname=maybe", "ssl_check_hostname 'maybe'");
  fails_with("rediss://host/0?ssl_ca_certs=", "ssl_ca_certs is empty");
  fails_with("rediss://host/0?ssl_verify=no", "ssl_verify");
  fails_with("redis://host/0?ssl_ca_certs=/ca.pem", "rediss://");
  fails_with("unix:///tmp/r.sock?ssl_cert_reqs=none", "rediss://");
  fails_with("127.0.0.1:6379", "redis://");
  fails_with("redis://host:port/0", "port");
  fails_with("redis://host:70000/0", "port");
  fails_with("redis://host:/0", "port");
  fails_with("redis://host:6379/x", "db");
  fails_with("redis://host:6379/-1", "db");
  fails_with("redis:///0", "host");
  fails_with("unix://relative.sock", "absolute");
  fails_with("redis://host/0?foo=1", "foo");
  fails_with("redis://u:p%4@host/0", "escape");
}

TEST_CASE("errors and redacted() never show the password", "[url]") {
  try {
    RedisUrl::parse("redis://bob:topsecret@host:bad/0");
    FAIL("no error");
  } catch (const rqcpp::UrlError& e) {
    CHECK(std::string(e.what()).find("topsecret") == std::string::npos);
    CHECK(std::string(e.what()).find("bob:***@") != std::string::npos);
  }
  // Issue 10, defect 9: an unescaped '/' (base64) or '?' in the password
  // used to end the masked part early; a password in the query was shown.
  for (const std::string bad_url :
       {"redis://bob:top/secret@host:bad/0", "redis://bob:top?secret@host:6379/x",
        "redis://:a/b+c/topsecret==@host:6379/0/extra",
        "redis://host:6379/0?password=topsecret&x=1",
        "redis://host:6379/x?db=1&password=topsecret"}) {
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
  auto u = RedisUrl::parse("redis://bob:topsecret@host:6400/3");
  CHECK(u.redacted() == "redis://bob:***@host:6400/3");
  CHECK(RedisUrl::parse("unix:///tmp/x.sock?db=2").redacted() == "unix:///tmp/x.sock?db=2");
}

TEST_CASE("rediss:// URLs take redis-py's ssl_* parameters", "[url][tls]") {
  auto plain = RedisUrl::parse("rediss://:pw@redis.example:6380/2");
  CHECK(plain.tls.enabled);
  CHECK(plain.host == "redis.example");
  CHECK(plain.port == 6380);
  CHECK(plain.db == 2);
  CHECK(plain.tls.cert_reqs == rqcpp::TlsOptions::CertReqs::kRequired);  // redis-py's defaults
  CHECK_FALSE(plain.tls.check_hostname);
  CHECK(plain.tls.ca_certs.empty());
  CHECK(plain.redacted() == "rediss://:***@redis.example:6380/2");
  CHECK_FALSE(RedisUrl::parse("redis://host/0").tls.enabled);

  auto u = RedisUrl::parse(
      "rediss://bob:topsecret@host/0?ssl_ca_certs=/etc/ca%20dir/ca.pem&ssl_certfile=/c.pem"
      "&ssl_keyfile=/k.pem&ssl_cert_reqs=optional&ssl_check_hostname=True&db=3");
  CHECK(u.tls.ca_certs == "/etc/ca dir/ca.pem");
  CHECK(u.tls.certfile == "/c.pem");
  CHECK(u.tls.keyfile == "/k.pem");
  CHECK(u.tls.cert_reqs == rqcpp::TlsOptions::CertReqs::kOptional);
  CHECK(u.tls.check_hostname);
  CHECK(u.db == 3);
  // The TLS options are no secret: kept, so the message says what was tried.
  const std::string r = u.redacted();
  CHECK(r ==
        "rediss://bob:***@host:6379/3?ssl_ca_certs=/etc/ca%20dir/ca.pem&ssl_certfile=/c.pem"
        "&ssl_keyfile=/k.pem&ssl_cert_reqs=optional&ssl_check_hostname=true");
  CHECK(RedisUrl::parse(r).tls == u.tls);  // and it parses back to the same

  for (const char* no : {"0", "f", "FALSE", "n", "No"}) {
    CHECK_FALSE(
        RedisUrl::parse(std::string("rediss://h/0?ssl_check_hostname=") + no).tls.check_hostname);
  }
  CHECK(RedisUrl::parse("rediss://h/0?ssl_cert_reqs=none").tls.cert_reqs ==
        rqcpp::TlsOptions::CertReqs::kNone);
  CHECK(RedisUrl::parse("rediss://h/0?ssl_ca_path=/etc/ssl/certs").tls.ca_path == "/etc/ssl/certs");
}

TEST_CASE("default_redis_url follows RQ_REDIS_URL", "[url]") {
  const char* old = std::getenv("RQ_REDIS_URL");
  std::string saved = old ? old : "";
  unsetenv("RQ_REDIS_URL");
  CHECK(rqcpp::default_redis_url() == "redis://127.0.0.1:6379/0");
  setenv("RQ_REDIS_URL", "redis://10.0.0.1:6380/1", 1);
  CHECK(rqcpp::default_redis_url() == "redis://10.0.0.1:6380/1");
  if (old)
    setenv("RQ_REDIS_URL", saved.c_str(), 1);
  else
    unsetenv("RQ_REDIS_URL");
}
