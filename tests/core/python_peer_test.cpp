// Python RQ 1.13 (with docs/redis-layout.md's MsgpackSerializer) and rqcpp read each
// other's jobs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/queue.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::hex;

namespace {

std::string peer(const std::string& mode, const std::string& url, const std::string& arg) {
  auto r = test::run({RQCPP_TEST_PYTHON, RQCPP_CORE_PYTHON_PEER, mode, url, arg});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("Python RQ fetches a job enqueued by rqcpp", "[python]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mp");
  EnqueueOptions o;
  o.meta = test::pack(std::map<std::string, int>{{"n", 1}});
  o.job_timeout = 60;
  Job job = q.enqueue_call("mylib:add", Args::of(2, 3).kwarg("k", std::string("v")), o);

  auto out = nlohmann::json::parse(peer("read", redis.url(), job.id()));
  INFO(out.dump());
  CHECK(out["func_name"] == "mylib:add");
  CHECK(out["args"] == nlohmann::json::array({2, 3}));
  CHECK(out["kwargs"] == nlohmann::json::object({{"k", "v"}}));
  CHECK(out["status"] == "queued");
  CHECK(out["origin"] == "mp");
  CHECK(out["description"] == "mylib:add(2, 3, k='v')");
  CHECK(out["timeout"] == 60);
  CHECK(out["meta"] == nlohmann::json::object({{"n", 1}}));
  CHECK(!out["enqueued_at"].is_null());
  CHECK(out["in_queues"] == nlohmann::json::array({"mp"}));
  CHECK(out["queue_job_ids"] == nlohmann::json::array({job.id()}));
}

TEST_CASE("Python RQ fetches jobs enqueued by enqueue_many", "[python][enqueue_many]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  Queue q(c, "mp");
  EnqueueOptions o;
  o.meta = test::pack(std::map<std::string, int>{{"n", 1}});
  o.job_timeout = 60;
  // The second job's hash is a COPY of the first; the third has its own data.
  std::vector<JobSpec> specs(2, JobSpec{"mylib:add", Args::of(2, 3), o});
  specs.push_back({"mylib:add", Args::of(4, 5), o});
  std::vector<Job> jobs = q.enqueue_many(specs);
  REQUIRE(jobs.size() == 3);

  for (size_t i : {1, 2}) {
    auto out = nlohmann::json::parse(peer("read", redis.url(), jobs[i].id()));
    INFO(out.dump());
    CHECK(out["func_name"] == "mylib:add");
    CHECK(out["args"] == (i == 1 ? nlohmann::json::array({2, 3}) : nlohmann::json::array({4, 5})));
    CHECK(out["status"] == "queued");
    CHECK(out["origin"] == "mp");
    CHECK(out["description"] == (i == 1 ? "mylib:add(2, 3)" : "mylib:add(4, 5)"));
    CHECK(out["timeout"] == 60);
    CHECK(out["meta"] == nlohmann::json::object({{"n", 1}}));
    CHECK(!out["enqueued_at"].is_null());
    CHECK(out["in_queues"] == nlohmann::json::array({"mp"}));
    CHECK(out["queue_job_ids"] ==
          nlohmann::json::array({jobs[0].id(), jobs[1].id(), jobs[2].id()}));
  }
}

TEST_CASE("rqcpp fetches a job enqueued by Python RQ", "[python]") {
  test::RedisServer redis;
  std::string id = peer("enqueue", redis.url(), "pyq");
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  REQUIRE(id.size() == 36);

  Connection c = Connection::open(redis.url());
  Job job = Job::fetch(c, id);
  CHECK(job.func_name() == "mylib.add");
  CHECK(hex(job.args()) == "92 02 03");
  CHECK(hex(job.kwargs()) == "81 a2 6b 77 a1 78");
  CHECK(job.serializer() == Serializer::kMsgpack);
  CHECK(job.status() == JobStatus::kQueued);
  CHECK(job.origin() == "pyq");
  CHECK(job.description() == "mylib.add(2, 3, kw='x')");
  CHECK(job.timeout() == 60);
  CHECK(hex(job.meta()) == "81 a1 6b a1 76");
  CHECK(job.created_at());
  CHECK(job.enqueued_at());
  Queue q(c, "pyq");
  auto jobs = q.jobs();
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].id() == id);

  // And a description we compute for the same call equals Python's.
  JobCall call{"mylib.add", job.args(), job.kwargs()};
  CHECK(call_description(call) == job.description());
}
