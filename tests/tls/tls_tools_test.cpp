// rqctl and rqworker over rediss://: verification errors (exit 3), a burst,
// an idle worker's blocking BLMOVE wait, `rqctl job --wait`, pub/sub worker
// commands, and Python RQ reading the same state through the same URL.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "rqcpp/job.hpp"
#include "rqcpp/keys.hpp"
#include "tls_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace {

RunResult rqctl(const std::string& url, std::vector<std::string> args) {
  args.insert(args.begin(), {rqctl_path(), "--url", url});
  return run(args, std::chrono::seconds(60));
}

std::string enqueue(const std::string& url, const std::vector<std::string>& args) {
  std::vector<std::string> a{"enqueue"};
  a.insert(a.end(), args.begin(), args.end());
  RunResult r = rqctl(url, a);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, r.out.find('\n'));
}

std::vector<std::string> worker_argv(const std::string& url, std::vector<std::string> args) {
  args.insert(args.begin(), {rqworker_path(), "--url", url, "--plugin-dir", plugin_dir()});
  return args;
}

}  // namespace

TEST_CASE("rqctl exits 3 with OpenSSL's reason when the certificate does not verify", "[tls]") {
  TlsFixture f;
  RunResult r = rqctl(f.redis.tls_url("ssl_ca_certs=" + f.files.other_ca()), {"info"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Contains("rqctl: "));
  CHECK_THAT(r.err,
             Contains("certificate verify failed: self-signed certificate in certificate chain"));
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line

  RunResult bad = rqctl(f.url("ssl_cert_reqs=sometimes"), {"info"});
  CHECK(bad.exit_code == 3);  // UrlError, like any URL rqctl cannot use
  CHECK_THAT(bad.err, Contains("ssl_cert_reqs 'sometimes'"));
}

TEST_CASE("a worker burst over TLS, and Python RQ reads the results through the same URL",
          "[tls]") {
  TlsFixture f;
  const std::string url = f.url();
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i)
    ids.push_back(enqueue(url, {"tls", "builtin:add", std::to_string(i), "1"}));

  RunResult w = run(worker_argv(url, {"--burst", "tls"}), std::chrono::seconds(120));
  INFO(w.err);
  REQUIRE(w.exit_code == 0);

  Connection conn = Connection::open(url);
  for (size_t i = 0; i < ids.size(); ++i) {
    Job job = Job::fetch(conn, ids[i]);
    CHECK(job.status() == JobStatus::kFinished);
    CHECK(job.result<long long>() == static_cast<long long>(i) + 1);
  }
  RunResult py = python_fetch(url, ids[5]);
  INFO(py.err);
  REQUIRE(py.exit_code == 0);
  CHECK(py.out == "finished 6\n");
  RunResult info = rqctl(url, {"job", ids[5]});
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.out, Contains("finished"));
}

TEST_CASE(
    "with client certificates: an idle worker's blocking wait, job --wait and pub/sub commands "
    "over TLS",
    "[tls]") {
  TlsFixture f(/*auth_clients=*/true);
  const std::string url = f.client_url();
  // Without the client certificate the server refuses rqctl (exit 3).
  RunResult refused = rqctl(f.url(), {"info"});
  CHECK(refused.exit_code == 3);
  CHECK_THAT(refused.err, Contains("the server asked for a client certificate"));

  const std::string first = enqueue(url, {"idle", "builtin:add", "20", "22"});
  // `rqctl job --wait` blocks over TLS until the worker below runs the job.
  Process waiter({rqctl_path(), "--url", url, "job", first, "--wait", "--timeout", "60"}, {}, "");
  Process worker(worker_argv(url, {"--name", "tls-w", "idle"}));
  Connection conn = Connection::open(url);
  auto status = [&](const std::string& id) {
    return std::string(conn.checked({"HGET", keys::job(id), "status"}).str());
  };
  REQUIRE(TlsFixture::eventually([&] { return status(first) == "finished"; }));
  const int waited = waiter.wait(std::chrono::seconds(30));
  REQUIRE(WIFEXITED(waited));
  CHECK(WEXITSTATUS(waited) == 0);

  // Idle now, blocked in BLMOVE over TLS: a new job wakes it.
  REQUIRE(TlsFixture::eventually([&] {
    return std::string(conn.checked({"HGET", keys::worker("tls-w"), "state"}).str()) == "idle";
  }));
  const std::string second = enqueue(url, {"idle", "builtin:add", "1", "2"});
  REQUIRE(TlsFixture::eventually([&] { return status(second) == "finished"; }));
  CHECK(Job::fetch(conn, second).result<long long>() == 3);
  RunResult py = python_fetch(url, second);
  INFO(py.err);
  CHECK(py.out == "finished 3\n");

  // The shutdown command goes through pub/sub over TLS to the worker.
  RunResult shut = rqctl(url, {"worker", "shutdown", "tls-w"});
  INFO(shut.err);
  REQUIRE(shut.exit_code == 0);
  const int st = worker.wait(std::chrono::seconds(20));
  REQUIRE(st != -1);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
}
