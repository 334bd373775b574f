// A Redis user that may touch only rq: keys and channels and run only the
// commands listed in docs/redis-acl-rules.txt (README, "Locked-down Redis"):
// rqworker and rqctl do all their work as that user, a wrong password is a
// clear error, and the password shows up nowhere.
#include <fstream>
#include <sstream>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace {

// Has '/', '+', '=' and '@': what base64 secrets hold, and what a URL parser
// could trip over.
const std::string kSecret = "s3cr/et+pw=@x";

// The one non-comment line of docs/redis-acl-rules.txt.
std::string acl_rules() {
  std::istringstream in(read_file(source_dir() + "/docs/redis-acl-rules.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') return line;
  }
  FAIL("no rules line in docs/redis-acl-rules.txt");
  return "";
}

struct LockedDown {
  WorkerFixture f;
  std::string url;            // user, no password
  std::string password_file;  // holds kSecret
  LockedDown() {
    std::vector<std::string> argv{"ACL", "SETUSER", "rqcpp", "reset", "on", ">" + kSecret};
    std::istringstream rules(acl_rules());
    for (std::string r; rules >> r;) argv.push_back(r);
    f.conn.checked(std::vector<std::string_view>(argv.begin(), argv.end()));
    url = "redis://rqcpp@127.0.0.1:" + std::to_string(f.redis.port()) + "/0";
    password_file = log_path("acl_password");
    std::ofstream(password_file) << kSecret << "\n";
  }
  RunResult rqctl(std::vector<std::string> args) {
    std::vector<std::string> argv{rqctl_path(), "--url", url, "--redis-password-file",
                                  password_file};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = run(argv, std::chrono::seconds(20));
    CHECK(r.out.find(kSecret) == std::string::npos);
    CHECK(r.err.find(kSecret) == std::string::npos);
    return r;
  }
  // Commands the user was refused, from Redis' own ACL log.
  std::string denied() {
    Reply log = f.conn.checked({"ACL", "LOG"});
    std::string out;
    for (size_t i = 0; i < log.size(); ++i) {
      auto entry = log.at(i).hash();
      out += entry["reason"] + " " + entry["object"] + "; ";
    }
    return out;
  }
};

}  // namespace

TEST_CASE("README shows the ACL rules the locked-down test uses", "[worker][acl]") {
  CHECK_THAT(read_file(source_dir() + "/README.md"), Contains(acl_rules()));
}

