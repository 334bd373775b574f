// rqctl failure modes (one "rqctl: ..." line on stderr, documented exit code)
// and --help pages.
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

// Exit codes documented in rqctl --help.
constexpr int kUsage = 2;
constexpr int kRedis = 3;
constexpr int kNotFound = 4;

void check_error(const RunResult& r, int code, const std::string& mentions = "") {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == code);
  CHECK(r.out.empty());
  CHECK(is_one_error_line(r.err));
  if (!mentions.empty()) CHECK_THAT(r.err, Catch::Contains(mentions));
}

}  // namespace

TEST_CASE("rqctl with Redis down: one line, exit 3", "[cli][errors]") {
  std::string url;
  {
    RedisServer redis;
    url = redis.url();
    redis.stop();
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{"info"},
                                                                {"info", "--json"},
                                                                {"job", "x"},
                                                                {"enqueue", "q", "builtin:noop"},
                                                                {"empty", "q"},
                                                                {"delete-queue", "q"}}) {
    std::vector<std::string> argv{"--url", url};
    argv.insert(argv.end(), args.begin(), args.end());
    check_error(rqctl_raw(argv), kRedis, "127.0.0.1");
  }
  // The same through RQ_REDIS_URL.
  check_error(rqctl_raw({"info"}, {{"RQ_REDIS_URL", url}}), kRedis);
}

TEST_CASE("rqctl with a bad URL: one line, exit 3", "[cli][errors]") {
  check_error(rqctl_raw({"--url", "http://127.0.0.1:1/0", "info"}), kRedis);
  check_error(rqctl_raw({"--url", "redis://127.0.0.1:notaport/0", "info"}), kRedis);
  check_error(rqctl_raw({"info", "--url", "nonsense"}), kRedis);
  check_error(rqctl_raw({"info"}, {{"RQ_REDIS_URL", "ftp://x"}}), kRedis);
}

TEST_CASE("rqctl job with an unknown id: one line, exit 4", "[cli][errors]") {
  RedisServer redis;
  check_error(rqctl(redis, {"job", "no-such-job"}), kNotFound, "no-such-job");
  check_error(rqctl(redis, {"job", "no-such-job", "--json"}), kNotFound, "no-such-job");
}

TEST_CASE("rqctl job on a hash without data: one line, exit 4", "[cli][errors]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  // (A hash whose data does not decode is shown: job_command_test.cpp.)
  // A hash without `data` is no job for RQ either.
  conn.checked({"HSET", "rq:job:nodata", "status", "queued"});
  check_error(rqctl(redis, {"job", "nodata"}), kNotFound, "nodata");
}

TEST_CASE("rqctl usage errors: one line, exit 2, nothing written", "[cli][errors]") {
  RedisServer redis;
  check_error(rqctl_raw({}), kUsage);
  check_error(rqctl(redis, {"frobnicate"}), kUsage, "frobnicate");
  check_error(rqctl_raw({"--bogus", "info"}), kUsage, "--bogus");
  check_error(rqctl(redis, {"info", "--bogus"}), kUsage, "bogus");
  check_error(rqctl(redis, {"enqueue"}), kUsage, "QUEUE");
  check_error(rqctl(redis, {"enqueue", "q"}), kUsage, "FUNC");
  check_error(rqctl(redis, {"job"}), kUsage, "ID");
  check_error(rqctl(redis, {"job", "a", "b"}), kUsage);
  check_error(rqctl(redis, {"empty"}), kUsage, "QUEUE");
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--kwarg", "novalue"}), kUsage,
              "--kwarg");
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--kwarg", "=1"}), kUsage, "--kwarg");
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--meta", "[1]"}), kUsage, "--meta");
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--meta", "{bad"}), kUsage, "--meta");
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--timeout", "soon"}), kUsage, "soon");
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--timeout", "0"}), kUsage);
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--timeout"}), kUsage, "timeout");
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "--serializer", "pickle"}), kUsage);
  check_error(rqctl(redis, {"enqueue", "q", "no-colon-here"}), kUsage);
  check_error(rqctl(redis, {"enqueue", "q", "builtin:noop", "\xff\xfe"}), kUsage, "UTF-8");

  // None of the rejected enqueues reached Redis.
  RunResult info = rqctl(redis, {"info", "--json"});
  REQUIRE(info.exit_code == 0);
  CHECK(parse_json_output(info)["queues"].empty());
}

TEST_CASE("rqctl uses RQ_REDIS_URL and --url overrides it", "[cli]") {
  RedisServer redis;
  RunResult r = rqctl_raw({"enqueue", "envq", "builtin:noop"}, {{"RQ_REDIS_URL", redis.url()}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  r = rqctl_raw({"--url", redis.url(), "info", "--json"},
                {{"RQ_REDIS_URL", "redis://127.0.0.1:1/0"}});
  REQUIRE(r.exit_code == 0);
  CHECK(parse_json_output(r)["queues"][0]["queued"] == 1);
  r = rqctl_raw({"info", "--json", "--url=" + redis.url()});
  REQUIRE(r.exit_code == 0);
}

TEST_CASE("rqctl --help documents commands, options and exit codes", "[cli][help]") {
  RunResult r = rqctl_raw({"--help"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* word : {"enqueue", "job", "info", "empty", "delete-queue", "--url",
                           "RQ_REDIS_URL", "Exit codes", "3  Redis error", "4  not found"}) {
    CHECK_THAT(r.out, Catch::Contains(word));
  }
  CHECK(rqctl_raw({"help"}).out == r.out);

  struct Page {
    std::string command;
    std::vector<std::string> mentions;
  };
  for (const Page& page :
       std::vector<Page>{{"enqueue",
                          {"QUEUE FUNC [ARG...]", "--kwarg", "--timeout", "--result-ttl", "--ttl",
                           "--failure-ttl", "--depends-on", "--job-id", "--at-front",
                           "--description", "--meta", "JSON literal", "--url"}},
                         {"job", {"ID", "--json", "exc_info"}},
                         {"info", {"[QUEUE...]", "--json", "registry"}},
                         {"empty", {"QUEUE...", "--json"}},
                         {"delete-queue", {"QUEUE...", "--keep-jobs"}}}) {
    RunResult help = rqctl_raw({page.command, "--help"});
    INFO(page.command);
    REQUIRE(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::StartsWith("Usage: rqctl [--url URL] " + page.command + " "));
    CHECK_THAT(help.out, Catch::Contains("Exit codes"));
    for (const auto& m : page.mentions) CHECK_THAT(help.out, Catch::Contains(m));
    CHECK(rqctl_raw({"help", page.command}).out == help.out);
  }
  // Reading commands take --json; enqueue prints only the id.
  CHECK(rqctl_raw({"enqueue", "--help"}).out.find("--json") == std::string::npos);
  CHECK(rqctl_raw({"--version"}).exit_code == 0);
}
