// The one "libname:function" rule (rqcpp/function_ref.hpp), run through every
// user over one table: FunctionRef itself, the SDK's compile-time check,
// producers (Queue::enqueue_call, JobFunction, callback options), rqctl
// enqueue and rqworker's plugin loader. A user that accepts a different set
// of strings fails here.
#include "rqcpp/function_ref.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <rqcpp/sdk/job_entry.hpp>
#include <string>
#include <vector>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/job_function.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/serialization.hpp"
#include "rqcpp/timestamp.hpp"

using namespace rqcpp;
using Catch::Matchers::Contains;

namespace {

struct Row {
  std::string text;
  bool valid;
};

const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      {"builtin:add", true},
      {"my-lib_2.0:f", true},
      {"a:b", true},
      {"A9:Z_9", true},
      {"lib.x:f.g-h", true},
      {"lib:2fast", true},
      {"...:f", true},  // not a directory entry: lib....so is an ordinary file name
      {std::string(FunctionRef::kMaxLibnameLength, 'l') + ":f", true},
      {"", false},
      {"add", false},
      {":f", false},
      {"lib:", false},
      {":", false},
      {"a:b:c", false},
      {"../x:f", false},
      {"a/b:f", false},
      {"/abs:f", false},
      {".:f", false},
      {"..:f", false},
      {"lib:f(x)", false},
      {"lib: f", false},
      {"lib :f", false},
      {"lib:a/b", false},
      {"lib:f\n", false},
      {"li\tb:f", false},
      {"lib:\xc3\xbcn\xc3\xaf", false},
      {std::string("li\0b:f", 6), false},
      {std::string(FunctionRef::kMaxLibnameLength + 1, 'l') + ":f", false},
  };
  return rows;
}

bool throws_invalid_argument(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument&) {
    return true;
  }
  return false;
}

void write_raw_job(Connection& conn, const std::string& queue, const std::string& id,
                   const std::string& func_name) {
  std::string data = encode_job_data(
      JobCall{func_name, std::string("\x90", 1), std::string("\x80", 1)}, Serializer::kMsgpack);
  std::string ts = now_timestamp();
  conn.checked({"HSET", keys::job(id), "data", data, "status", "queued", "origin", queue, "timeout",
                "30", "created_at", ts, "enqueued_at", ts, "description", "raw"});
  conn.checked({"SADD", std::string(keys::kQueues), keys::queue(queue)});
  conn.checked({"RPUSH", keys::queue(queue), id});
}

}  // namespace

TEST_CASE("FunctionRef accepts exactly the table's valid strings", "[function_ref]") {
  for (const Row& row : table()) {
    INFO("'" << row.text << "'");
    CHECK(FunctionRef::is_valid(row.text) == row.valid);
    CHECK(FunctionRef::problem(row.text).empty() == row.valid);
    if (row.valid) {
      FunctionRef ref = FunctionRef::parse(row.text);
      CHECK(ref.to_string() == row.text);  // print and parse are inverse
      CHECK(FunctionRef::parse(ref.to_string()) == ref);
      CHECK(FunctionRef::is_valid_libname(ref.libname));
      CHECK(FunctionRef::is_valid_function(ref.function));
    } else {
      CHECK_THROWS_AS(FunctionRef::parse(row.text), std::invalid_argument);
    }
  }
  CHECK_THAT(FunctionRef::problem("../x:f"), Contains("invalid plugin name '../x'"));
  CHECK_THAT(FunctionRef::problem("noseparator"), Contains("expected libname:function"));
  CHECK_THAT(FunctionRef::problem("lib:f(x)"), Contains("invalid function name 'f(x)'"));
}

TEST_CASE("RQCPP_JOB's compile-time name check is FunctionRef's function rule",
          "[function_ref][sdk]") {
  using sdk_detail::FixedString;
  STATIC_REQUIRE(FixedString("add").is_valid_job_name());
  STATIC_REQUIRE(FixedString("2fast").is_valid_job_name());
  STATIC_REQUIRE(FixedString("f.g-h").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("f(x)").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("b:c").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("sum<int>").is_valid_job_name());
  STATIC_REQUIRE_FALSE(FixedString("a/b").is_valid_job_name());
}

TEST_CASE("producers accept exactly the table's valid strings, as functions and callbacks",
          "[function_ref][enqueue]") {
  test::RedisServer redis;
  Connection conn = Connection::open(redis.url());
  Queue q(conn, "refs");
  for (const Row& row : table()) {
    INFO("'" << row.text << "'");
    CHECK(throws_invalid_argument([&] { q.enqueue_call(row.text, Args()); }) == !row.valid);
    JobFunction fn(conn, "refs", row.text);
    CHECK(throws_invalid_argument([&] { fn.delay(); }) == !row.valid);
    for (std::string EnqueueOptions::*callback :
         {&EnqueueOptions::on_success, &EnqueueOptions::on_failure, &EnqueueOptions::on_stopped}) {
      if (row.text.empty()) continue;  // "" means "no callback"
      EnqueueOptions o;
      o.*callback = row.text;
      CHECK(throws_invalid_argument([&] { q.enqueue_call("builtin:noop", Args(), o); }) ==
            !row.valid);
    }
  }
}

TEST_CASE("rqctl enqueue accepts exactly the table's valid strings", "[function_ref][rqctl]") {
  test::RedisServer redis;
  for (const Row& row : table()) {
    if (row.text.find('\0') != std::string::npos) continue;  // not passable in argv
    INFO("'" << row.text << "'");
    test::RunResult r =
        test::run({test::rqctl_path(), "--url", redis.url(), "enqueue", "refs", "--", row.text},
                  std::chrono::seconds(30));
    INFO(r.err);
    CHECK((r.exit_code == 0) == row.valid);
    if (!row.valid && !row.text.empty()) CHECK_THAT(r.err, Contains("invalid"));
  }
}

TEST_CASE("rqworker's plugin loader rejects exactly the table's invalid strings",
          "[function_ref][worker]") {
  test::RedisServer redis;
  Connection conn = Connection::open(redis.url());
  std::map<std::string, const Row*> jobs;  // written raw: a Python producer checks nothing
  for (const Row& row : table()) {
    std::string id = "ref-" + std::to_string(jobs.size());
    write_raw_job(conn, "raw", id, row.text);
    jobs.emplace(id, &row);
  }
  test::RunResult w = test::run({test::rqworker_path(), "--burst", "--url", redis.url(),
                                 "--plugin-dir", test::plugin_dir(), "raw"},
                                std::chrono::seconds(120));
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  for (const auto& [id, row] : jobs) {
    INFO("'" << row->text << "'");
    Job job = Job::fetch(conn, id);
    // None runs: builtin:add lacks its arguments, no plugin offers the others.
    REQUIRE(job.status() == JobStatus::kFailed);
    std::string exc = job.exc_info().value_or("");
    INFO(exc);
    // A valid name gets as far as looking the plugin or function up.
    CHECK((exc.find("PluginError: invalid ") == std::string::npos) == row->valid);
  }
}
