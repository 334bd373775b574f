// Job reading: the hash (docs/redis-layout.md 2.1) and the results stream (1.4).
#include "rqcpp/job.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::hex;
using rqcpp::test::pack;
using rqcpp::test::unhex;

TEST_CASE("fetch reads the hash; missing or data-less hashes are NoSuchJobError", "[job]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  CHECK_THROWS_AS(Job::fetch(c, "nope"), NoSuchJobError);
  CHECK_FALSE(Job::try_fetch(c, "nope"));
  c.command({"HSET", "rq:job:nodata", "status", "queued"});
  CHECK_THROWS_WITH(Job::fetch(c, "nodata"), Catch::Contains("nodata"));
  CHECK_FALSE(Job::try_fetch(c, "nodata"));
  c.command({"HSET", "rq:job:pickle", "data", unhex("80 04 95 00")});
  CHECK_THROWS_AS(Job::fetch(c, "pickle"), DecodeError);

  // The minimal job of docs/redis-layout.md section 7: data + status.
  c.command({"HSET", "rq:job:min", "data", unhex("94 a9 6d 79 6c 69 62 3a 61 64 64 c0 92 02 03 80"),
             "status", "started"});
  Job j = Job::fetch(c, "min");
  CHECK(j.id() == "min");
  CHECK(j.func_name() == "mylib:add");
  CHECK(j.status() == JobStatus::kStarted);
  CHECK(j.origin().empty());
  CHECK_FALSE(j.created_at());
  CHECK_FALSE(j.timeout());
  CHECK(hex(j.meta()) == "80");
  CHECK(j.dependency_ids().empty());
  CHECK_FALSE(j.latest_result());
  CHECK_FALSE(j.return_value());
  CHECK_FALSE(j.exc_info());

  c.command({"HSET", "rq:job:min", "status", "finished"});
  CHECK(j.status() == JobStatus::kStarted);  // a snapshot
  CHECK(j.fetch_status() == JobStatus::kFinished);
  CHECK(j.status() == JobStatus::kFinished);
  c.command({"HSET", "rq:job:min", "origin", "q", "started_at", "2026-01-01T00:00:00Z",
             "dependency_id", "legacy"});
  j.refresh();
  CHECK(j.origin() == "q");
  CHECK(j.started_at());
  CHECK(j.dependency_ids() == std::vector<std::string>{"legacy"});
  c.command({"DEL", "rq:job:min"});
  CHECK_FALSE(j.fetch_status());
  CHECK_THROWS_AS(j.refresh(), NoSuchJobError);
  CHECK(j.origin() == "q");  // snapshot unchanged
}

TEST_CASE("results come from the newest stream entry", "[job]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "r");
  Job job = q.enqueue("mylib:add", 2, 3);
  std::string key = "rq:results:" + job.id();

  c.command({"XADD", key, "1795897137813-0", "type", "2", "exc_string",
             base64_encode(zlib_compress("Traceback...\nValueError: boom"))});
  auto failed = job.latest_result();
  REQUIRE(failed);
  CHECK(failed->type == JobResult::Type::kFailed);
  CHECK(failed->stream_id == "1795897137813-0");
  CHECK(failed->exc_string == "Traceback...\nValueError: boom");
  CHECK(failed->created_at == Clock::time_point(std::chrono::milliseconds(1795897137813LL)));
  CHECK_FALSE(failed->value);
  CHECK(job.exc_info() == "Traceback...\nValueError: boom");
  CHECK_FALSE(job.return_value());

  c.command({"XADD", key, "1795897138023-0", "type", "1", "return_value", "BQ=="});
  auto ok = job.latest_result();
  REQUIRE(ok);
  CHECK(ok->type == JobResult::Type::kSuccessful);
  CHECK(ok->value == pack(5));
  CHECK(job.return_value() == pack(5));
  CHECK(job.result<int>() == 5);
  CHECK_THROWS_AS(job.result<std::string>(), DecodeError);
  CHECK_FALSE(job.exc_info());  // newest is a success, and no exc_info field

  auto all = job.results();
  REQUIRE(all.size() == 2);
  CHECK(all[0].stream_id == "1795897138023-0");
  CHECK(all[1].stream_id == "1795897137813-0");

  // None: a success without return_value.
  c.command({"XADD", key, "*", "type", "1"});
  CHECK(job.latest_result()->type == JobResult::Type::kSuccessful);
  CHECK_FALSE(job.return_value());

  c.command({"XADD", key, "*", "type", "1", "return_value", "kgGhYQ=="});
  CHECK(job.result<std::tuple<int, std::string>>() == std::make_tuple(1, std::string("a")));
  c.command({"XADD", key, "*", "type", "1", "return_value", "gaF4AQ=="});
  CHECK((job.result<std::map<std::string, int>>() == std::map<std::string, int>{{"x", 1}}));
  c.command({"XADD", key, "*", "type", "1", "return_value", "y0AEAAAAAAAA"});
  CHECK(job.result<double>() == 2.5);
  c.command({"XADD", key, "*", "type", "9"});
  CHECK_THROWS_AS(job.latest_result(), DecodeError);
  c.command({"XADD", key, "*", "type", "1", "return_value", "!!!"});
  CHECK_THROWS_AS(job.return_value(), DecodeError);
}

