// A TLS redis-server with throwaway certificates, for the rediss:// tests.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "tls_files.hpp"

namespace rqcpp::test {

struct TlsFixture {
  explicit TlsFixture(bool auth_clients = false)
      : redis(RedisServer::Tls{files.server_cert(), files.server_key(), files.ca(), auth_clients}) {
  }

  TlsFiles files;  // made before the server that uses them
  RedisServer redis;

  // rediss:// to the server trusting the test CA, plus `more` parameters.
  std::string url(const std::string& more = "") const {
    return redis.tls_url("ssl_ca_certs=" + files.ca() + (more.empty() ? "" : "&" + more));
  }
  // The same with the test client certificate.
  std::string client_url(const std::string& more = "") const {
    return url("ssl_certfile=" + files.client_cert() + "&ssl_keyfile=" + files.client_key() +
               (more.empty() ? "" : "&" + more));
  }

  // Polls `pred` every 10 ms for up to `timeout`.
  template <class Pred>
  static bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }
};

// Python RQ (python3-rq, python3-redis, python3-msgpack) reading job `id`
// through `url` with the msgpack serializer; prints "<status> <result>".
inline RunResult python_fetch(const std::string& url, const std::string& id) {
  static const char* kScript = R"PY(
import sys, msgpack
from redis import Redis
from rq.job import Job

class MsgpackSerializer:
    dumps = staticmethod(lambda o: msgpack.packb(o, use_bin_type=True))
    loads = staticmethod(lambda b: msgpack.unpackb(b, raw=False))

job = Job.fetch(sys.argv[2], connection=Redis.from_url(sys.argv[1]), serializer=MsgpackSerializer)
print(job.get_status(), job.result)
)PY";
  return run({"/usr/bin/python3", "-c", kScript, url, id}, std::chrono::seconds(60));
}

}  // namespace rqcpp::test
