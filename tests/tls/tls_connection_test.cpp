// The C++ API over rediss://: commands, pipelines and scripts; certificate
// verification and its errors; client certificates; host name checks.
#include <catch2/catch.hpp>
#include <string>

#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"
#include "tls_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace {

// Opens `url` and runs PING: with TLS 1.3 a server that refuses the client's
// certificate says so only after the client's side of the handshake.
std::string ping(const std::string& url) {
  Connection c = Connection::open(url);
  return std::string(c.checked({"PING"}).str());
}

std::string error_of(const std::string& url) {
  try {
    ping(url);
  } catch (const RedisError& e) {
    return e.what();
  }
  FAIL("no RedisError for " << url);
  return "";
}

}  // namespace

TEST_CASE("rediss:// runs commands, pipelines and scripts over TLS", "[tls]") {
  TlsFixture f;
  Connection conn = Connection::open(f.url());
  CHECK(conn.checked({"SET", "k", "v"}).str() == "OK");
  CHECK(conn.checked({"GET", "k"}).str() == "v");

  // Larger than one TLS record (16 KiB) both ways.
  const std::string big(3 << 20, 'x');
  conn.checked({"SET", "big", big});
  CHECK(conn.checked({"GET", "big"}).str() == big);

  for (int i = 0; i < 200; ++i) conn.append({"INCR", "n"});
  std::vector<Reply> replies = conn.replies();
  REQUIRE(replies.size() == 200);
  CHECK(replies.back().integer() == 200);

  Queue q(conn, "default");
  Job job = q.enqueue("builtin:add", 2, 3);
  // What went over TLS is in the server, read back over its plain port.
  Connection plain = Connection::open(f.redis.url());
  CHECK(plain.checked({"GET", "n"}).integer() == 200);
  CHECK(plain.checked({"LRANGE", "rq:queue:default", "0", "-1"}).strings() ==
        std::vector<std::string>{job.id()});
}

TEST_CASE("a server certificate that does not verify is a RedisError naming the reason", "[tls]") {
  TlsFixture f;
  // A CA that did not sign the server's certificate, and the system store
  // alone (which knows nothing of the test CA).
  for (const std::string& url :
       {f.redis.tls_url("ssl_ca_certs=" + f.files.other_ca()), f.redis.tls_url()}) {
    INFO(url);
    std::string what = error_of(url);
    // redis-server sends its CA with its certificate.
    CHECK_THAT(what,
               Contains("certificate verify failed: self-signed certificate in certificate chain"));
    CHECK_THAT(what, Contains("rediss://127.0.0.1:" + std::to_string(f.redis.tls_port())));
  }
  // ssl_cert_reqs=none takes any certificate, as redis-py does.
  CHECK(ping(f.redis.tls_url("ssl_cert_reqs=none")) == "PONG");
  CHECK(ping(f.url("ssl_cert_reqs=optional")) == "PONG");
  // A plain client on the TLS port, and TLS on the plain port, fail clearly.
  CHECK_THAT(error_of("redis://127.0.0.1:" + std::to_string(f.redis.tls_port()) + "/0"),
             Contains("PING on Redis at"));
  std::string plain_port = "rediss://127.0.0.1:" + std::to_string(f.redis.port()) + "/0";
  CHECK_THAT(error_of(plain_port), Contains("TLS"));
}

TEST_CASE("ssl_check_hostname checks the certificate's names", "[tls]") {
  TlsFixture f;
  CHECK(ping(f.url("ssl_check_hostname=true")) == "PONG");  // IP SAN 127.0.0.1
  CHECK(ping(f.redis.tls_url("ssl_ca_certs=" + f.files.ca() + "&ssl_check_hostname=yes",
                             "localhost")) == "PONG");  // DNS SAN localhost

  RedisServer other(
      RedisServer::Tls{f.files.wrong_name_cert(), f.files.wrong_name_key(), f.files.ca(), false});
  const std::string url = other.tls_url("ssl_ca_certs=" + f.files.ca());
  CHECK(ping(url) == "PONG");  // redis-py's default: chain only
  CHECK_THAT(error_of(url + "&ssl_check_hostname=true"),
             Contains("certificate verify failed: IP address mismatch"));
  CHECK_THAT(error_of(other.tls_url("ssl_ca_certs=" + f.files.ca() + "&ssl_check_hostname=1",
                                    "localhost")),
             Contains("certificate verify failed: hostname mismatch"));
}

TEST_CASE("tls-auth-clients: a client certificate is sent when the URL names one", "[tls]") {
  TlsFixture f(/*auth_clients=*/true);
  CHECK(ping(f.client_url()) == "PONG");
  // The key may live in the certificate file (redis-py's keyfile=None).
  const std::string both = f.files.dir() + "/client-both.pem";
  REQUIRE(
      run({"/bin/sh", "-c",
           "cat '" + f.files.client_cert() + "' '" + f.files.client_key() + "' > '" + both + "'"})
          .exit_code == 0);
  CHECK(ping(f.url("ssl_certfile=" + both)) == "PONG");

  CHECK_THAT(error_of(f.url()), Contains("the server asked for a client certificate"));
  CHECK_THAT(error_of(f.url("ssl_certfile=" + f.files.dir() + "/missing.pem")),
             Contains("cannot load the client certificate"));
  CHECK_THAT(error_of(f.url("ssl_certfile=" + f.files.client_cert() +
                            "&ssl_keyfile=" + f.files.server_key())),
             Contains("key values mismatch"));
}