TEST_CASE("exc_info falls back to the hash's zlib exc_info", "[job]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "x");
  Job job = q.enqueue("lib:f");
  c.command({"HSET", "rq:job:" + job.id(), "exc_info",
             zlib_compress("Moved to FailedJobRegistry at 2026-01-01 00:00:00")});
  job.refresh();
  CHECK(job.exc_info() == "Moved to FailedJobRegistry at 2026-01-01 00:00:00");
  c.command({"HSET", "rq:job:" + job.id(), "exc_info", "plain text"});
  job.refresh();
  CHECK(job.exc_info() == "plain text");
  c.command({"HSET", "rq:job:" + job.id(), "exc_info", unhex("78 9c 03 00 00 00 00 01")});
  job.refresh();
  CHECK(job.exc_info() == "");
  // A failure entry wins over the hash field.
  c.command({"XADD", "rq:results:" + job.id(), "*", "type", "2", "exc_string",
             base64_encode(zlib_compress("from stream"))});
  CHECK(job.exc_info() == "from stream");
}

TEST_CASE("JSON jobs' results and meta come back as msgpack", "[job]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  c.command({"HSET", "rq:job:j", "data", zlib_compress(R"(["mylib.add", null, [2, 3], {}])"),
             "status", "finished", "meta", R"({"k": "v"})"});
  c.command({"XADD", "rq:results:j", "*", "type", "1", "return_value", "NQ=="});
  Job j = Job::fetch(c, "j");
  CHECK(j.serializer() == Serializer::kJson);
  CHECK(j.result<int>() == 5);
  CHECK(hex(j.meta()) == "81 a1 6b a1 76");
  c.command({"HSET", "rq:job:j", "meta", "[1]"});
  j.refresh();
  CHECK_THROWS_AS(j.meta(), DecodeError);

  // Legacy (Redis < 5) result in the hash when there is no stream.
  c.command(
      {"HSET", "rq:job:legacy", "data", zlib_compress(R"(["f", null, [], {}])"), "result", "7"});
  CHECK(Job::fetch(c, "legacy").result<int>() == 7);
}

TEST_CASE("job status strings are RQ's", "[job]") {
  for (auto [s, text] :
       std::vector<std::pair<JobStatus, std::string>>{{JobStatus::kQueued, "queued"},
                                                      {JobStatus::kStarted, "started"},
                                                      {JobStatus::kFinished, "finished"},
                                                      {JobStatus::kFailed, "failed"},
                                                      {JobStatus::kDeferred, "deferred"},
                                                      {JobStatus::kScheduled, "scheduled"},
                                                      {JobStatus::kStopped, "stopped"},
                                                      {JobStatus::kCanceled, "canceled"}}) {
    CHECK(to_string(s) == text);
    CHECK(parse_job_status(text) == s);
  }
  CHECK_FALSE(parse_job_status(""));
  CHECK_FALSE(parse_job_status("done"));
}
