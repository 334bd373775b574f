// Queue::enqueue_many's fast path (core/scripts/enqueue_many.lua: shared
// template, COPY of the first hash, one push per call) writes exactly what
// one enqueue_call per job writes (core/scripts/enqueue.lua), in the same
// order, also when plain and dependent jobs are mixed in one batch.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/queue.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::pack;

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// HGETALL in Redis' order, the timestamps (the only values that depend on
// when the job was enqueued) replaced by a marker once checked to be one.
Pairs hash_in_order(Connection& c, const std::string& id) {
  Reply r = c.command({"HGETALL", "rq:job:" + id});
  Pairs out;
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    std::string name(r.at(i).str()), value(r.at(i + 1).str());
    if (name == "created_at" || name == "enqueued_at") {
      CHECK(parse_timestamp(value));
      value = "<TS>";
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

// Option sets the fast path must carry exactly.
std::vector<std::pair<std::string, EnqueueOptions>> option_sets() {
  std::vector<std::pair<std::string, EnqueueOptions>> sets;
  sets.emplace_back("defaults", EnqueueOptions{});
  EnqueueOptions all;
  all.job_timeout = "1h";
  all.result_ttl = 600;
  all.failure_ttl = -1;
  all.ttl = 100;
  all.description = "custom";
  all.meta = pack(std::map<std::string, std::string>{{"k", "v"}});
  all.retry = Retry{3, {5, 7}};
  all.on_success = "cb:ok";
  all.on_failure = "cb:bad";
  all.on_stopped = "cb:stop";
  all.enqueue_at_front = true;
  sets.emplace_back("every option", all);
  EnqueueOptions front;
  front.at_front = true;
  front.job_timeout = -1;
  sets.emplace_back("at_front, no timeout", front);
  return sets;
}

}  // namespace

TEST_CASE("enqueue_many writes the hash, TTLs and queue entries enqueue writes",
          "[enqueue][enqueue_many]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  for (Serializer serializer : {Serializer::kMsgpack, Serializer::kJson}) {
    for (const auto& [what, options] : option_sets()) {
      INFO(what << (serializer == Serializer::kJson ? " (JSON)" : " (msgpack)"));
      c.command({"FLUSHALL"});
      Queue one(c, "q", serializer);
      Job reference = one.enqueue_call("lib:f", Args::of(1, "x").kwarg("k", 2.5), options);
      const Pairs expected = hash_in_order(c, reference.id());
      c.command({"FLUSHALL"});

      // Identical calls (every value shared: the template alone) and calls
      // with their own args (data and description sent per job).
      Queue many(c, "q", serializer);
      std::vector<JobSpec> specs(3, JobSpec{"lib:f", Args::of(1, "x").kwarg("k", 2.5), options});
      specs.push_back({"lib:f", Args::of(2, "y"), options});
      std::vector<Job> jobs = many.enqueue_many(specs);
      REQUIRE(jobs.size() == specs.size());
      for (size_t i = 0; i < 3; ++i) {
        INFO("job " << i);
        CHECK(hash_in_order(c, jobs[i].id()) == expected);
        CHECK(jobs[i].fields() == c.command({"HGETALL", "rq:job:" + jobs[i].id()}).hash());
        CHECK(jobs[i].status() == JobStatus::kQueued);
        CHECK(jobs[i].func_name() == "lib:f");
        CHECK(jobs[i].kwargs() == Args::of().kwarg("k", 2.5).kwargs_msgpack());
      }
      Pairs other = hash_in_order(c, jobs[3].id());
      REQUIRE(other.size() == expected.size());
      for (size_t i = 0; i < other.size(); ++i) {
        CHECK(other[i].first == expected[i].first);
        if (other[i].first != "data" && other[i].first != "description") {
          CHECK(other[i].second == expected[i].second);
        }
      }
      CHECK(Job::fetch(c, jobs[3].id()).args() == Args::of(2, "y").args_msgpack());
      if (!options.description) CHECK(jobs[3].description() == "lib:f(2, 'y')");

      for (const auto& job : jobs) {
        auto ttl = c.command({"TTL", "rq:job:" + job.id()}).integer();
        if (options.ttl) {
          CHECK(ttl > 0);
          CHECK(ttl <= *options.ttl);
        } else {
          CHECK(ttl == -1);
        }
      }
      std::vector<std::string> order;
      for (const auto& job : jobs) order.push_back(job.id());
      if (options.at_front) std::reverse(order.begin(), order.end());
      CHECK(many.job_ids() == order);
      CHECK(c.command({"SMEMBERS", "rq:queues"}).strings() ==
            std::vector<std::string>{"rq:queue:q"});
    }
  }
}

