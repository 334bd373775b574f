// Queue::enqueue_call writes exactly what RQ 1.13 writes (docs/redis-layout.md 3.1).
#include <catch2/catch.hpp>
#include <set>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/timestamp.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::hex;
using rqcpp::test::pack;

namespace {

std::set<std::string> field_names(Connection& c, const std::string& id) {
  std::set<std::string> out;
  for (const auto& [k, v] : c.command({"HGETALL", "rq:job:" + id}).hash()) out.insert(k);
  return out;
}

}  // namespace

TEST_CASE("enqueue writes RQ's job hash, queue list and queue set", "[enqueue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mp");
  auto before = now_seconds();
  Job job = q.enqueue("mylib:add", 2, 3);

  CHECK(job.id().size() == 36);
  CHECK(job.id()[14] == '4');
  auto h = c.command({"HGETALL", "rq:job:" + job.id()}).hash();
  CHECK(field_names(c, job.id()) ==
        std::set<std::string>{"created_at", "data", "description", "ended_at", "enqueued_at",
                              "failure_callback_name", "last_heartbeat", "origin", "started_at",
                              "status", "success_callback_name", "timeout", "worker_name"});
  CHECK(hex(h["data"]) ==
        "78 9c 9b b2 32 b7 32 27 33 c9 2a 31 25 e5 c0 24 26 e6 06 00 3d 73 06 95");
  CHECK(h["status"] == "queued");
  CHECK(h["origin"] == "mp");
  CHECK(h["description"] == "mylib:add(2, 3)");
  CHECK(h["timeout"] == "180");
  for (auto empty : {"started_at", "ended_at", "last_heartbeat", "worker_name",
                     "success_callback_name", "failure_callback_name"}) {
    CHECK(h[empty].empty());
  }
  auto created = parse_timestamp(h["created_at"]);
  REQUIRE(created);
  CHECK(h["created_at"].size() == 27);
  CHECK(unix_seconds(*created) >= before);
  CHECK(parse_timestamp(h["enqueued_at"]));

  CHECK(c.command({"LRANGE", "rq:queue:mp", "0", "-1"}).strings() ==
        std::vector<std::string>{job.id()});
  CHECK(c.command({"SMEMBERS", "rq:queues"}).strings() == std::vector<std::string>{"rq:queue:mp"});
  CHECK(c.command({"TTL", "rq:job:" + job.id()}).integer() == -1);

  // The returned snapshot is what was written.
  CHECK(job.status() == JobStatus::kQueued);
  CHECK(job.func_name() == "mylib:add");
  CHECK(hex(job.args()) == "92 02 03");
  CHECK(job.origin() == "mp");
  CHECK(job.fields() == h);
}

TEST_CASE("enqueue options map to RQ's optional fields", "[enqueue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "opts");
  EnqueueOptions o;
  o.job_id = "my-id";
  o.job_timeout = "1h";
  o.result_ttl = 600;
  o.failure_ttl = -1;
  o.ttl = 100;
  o.description = "custom";
  o.meta = pack(std::map<std::string, std::string>{{"k", "v"}});
  o.retry = Retry{3, {5, 7}};
  o.on_success = "cb:ok";
  o.on_failure = "cb:bad";
  o.on_stopped = "cb:stop";
  Job job = q.enqueue_call("lib:f", Args::of(1).kwarg("x", 2), o);
  CHECK(job.id() == "my-id");

  auto h = c.command({"HGETALL", "rq:job:my-id"}).hash();
  CHECK(h["timeout"] == "3600");
  CHECK(h["result_ttl"] == "600");
  CHECK(h["failure_ttl"] == "-1");
  CHECK(h["ttl"] == "100");
  CHECK(h["description"] == "custom");
  CHECK(hex(h["meta"]) == "81 a1 6b a1 76");
  CHECK(h["retries_left"] == "3");
  CHECK(h["retry_intervals"] == "[5, 7]");
  CHECK(h["success_callback_name"] == "cb:ok");
  CHECK(h["failure_callback_name"] == "cb:bad");
  CHECK(h["stopped_callback_name"] == "cb:stop");
  CHECK(h.count("dependency_ids") == 0);
  CHECK(h.count("allow_dependency_failures") == 0);

  // ttl: hash (and its sets, when they exist) expire.
  auto ttl = c.command({"TTL", "rq:job:my-id"}).integer();
  CHECK(ttl > 90);
  CHECK(ttl <= 100);

  CHECK(job.timeout() == 3600);
  CHECK(job.result_ttl() == 600);
  CHECK(job.failure_ttl() == -1);
  CHECK(job.ttl() == 100);
  CHECK(job.retries_left() == 3);
  CHECK(hex(job.meta()) == "81 a1 6b a1 76");
  CHECK(hex(job.kwargs()) == "81 a1 78 02");
}

