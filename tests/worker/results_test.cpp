// Outcomes are written as RQ 1.13 writes them (docs/redis-layout.md 1.4, 2.4, 3.8-3.10).
#include <map>

#include "rqcpp/args.hpp"
#include "rqcpp/timestamp.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

// Every entry of rq:results:<id>, oldest first, as field maps.
std::vector<std::map<std::string, std::string>> stream(Connection& conn, const std::string& id) {
  Reply r = conn.checked({"XRANGE", keys::results(id), "-", "+"});
  std::vector<std::map<std::string, std::string>> out;
  for (size_t i = 0; i < r.size(); ++i) {
    std::vector<std::string> kv = r.at(i).at(1).strings();
    std::map<std::string, std::string> m;
    for (size_t k = 0; k + 1 < kv.size(); k += 2) m[kv[k]] = kv[k + 1];
    out.push_back(m);
  }
  return out;
}

bool near(double value, double expected, double slack = 5) {
  return value >= expected - slack && value <= expected + slack;
}

}  // namespace

TEST_CASE("success writes the stream entry and finished registry and TTLs and job fields",
          "[worker][results]") {
  WorkerFixture f;
  Queue q(f.conn, "res");
  std::string id = q.enqueue("builtin:add", 2, 3).id();
  std::string none = q.enqueue("builtin:noop").id();
  f.burst({"--name", "w-res", "res"});
  const double now = static_cast<double>(now_seconds());

  auto entries = stream(f.conn, id);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0] == std::map<std::string, std::string>{{"type", "1"}, {"return_value", "BQ=="}});
  CHECK(stream(f.conn, none) == std::vector<std::map<std::string, std::string>>{{{"type", "1"}}});

  auto score = f.zscore(keys::finished("res"), id);
  REQUIRE(score);
  CHECK(near(*score, now + 500));
  CHECK(near(static_cast<double>(f.ttl(keys::job(id))), 500));
  CHECK(near(static_cast<double>(f.ttl(keys::results(id))), 500));
  CHECK_FALSE(f.zscore(keys::started("res"), id));

  Job j = Job::fetch(f.conn, id);
  CHECK(j.status() == JobStatus::kFinished);
  CHECK(j.worker_name() == "w-res");
  REQUIRE(j.started_at());
  REQUIRE(j.ended_at());
  CHECK(*j.ended_at() >= *j.started_at());
  CHECK(parse_timestamp(j.field("last_heartbeat")));
  CHECK(j.result<long long>() == 5);
  CHECK_FALSE(Job::fetch(f.conn, none).return_value());
}

TEST_CASE("failure writes a type 2 entry with zlib+base64 text and failed registry and TTLs",
          "[worker][results]") {
  WorkerFixture f;
  Queue q(f.conn, "res");
  std::string id = q.enqueue("builtin:fail", std::string("boom")).id();
  EnqueueOptions with_ttl;
  with_ttl.failure_ttl = 100;
  std::string short_lived = q.enqueue_with(with_ttl, "builtin:fail", std::string("x")).id();
  f.burst({"res"});
  const double now = static_cast<double>(now_seconds());

  auto entries = stream(f.conn, id);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0]["type"] == "2");
  CHECK(entries[0].count("return_value") == 0);
  std::string packed = base64_decode(entries[0]["exc_string"]);
  CHECK(static_cast<unsigned char>(packed[0]) == 0x78);
  std::string text = zlib_decompress(packed);
  CHECK_THAT(text, StartsWith("Traceback (most recent call last):\n"));
  CHECK_THAT(text, EndsWith("\nValueError: boom\n"));

  auto score = f.zscore(keys::failed("res"), id);
  REQUIRE(score);
  CHECK(near(*score, now + 31536000));
  CHECK(near(static_cast<double>(f.ttl(keys::job(id))), 31536000));
  CHECK(f.ttl(keys::results(id)) == -1);  // no failure_ttl: the stream is kept
  CHECK(f.hget(keys::job(id), "status") == "failed");
  CHECK(parse_timestamp(f.hget(keys::job(id), "ended_at")));

  CHECK(near(static_cast<double>(f.ttl(keys::results(short_lived))), 100));
  CHECK(near(static_cast<double>(f.ttl(keys::job(short_lived))), 100));
  CHECK(near(*f.zscore(keys::failed("res"), short_lived), now + 100));
}

TEST_CASE("result_ttl 0 keeps nothing and -1 keeps forever", "[worker][results]") {
  WorkerFixture f;
  Queue q(f.conn, "res");
  EnqueueOptions zero, forever, forever_failure;
  zero.result_ttl = 0;
  forever.result_ttl = -1;
  forever_failure.failure_ttl = -1;
  std::string gone = q.enqueue_with(zero, "builtin:add", 1, 1).id();
  std::string kept = q.enqueue_with(forever, "builtin:add", 1, 2).id();
  std::string kept_failure = q.enqueue_with(forever_failure, "builtin:fail", std::string("x")).id();
  f.burst({"res"});

  CHECK_FALSE(f.exists(keys::job(gone)));
  CHECK_FALSE(f.exists(keys::results(gone)));
  CHECK_FALSE(f.zscore(keys::finished("res"), gone));

  CHECK(f.ttl(keys::job(kept)) == -1);
  CHECK(f.ttl(keys::results(kept)) == -1);
  CHECK(std::string(f.conn.checked({"ZSCORE", keys::finished("res"), kept}).str()) == "inf");
  CHECK(Job::fetch(f.conn, kept).result<long long>() == 3);

  CHECK(*f.zscore(keys::failed("res"), kept_failure) == -1);
  CHECK(f.ttl(keys::job(kept_failure)) == -1);
  CHECK(f.ttl(keys::results(kept_failure)) == -1);
}

TEST_CASE("JSON jobs get JSON results and meta saved by the job is kept", "[worker][results]") {
  WorkerFixture f;
  Queue json(f.conn, "res", Serializer::kJson);
  std::string id = json.enqueue("builtin:add", 2, 3).id();
  Queue q(f.conn, "res");
  std::string progress = q.enqueue("builtin:progress", 3).id();
  f.burst({"res"});

  auto entries = stream(f.conn, id);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0]["return_value"] == "NQ==");  // base64("5")
  CHECK(Job::fetch(f.conn, id).result<long long>() == 5);

  Job p = Job::fetch(f.conn, progress);
  CHECK(p.result<long long>() == 3);
  msgpack::object_handle oh = msgpack::unpack(p.meta().data(), p.meta().size());
  auto meta = oh.get().as<std::map<std::string, long long>>();
  CHECK(meta["progress"] == 3);
}

TEST_CASE("a failed attempt with retries left is re-enqueued without a result entry",
          "[worker][results]") {
  WorkerFixture f;
  Queue q(f.conn, "res");
  EnqueueOptions opts;
  opts.retry = Retry{2, {0}};
  std::string id = q.enqueue_with(opts, "builtin:fail", std::string("again")).id();
  f.burst({"--name", "w-retry", "res"});

  CHECK(f.status(id) == "failed");
  CHECK(f.hget(keys::job(id), "retries_left") == "0");
  CHECK(stream(f.conn, id).size() == 1);  // only the last attempt writes one
  CHECK(f.hget(keys::worker("w-retry"), "failed_job_count") == "3");
}
