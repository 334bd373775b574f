// The examples end to end: examples/python_producer.py and the C++
// example_producer, each served by a real rqworker running wordcount.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>

#include "interop_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

TEST_CASE("examples/python_producer.py: wordcount through Python RQ and rqworker",
          "[interop][examples][python][worker]") {
  RedisServer redis;
  BackgroundWorker worker(redis, {"words"}, "test_interop_python_producer_worker");

  RunResult r = python({source_dir() + "/examples/python_producer.py", "--url", redis.url(),
                        "--queue", "words", "--wait", "--wait-timeout", "30",
                        "the quick  brown\tfox jumps over the lazy dog"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string id = first_line(r.out);
  REQUIRE(!id.empty());
  CHECK(r.out == id + "\n9\n");

  Connection conn = Connection::open(redis.url());
  Job job = Job::fetch(conn, id);
  CHECK(job.status() == JobStatus::kFinished);
  CHECK(job.func_name() == "wordcount:count_words");
  CHECK(job.result<long long>() == 9);

  // Without --wait it only enqueues and prints the id (what demo.sh uses).
  RunResult fire = python({source_dir() + "/examples/python_producer.py", "--url", redis.url(),
                           "--queue", "words", "one two"});
  REQUIRE(fire.exit_code == 0);
  const std::string id2 = first_line(fire.out);
  CHECK(fire.out == id2 + "\n");
  REQUIRE(wait_for_final_status(conn, id2, 15s) == JobStatus::kFinished);
  CHECK(Job::fetch(conn, id2).result<long long>() == 2);

  const int status = worker.stop();
  CHECK(status != -1);
}

TEST_CASE("examples/producer (C++): wordcount through the core API and rqworker",
          "[interop][examples][worker]") {
  RedisServer redis;
  BackgroundWorker worker(redis, {"cppwords"}, "test_interop_cpp_producer_worker");

  RunResult r = run({RQCPP_TEST_EXAMPLE_PRODUCER, "--url", redis.url(), "--queue", "cppwords",
                     "one two three four"},
                    60s);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("enqueued "));
  CHECK_THAT(r.out, Catch::EndsWith("\nresult: 4\n"));
  const std::string id = first_line(r.out).substr(std::string("enqueued ").size(),
                                                  first_line(r.out).find(" on queue") - 9);
  Connection conn = Connection::open(redis.url());
  CHECK(Job::fetch(conn, id).result<long long>() == 4);

  const int status = worker.stop();
  CHECK(status != -1);
}

TEST_CASE("examples/producer gives up after its wait timeout when no worker runs",
          "[interop][examples]") {
  RedisServer redis;
  RunResult r = run({RQCPP_TEST_EXAMPLE_PRODUCER, "--url", redis.url(), "--queue", "nobody",
                     "--wait-timeout", "0.3", "a b"},
                    30s);
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("timed out"));
  RunResult bad = run({RQCPP_TEST_EXAMPLE_PRODUCER, "--url", "redis://127.0.0.1:1/0", "x"}, 30s);
  CHECK(bad.exit_code == 3);
}
