// rqctl empty and delete-queue.
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/keys.hpp>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

std::vector<std::string> enqueue_n(const RedisServer& redis, const std::string& queue, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    RunResult r = rqctl(redis, {"enqueue", queue, "builtin:add", std::to_string(i), "1"});
    REQUIRE(r.exit_code == 0);
    ids.push_back(printed_id(r));
  }
  return ids;
}

long long exists(Connection& conn, const std::string& key) {
  return conn.checked({"EXISTS", key}).integer();
}

}  // namespace

TEST_CASE("rqctl empty removes waiting jobs and their hashes", "[cli][queue]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const auto ids = enqueue_n(redis, "e1", 3);
  const auto other = enqueue_n(redis, "e2", 1);

  RunResult r = rqctl(redis, {"empty", "e1"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "3 jobs removed from queue e1\n");
  CHECK(conn.checked({"LLEN", keys::queue("e1")}).integer() == 0);
  for (const auto& id : ids) CHECK(exists(conn, keys::job(id)) == 0);
  // The queue stays registered, other queues are untouched.
  CHECK(conn.checked({"SISMEMBER", keys::kQueues, keys::queue("e1")}).integer() == 1);
  CHECK(exists(conn, keys::job(other[0])) == 1);

  r = rqctl(redis, {"empty", "e1", "e2", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(parse_json_output(r) ==
        nlohmann::json::parse(R"([{"queue":"e1","removed":0},{"queue":"e2","removed":1}])"));
}

TEST_CASE("rqctl delete-queue removes the queue and its jobs", "[cli][queue]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const auto ids = enqueue_n(redis, "d1", 2);
  conn.checked({"ZADD", "rq:failed:d1", "99999999999", "f1"});

  RunResult r = rqctl(redis, {"delete-queue", "d1"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "Deleted queue d1 (2 jobs removed)\n");
  CHECK(exists(conn, keys::queue("d1")) == 0);
  CHECK(conn.checked({"SISMEMBER", keys::kQueues, keys::queue("d1")}).integer() == 0);
  for (const auto& id : ids) CHECK(exists(conn, keys::job(id)) == 0);
  CHECK(exists(conn, "rq:failed:d1") == 1);  // registries are left, as RQ does

  RunResult info = rqctl(redis, {"info", "--json"});
  CHECK(parse_json_output(info)["queues"].empty());

  const auto kept = enqueue_n(redis, "d2", 2);
  r = rqctl(redis, {"delete-queue", "d2", "--keep-jobs", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(parse_json_output(r) == nlohmann::json::parse(R"([{"queue":"d2","removed":2}])"));
  CHECK(exists(conn, keys::queue("d2")) == 0);
  for (const auto& id : kept) CHECK(exists(conn, keys::job(id)) == 1);
}