TEST_CASE("rqworker and rqctl work as a user limited to rq: keys and the listed commands",
          "[worker][acl]") {
  LockedDown d;
  RunResult enq = d.rqctl({"enqueue", "acl", "builtin:add", "2", "3"});
  INFO(enq.err);
  REQUIRE(enq.exit_code == 0);
  const std::string id = enq.out.substr(0, enq.out.find('\n'));
  Queue q(d.f.conn, "acl");
  const std::string failing = q.enqueue("builtin:fail", std::string("no")).id();

  // The password from the environment; the worker's log must not show it.
  const std::string log = log_path("acl_worker");
  Process w({rqworker_path(), "--url", d.url, "--plugin-dir", plugin_dir(), "--name", "acl-w",
             "--with-scheduler", "acl"},
            {{"RQ_REDIS_PASSWORD", kSecret}}, log);
  REQUIRE(d.f.eventually([&] { return d.f.status(id) == "finished"; }));
  REQUIRE(d.f.eventually([&] { return d.f.status(failing) == "failed"; }));

  RunResult job = d.rqctl({"job", id});
  CHECK(job.exit_code == 0);
  CHECK_THAT(job.out, Contains("5"));
  RunResult info = d.rqctl({"info"});
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.out, Contains("acl-w"));
  CHECK(d.rqctl({"info", "--json"}).exit_code == 0);
  CHECK(d.rqctl({"registry", "acl", "failed"}).exit_code == 0);
  CHECK(d.rqctl({"requeue", "acl", failing}).exit_code == 0);
  REQUIRE(d.f.eventually([&] { return d.f.status(failing) == "failed"; }));
  CHECK(d.rqctl({"job", id, "--wait", "--timeout", "5"}).exit_code == 0);
  CHECK(d.rqctl({"enqueue", "acl", "builtin:add", "1", "1", "--in", "1s"}).exit_code == 0);
  CHECK(d.rqctl({"suspend"}).exit_code == 0);
  CHECK(d.rqctl({"resume"}).exit_code == 0);
  CHECK(d.rqctl({"delete", failing}).exit_code == 0);

  // The worker hash holds no password, and neither does the command line
  // of a worker given the password in its URL.
  for (const auto& [field, value] : d.f.conn.checked({"HGETALL", keys::worker("acl-w")}).hash()) {
    CHECK(value.find(kSecret) == std::string::npos);
  }
  const std::string in_url =
      "redis://rqcpp:s3cr%2Fet%2Bpw%3D%40x@127.0.0.1:" + std::to_string(d.f.redis.port()) + "/0";
  Process w2(
      {rqworker_path(), "--url", in_url, "--plugin-dir", plugin_dir(), "--name", "acl-w2", "acl"},
      {}, log_path("acl_worker2"));
  REQUIRE(d.f.eventually([&] { return d.f.exists(keys::worker("acl-w2")); }));
  const std::string cmdline = read_file("/proc/" + std::to_string(w2.pid()) + "/cmdline");
  CHECK(cmdline.find("s3cr") == std::string::npos);
  CHECK_THAT(cmdline, Contains("rqcpp:***@127.0.0.1"));

  // Pub/sub: a shutdown command reaches both workers through rq:pubsub:,
  // once each has subscribed (it registers first).
  for (const std::string name : {"acl-w", "acl-w2"}) {
    REQUIRE(d.f.eventually([&] {
      Reply n = d.f.conn.checked({"PUBSUB", "NUMSUB", keys::worker_channel(name)});
      return n.at(1).integer() == 1;
    }));
    CHECK(d.rqctl({"worker", "shutdown", name}).exit_code == 0);
  }
  CHECK(w.wait(std::chrono::seconds(15)) == 0);
  CHECK(w2.wait(std::chrono::seconds(15)) == 0);
  const std::string worker_log = read_file(log);
  INFO(worker_log);
  CHECK(worker_log.find(kSecret) == std::string::npos);
  CHECK(worker_log.find("NOPERM") == std::string::npos);
  // Nothing was refused: the listed commands are all the ones used.
  CHECK(d.denied().empty());
}

TEST_CASE("a wrong password is a clear error, fast, without the password", "[worker][acl]") {
  LockedDown d;
  std::ofstream(d.password_file) << "wrong-" << kSecret << "\n";
  const auto start = std::chrono::steady_clock::now();
  RunResult r = d.rqctl({"info"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Contains("refused AUTH"));
  CHECK_THAT(r.err, Contains("WRONGPASS"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(6));

  RunResult w = run({rqworker_path(), "--url", d.url, "--plugin-dir", plugin_dir(), "--burst",
                     "--redis-password-file", d.password_file, "acl"});
  CHECK(w.exit_code == 1);
  CHECK_THAT(w.err, Contains("refused AUTH"));
  CHECK(w.err.find(kSecret) == std::string::npos);

  // A password both in the URL and in a file is refused, naming neither.
  RunResult twice = run({rqctl_path(), "--url", "redis://u:pw@127.0.0.1:1/0",
                         "--redis-password-file", d.password_file, "info"});
  CHECK(twice.exit_code == 3);
  CHECK_THAT(twice.err, Contains("given twice"));
  CHECK(twice.err.find("pw@") == std::string::npos);
  RunResult missing = d.rqctl({"--redis-password-file", "/nonexistent/pw", "info"});
  CHECK(missing.exit_code == 3);
  CHECK_THAT(missing.err, Contains("cannot read the Redis password file '/nonexistent/pw'"));

  // --help texts name the options, never a password.
  for (const std::string& bin : {rqworker_path(), rqctl_path()}) {
    RunResult help =
        run({bin, "--help"}, std::chrono::seconds(10), {{"RQ_REDIS_PASSWORD", kSecret}});
    CHECK_THAT(help.out, Contains("--redis-password-file"));
    CHECK(help.out.find(kSecret) == std::string::npos);
  }
}
