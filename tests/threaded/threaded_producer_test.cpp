// Producers on several threads at once. A Connection is not thread-safe, so
// each thread opens its own; what the threads share is the library's static
// state: the script objects (and the SHA each learns on first use), key
// templates and uuid generation. Every thread starts on a barrier so that the
// first use of each script happens on all threads together. Run under
// ThreadSanitizer by scripts/ci.sh, where any unsynchronised access to that
// shared state is a report; in a plain build it checks that concurrent
// producers lose or duplicate no job.
#include <barrier>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/job_function.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/registry.hpp"

using namespace rqcpp;

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 10;
constexpr int kBatch = 5;  // jobs per enqueue_many call

// What one thread enqueued, by path.
struct Produced {
  std::vector<std::string> queued;     // enqueue_call, enqueue_many, JobFunction
  std::vector<std::string> scheduled;  // enqueue_call_in, JobFunction::delay_in
  std::vector<std::string> deferred;   // depends_on a job that never runs
  std::string error;                   // what a thread threw, if it did
};

// One producer thread's work: every enqueue path, kRounds times, after all
// threads reached `start`.
void produce(const std::string& url, int thread, std::barrier<>& start, Produced& out) {
  bool arrived = false;
  try {
    Connection conn = Connection::open(url);
    Queue plain(conn, "q");
    Queue json(conn, "q", Serializer::kJson);
    JobFunction add(conn, "q", "builtin:add");
    arrived = true;
    start.arrive_and_wait();
    for (int round = 0; round < kRounds; ++round) {
      out.queued.push_back(plain.enqueue("builtin:add", thread, round).id());
      out.queued.push_back(json.enqueue("builtin:echo", "t" + std::to_string(thread)).id());
      std::vector<JobSpec> specs;
      for (int i = 0; i < kBatch; ++i)
        specs.push_back({"builtin:add", Args::of(thread, round, i), {}});
      for (const Job& job : plain.enqueue_many(specs)) out.queued.push_back(job.id());
      out.queued.push_back(add.delay(thread, round).id());
      out.scheduled.push_back(
          plain.enqueue_in(std::chrono::hours(1), "builtin:add", thread, round).id());
      out.scheduled.push_back(add.delay_in(std::chrono::hours(1), thread, round).id());
      EnqueueOptions dependent;
      dependent.depends_on = {out.scheduled.back()};
      out.deferred.push_back(add.delay_with(dependent, thread, round).id());
    }
  } catch (const std::exception& e) {
    out.error = e.what();
    if (!arrived) start.arrive_and_drop();  // the others must not wait for this thread
  }
}

}  // namespace

TEST_CASE("producers on several threads store every job once", "[threads][enqueue]") {
  test::RedisServer redis;
  std::barrier start(kThreads);
  std::vector<Produced> produced(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back(produce, redis.url(), t, std::ref(start), std::ref(produced[t]));
  }

  std::set<std::string> queued, scheduled, deferred, all;
  size_t total = 0;
  for (const Produced& p : produced) {
    INFO("a producer thread threw: " << p.error);
    REQUIRE(p.error.empty());
    queued.insert(p.queued.begin(), p.queued.end());
    scheduled.insert(p.scheduled.begin(), p.scheduled.end());
    deferred.insert(p.deferred.begin(), p.deferred.end());
    total += p.queued.size() + p.scheduled.size() + p.deferred.size();
  }
  for (const auto* ids : {&queued, &scheduled, &deferred}) all.insert(ids->begin(), ids->end());
  const size_t per_thread_queued = kRounds * (3 + kBatch);
  REQUIRE(total == kThreads * kRounds * (3 + kBatch + 3));
  CHECK(queued.size() == kThreads * per_thread_queued);
  CHECK(all.size() == total);  // no id was handed out twice

  Connection conn = Connection::open(redis.url());
  Queue q(conn, "q");
  CHECK(q.count() == static_cast<long long>(queued.size()));
  std::vector<std::string> in_queue = q.job_ids();
  CHECK(std::set<std::string>(in_queue.begin(), in_queue.end()) == queued);
  CHECK(Registry(conn, "q", RegistryKind::kScheduled).count() ==
        static_cast<long long>(scheduled.size()));
  CHECK(Registry(conn, "q", RegistryKind::kDeferred).count() ==
        static_cast<long long>(deferred.size()));
  for (const std::string& id : all) {
    INFO("job " << id);
    CHECK(Job::try_fetch(conn, id).has_value());
  }
}