TEST_CASE("at_front pushes to the head of the queue", "[enqueue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "front");
  Job a = q.enqueue("lib:f", 1);
  Job b = q.enqueue("lib:f", 2);
  EnqueueOptions o;
  o.at_front = true;
  Job first = q.enqueue_with(o, "lib:f", 0);
  CHECK(q.job_ids() == std::vector<std::string>{first.id(), a.id(), b.id()});
}

TEST_CASE("enqueue rejects bad options before touching Redis", "[enqueue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "bad");
  EnqueueOptions zero;
  zero.job_timeout = 0;
  CHECK_THROWS_AS(q.enqueue_call("lib:f", Args(), zero), std::invalid_argument);
  CHECK_THROWS_AS(EnqueueOptions{}.job_timeout = Duration("1w"), std::invalid_argument);
  for (auto name :
       {"nocolon", "lib:", ":f", "../x:f", "..:f", ".:f", "a b:f", "lib:f:g", "lib:f g"}) {
    INFO(name);
    CHECK_THROWS_AS(q.enqueue_call(name, Args()), std::invalid_argument);
  }
  EnqueueOptions cb;
  cb.on_failure = "not a callback";
  CHECK_THROWS_AS(q.enqueue_call("lib:f", Args(), cb), std::invalid_argument);
  EnqueueOptions ttl;
  ttl.ttl = 0;
  CHECK_THROWS_AS(q.enqueue_call("lib:f", Args(), ttl), std::invalid_argument);
  EnqueueOptions meta;
  meta.meta = pack(5);
  CHECK_THROWS_AS(q.enqueue_call("lib:f", Args(), meta), std::invalid_argument);
  EnqueueOptions retry;
  retry.retry = Retry{0, {}};
  CHECK_THROWS_AS(q.enqueue_call("lib:f", Args(), retry), std::invalid_argument);
  CHECK_THROWS_AS(Queue(c, ""), std::invalid_argument);
  CHECK(c.command({"DBSIZE"}).integer() == 0);

  EnqueueOptions unlimited;
  unlimited.job_timeout = -1;
  Job j = q.enqueue_call("lib-1.x_y:fn.2", Args(), unlimited);
  CHECK(j.field("timeout") == "-1");
}

TEST_CASE("JSON queues write RQ JSONSerializer data and meta", "[enqueue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "json", Serializer::kJson);
  EnqueueOptions o;
  o.meta = pack(std::map<std::string, int>{{"progress", 1}});
  Job job = q.enqueue_call("mylib:add", Args::of(2, 3), o);
  auto h = c.command({"HGETALL", "rq:job:" + job.id()}).hash();
  CHECK(zlib_decompress(h["data"]) == R"(["mylib:add", null, [2, 3], {}])");
  CHECK(h["meta"] == R"({"progress": 1})");
  Job fetched = Job::fetch(c, job.id());
  CHECK(fetched.serializer() == Serializer::kJson);
  CHECK(hex(fetched.args()) == "92 02 03");
  CHECK(hex(fetched.meta()) == "81 a8 70 72 6f 67 72 65 73 73 01");
}

TEST_CASE("enqueue_many sends every job in one pipeline", "[enqueue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "bulk");
  std::vector<JobSpec> specs;
  for (int i = 0; i < 50; ++i) specs.push_back({"lib:f", Args::of(i), {}});
  specs[10].options.job_id = "ten";
  // The library loaded by a first batch, then lost (as after a restart):
  // the next batch finds out from its replies and sends everything again.
  q.enqueue_many({specs[0]});
  c.checked({"DEL", keys::queue("bulk")});
  c.checked({"FUNCTION", "FLUSH"});
  auto jobs = q.enqueue_many(specs);
  REQUIRE(jobs.size() == 50);
  CHECK(jobs[10].id() == "ten");
  CHECK(q.count() == 50);
  auto ids = q.job_ids();
  for (size_t i = 0; i < jobs.size(); ++i) CHECK(ids[i] == jobs[i].id());
  CHECK(Job::fetch(c, "ten").description() == "lib:f(10)");

  // A bad spec stops everything before anything is sent.
  specs[49].func_name = "bad";
  CHECK_THROWS_AS(q.enqueue_many(specs), std::invalid_argument);
  CHECK(q.count() == 50);
  CHECK(q.enqueue_many({}).empty());
}

// Issue 10, defect 4 (the library side): a delay past the end of Clock used
// to wrap around to a time in the past.
TEST_CASE("enqueue_in refuses a time after 2262-04-11 and writes nothing", "[enqueue]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "far");
  CHECK_THROWS_AS(q.enqueue_in(std::chrono::hours(24 * 365 * 300), "lib:f"), std::invalid_argument);
  CHECK_THROWS_AS(q.enqueue_in(std::chrono::seconds(kMaxUnixSeconds), "lib:f"),
                  std::invalid_argument);
  CHECK(c.checked({"ZCARD", keys::scheduled("far")}).integer() == 0);
  CHECK(c.checked({"DBSIZE"}).integer() == 0);
  CHECK_FALSE(parse_timestamp("3000-01-01T00:00:00Z").has_value());
  CHECK(parse_timestamp("2262-04-10T00:00:00Z").has_value());
}
