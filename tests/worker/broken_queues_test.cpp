// Keys someone else wrote with the wrong type: the worker passes over what
// it cannot serve, says so in its log, and serves the rest.
#include <signal.h>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

// Defect: one wrong-typed queue key stalled a worker on all its queues
// forever (one warning logged), and a --burst worker never exited.
TEST_CASE("a queue key that is not a list is passed over; burst ends", "[worker][broken]") {
  WorkerFixture f;
  f.conn.checked({"SET", keys::queue("high"), "not a list"});
  Queue low(f.conn, "low");
  const std::string a = low.enqueue("builtin:add", 1, 2).id();
  const std::string b = low.enqueue("builtin:add", 3, 4).id();
  RunResult r = f.burst({"high", "low"}, std::chrono::seconds(20));
  CHECK(f.status(a) == "finished");
  CHECK(f.status(b) == "finished");
  CHECK_THAT(r.err, Contains("Passing over what cannot be served"));
  CHECK_THAT(r.err, Contains("high"));
  CHECK_THAT(r.err, Contains("queues are empty, exiting"));
  // Nothing of the broken key was touched.
  CHECK(std::string(f.conn.checked({"GET", keys::queue("high")}).str()) == "not a list");
}

TEST_CASE("a waiting worker serves its good queues and takes up a repaired one",
          "[worker][broken]") {
  WorkerFixture f;
  f.conn.checked({"SET", keys::queue("high"), "oops"});
  const std::string log = log_path("broken_wait");
  Process w(f.worker_argv({"--name", "broken-w", "high", "low"}), {}, log);
  Queue low(f.conn, "low"), high(f.conn, "high");
  REQUIRE(f.eventually([&] { return read_file(log).find("Passing over") != std::string::npos; }));
  const std::string a = low.enqueue("builtin:add", 1, 1).id();
  CHECK(f.eventually([&] { return f.status(a) == "finished"; }));
  // Repaired: the worker finds the queue again on its next look (within
  // seconds, without any job on another queue to wake it).
  f.conn.checked({"DEL", keys::queue("high")});
  const std::string h = high.enqueue("builtin:add", 2, 2).id();
  CHECK(f.eventually([&] { return f.status(h) == "finished"; }, std::chrono::seconds(15)));
  CHECK_THAT(read_file(log), Contains("Every queue can be served again"));
  CHECK(w.running());
  INFO(read_file(log));
  w.signal(SIGTERM);
  CHECK(w.wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("queued ids whose job key or started registry has the wrong type are passed over",
          "[worker][broken]") {
  WorkerFixture f;
  Queue q(f.conn, "mixed");
  // An id whose job key is a string: dropped, as RQ drops ids without a hash.
  f.conn.checked({"SET", keys::job("stringjob"), "x"});
  f.conn.checked({"RPUSH", keys::queue("mixed"), "stringjob"});
  // A job whose origin's started registry is a string cannot be started
  // there: it is left queued and named; the jobs behind it run.
  write_raw_job(
      f.conn, "mixed", "badorigin",
      encode_job_data(JobCall{"builtin:noop", std::string("\x90", 1), std::string("\x80", 1)},
                      Serializer::kMsgpack));
  f.conn.checked({"HSET", keys::job("badorigin"), "origin", "elsewhere"});
  f.conn.checked({"SET", keys::started("elsewhere"), "x"});
  const std::string good = q.enqueue("builtin:add", 5, 5).id();
  RunResult r = f.burst({"mixed"}, std::chrono::seconds(20));
  CHECK(f.status(good) == "finished");
  CHECK(f.status("badorigin") == "queued");
  CHECK(f.conn.checked({"LRANGE", keys::queue("mixed"), "0", "-1"}).strings() ==
        std::vector<std::string>{"badorigin"});
  CHECK_THAT(r.err, Contains("mixed: job badorigin (rq:wip:elsewhere is a string)"));
  CHECK(std::string(f.conn.checked({"GET", keys::job("stringjob")}).str()) == "x");
}
