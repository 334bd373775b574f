// rqcpp/worker_info.hpp: reading worker hashes like RQ's Worker.all().
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/worker_info.hpp>

#include "redis_server.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

TEST_CASE("parse_worker_info reads every field and tolerates bad ones", "[worker_info]") {
  WorkerInfo w = parse_worker_info("rq:worker:w1", {"state",
                                                    "busy",
                                                    "queues",
                                                    "high,default,low",
                                                    "current_job",
                                                    "j1",
                                                    "birth",
                                                    "2026-01-01T00:00:00.000000Z",
                                                    "last_heartbeat",
                                                    "2026-01-01T00:00:05Z",
                                                    "pid",
                                                    "77",
                                                    "hostname",
                                                    "h",
                                                    "ip_address",
                                                    "1.2.3.4:5",
                                                    "version",
                                                    "1.13.0",
                                                    "python_version",
                                                    "C++",
                                                    "successful_job_count",
                                                    "3",
                                                    "failed_job_count",
                                                    "1",
                                                    "total_working_time",
                                                    "2.25",
                                                    "current_job_working_time",
                                                    "0.5",
                                                    "death",
                                                    "2026-01-01T00:01:00.000000Z",
                                                    "shutdown_requested_date",
                                                    "2026-01-01T00:00:59.000000Z",
                                                    "unknown_field",
                                                    "x"});
  CHECK(w.name == "w1");
  CHECK(w.key == "rq:worker:w1");
  CHECK(w.state == "busy");
  CHECK(w.queues == std::vector<std::string>{"high", "default", "low"});
  CHECK(w.current_job == "j1");
  REQUIRE(w.birth);
  CHECK(format_timestamp(*w.birth) == "2026-01-01T00:00:00.000000Z");
  REQUIRE(w.last_heartbeat);
  CHECK(format_timestamp(*w.last_heartbeat) == "2026-01-01T00:00:05.000000Z");
  CHECK(w.pid == 77);
  CHECK(w.hostname == "h");
  CHECK(w.ip_address == "1.2.3.4:5");
  CHECK(w.version == "1.13.0");
  CHECK(w.python_version == "C++");
  CHECK(w.successful_job_count == 3);
  CHECK(w.failed_job_count == 1);
  CHECK(w.total_working_time == 2.25);
  CHECK(w.current_job_working_time == 0.5);
  CHECK(w.death);
  CHECK(w.shutdown_requested_date);

  WorkerInfo bad = parse_worker_info(
      "rq:worker:w2",
      {"pid", "abc", "birth", "yesterday", "successful_job_count", "many", "queues", ""});
  CHECK(bad.name == "w2");
  CHECK_FALSE(bad.pid);
  CHECK_FALSE(bad.birth);
  CHECK(bad.successful_job_count == 0);
  CHECK(bad.queues.empty());
  CHECK(bad.state.empty());
}

TEST_CASE("all_workers, queue_workers and find_worker read Redis", "[worker_info]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  conn.checked({"HSET", "rq:worker:b", "state", "idle", "queues", "q1,q2", "pid", "2"});
  conn.checked({"HSET", "rq:worker:a", "state", "busy", "queues", "q2", "pid", "1"});
  conn.checked({"SADD", "rq:workers", "rq:worker:a", "rq:worker:b", "rq:worker:gone"});
  conn.checked({"SADD", "rq:workers:q1", "rq:worker:b"});
  conn.checked({"SADD", "rq:workers:q2", "rq:worker:a", "rq:worker:b", "rq:worker:gone"});

  std::vector<WorkerInfo> all = all_workers(conn);
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "a");
  CHECK(all[0].state == "busy");
  CHECK(all[1].name == "b");
  CHECK(all[1].queues == std::vector<std::string>{"q1", "q2"});

  std::vector<WorkerInfo> q1 = queue_workers(conn, "q1");
  REQUIRE(q1.size() == 1);
  CHECK(q1[0].name == "b");
  CHECK(queue_workers(conn, "q2").size() == 2);
  CHECK(queue_workers(conn, "none").empty());

  auto found = find_worker(conn, "a");
  REQUIRE(found);
  CHECK(found->pid == 1);
  CHECK_FALSE(find_worker(conn, "gone"));
  // Reading never removes stale registrations.
  CHECK(conn.checked({"SCARD", "rq:workers"}).integer() == 3);
}
