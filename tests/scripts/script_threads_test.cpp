// Scripts are shared, immutable `static const Script` objects; the SHA each
// server knows them by lives in each Connection. Producers on several
// threads (one Connection each) therefore share no mutable script state: run
// under ThreadSanitizer, this test shows it.
#include <thread>
#include <vector>

#include "rqcpp/keys.hpp"
#include "rqcpp/script.hpp"
#include "script_fixture.hpp"

namespace rqcpp::test {
namespace {

TEST_CASE_METHOD(ScriptFixture, "producers on several threads share the scripts",
                 "[scripts][threads]") {
  constexpr int kThreads = 4, kJobs = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      Connection c = Connection::open(redis.url());
      Queue q(c, "q" + std::to_string(t));
      for (int i = 0; i < kJobs; ++i) q.enqueue("builtin:add", i, t);
      std::vector<JobSpec> specs(kJobs, JobSpec{"builtin:add", Args::of(1, 2), {}});
      q.enqueue_many(specs);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(conn.checked({"LLEN", keys::queue("q" + std::to_string(t))}).integer() == 2 * kJobs);
  }
}

TEST_CASE_METHOD(ScriptFixture, "each connection loads a script for its own server",
                 "[scripts][threads]") {
  const Script s("echo", "return ARGV[1]");
  RedisServer other;
  Connection c2 = Connection::open(other.url());
  CHECK(conn.eval(s, {}, {"a"}).str() == "a");
  // A second server never saw the script: its connection loads it itself.
  CHECK(c2.eval(s, {}, {"b"}).str() == "b");
  CHECK(c2.command({"SCRIPT", "EXISTS", conn.load(s)}).at(0).integer() == 1);
  // Copies share the identity (and the source), so the cache entry.
  const Script copy = s;
  CHECK(copy.id() == s.id());
  CHECK(Script("other", "return 1").id() != s.id());
}

}  // namespace
}  // namespace rqcpp::test