TEST_CASE("enqueue_many keeps at_front, ttl and reused ids as one enqueue per job",
          "[enqueue][enqueue_many]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  // A reused id whose hash (with a field of its own) and dependents set
  // exist, first in the batch: merged into and expired as enqueue.lua does,
  // and never the hash the other jobs are copied from.
  auto prepare = [&] {
    c.command({"FLUSHALL"});
    c.command({"HSET", "rq:job:reused", "result", "old"});
    c.command({"SADD", "rq:job:reused:dependents", "someone"});
  };
  auto spec = [](const char* id, bool front, std::optional<long long> ttl) {
    JobSpec s{"lib:f", Args::of(7), {}};
    if (id) s.options.job_id = id;
    s.options.at_front = front;
    s.options.ttl = ttl;
    return s;
  };
  // reused, a and a2 share a call: a is the first new hash, a2 its COPY.
  std::vector<JobSpec> specs = {
      spec("reused", false, 50),     spec("a", false, 50),           spec("a2", false, 50),
      spec("b", true, std::nullopt), spec("c", false, std::nullopt), spec("d", true, std::nullopt),
      spec("e", false, 50)};

  prepare();
  Queue one(c, "q");
  std::map<std::string, Pairs> expected;
  for (const auto& s : specs) one.enqueue_call(s.func_name, s.args, s.options);
  const std::vector<std::string> expected_order = one.job_ids();
  for (const auto& s : specs) expected[*s.options.job_id] = hash_in_order(c, *s.options.job_id);
  CHECK(expected_order == std::vector<std::string>{"d", "b", "reused", "a", "a2", "c", "e"});

  prepare();
  Queue many(c, "q");
  many.enqueue_many(specs);
  CHECK(many.job_ids() == expected_order);
  for (const auto& s : specs) {
    INFO(*s.options.job_id);
    CHECK(hash_in_order(c, *s.options.job_id) == expected.at(*s.options.job_id));
    auto ttl = c.command({"TTL", "rq:job:" + *s.options.job_id}).integer();
    if (s.options.ttl) {
      CHECK(ttl > 0);
      CHECK(ttl <= 50);
    } else {
      CHECK(ttl == -1);
    }
  }
  CHECK(c.command({"HGET", "rq:job:reused", "result"}).str() == "old");
  CHECK(c.command({"HEXISTS", "rq:job:a", "result"}).integer() == 0);
  auto set_ttl = c.command({"TTL", "rq:job:reused:dependents"}).integer();
  CHECK(set_ttl > 0);
  CHECK(set_ttl <= 50);

  // Without COPY (denied by ACL) every hash is an HSET.
  prepare();
  c.checked({"ACL", "SETUSER", "default", "-copy"});
  many.enqueue_many(specs);
  c.checked({"ACL", "SETUSER", "default", "+copy"});
  CHECK(many.job_ids() == expected_order);
  for (const auto& s : specs) {
    CHECK(hash_in_order(c, *s.options.job_id) == expected.at(*s.options.job_id));
  }
}

TEST_CASE("a batch mixing plain and dependent jobs runs in the order of the specs",
          "[enqueue][enqueue_many][dependencies]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mix");
  Job waiting = q.enqueue("lib:parent");
  Job done = q.enqueue("lib:parent");
  c.command({"HSET", "rq:job:" + done.id(), "status", "finished"});

  auto plain = [](const char* id) {
    JobSpec s{"lib:f", Args::of(id), {}};
    s.options.job_id = id;
    return s;
  };
  auto dependent = [](const char* id, std::vector<std::string> deps) {
    JobSpec s{"lib:g", Args::of(id), {}};
    s.options.job_id = id;
    s.options.depends_on = std::move(deps);
    return s;
  };
  std::vector<JobSpec> specs = {
      plain("p1"),
      dependent("d1", {waiting.id()}),  // unfinished: deferred
      plain("p2"),
      dependent("d2", {done.id()}),  // finished: queued, between p2 and p3
      dependent("d3", {"p1"}),       // p1 is queued by now: deferred
      dependent("d4", {"p4"}),       // p4 does not exist yet: met, queued
      plain("p4"),
  };
  std::vector<Job> jobs = q.enqueue_many(specs);
  REQUIRE(jobs.size() == specs.size());
  const std::vector<JobStatus> statuses = {
      JobStatus::kQueued,   JobStatus::kDeferred, JobStatus::kQueued, JobStatus::kQueued,
      JobStatus::kDeferred, JobStatus::kQueued,   JobStatus::kQueued};
  for (size_t i = 0; i < jobs.size(); ++i) {
    INFO(*specs[i].options.job_id);
    CHECK(jobs[i].id() == *specs[i].options.job_id);
    CHECK(jobs[i].status() == statuses[i]);
    CHECK(Job::fetch(c, jobs[i].id()).status() == statuses[i]);
    CHECK(jobs[i].fields() == c.command({"HGETALL", "rq:job:" + jobs[i].id()}).hash());
  }
  CHECK(q.job_ids() ==
        std::vector<std::string>{waiting.id(), done.id(), "p1", "p2", "d2", "d4", "p4"});
  auto deferred = c.command({"ZRANGE", "rq:deferred:mix", "0", "-1"}).strings();
  std::sort(deferred.begin(), deferred.end());
  CHECK(deferred == std::vector<std::string>{"d1", "d3"});
  CHECK(c.command({"SMEMBERS", "rq:job:p1:dependents"}).strings() ==
        std::vector<std::string>{"d3"});
  CHECK(c.command({"HGET", "rq:job:d2", "dependency_ids"}).str() == "[\"" + done.id() + "\"]");
}

TEST_CASE("enqueue_many splits large batches and keeps their order", "[enqueue][enqueue_many]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "big");
  std::vector<JobSpec> specs;
  for (int i = 0; i < 2500; ++i) specs.push_back({"lib:f", Args::of(i % 7 == 0 ? 0 : i), {}});
  std::vector<Job> jobs = q.enqueue_many(specs);
  REQUIRE(jobs.size() == specs.size());
  std::vector<std::string> ids;
  for (const auto& job : jobs) ids.push_back(job.id());
  CHECK(q.job_ids() == ids);
  for (int i : {0, 1, 7, 99, 100, 101, 1234, 2499}) {
    INFO(i);
    Job fetched = Job::fetch(c, ids[i]);
    CHECK(fetched.description() == "lib:f(" + std::to_string(i % 7 == 0 ? 0 : i) + ")");
    CHECK(fetched.fields() == jobs[i].fields());
  }
  CHECK(q.count() == 2500);
}
