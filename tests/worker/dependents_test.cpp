// Dependents are released when their dependencies end (docs/redis-layout.md 3.13).
#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

TEST_CASE("dependents are released on success into their own queue", "[worker][dependents]") {
  WorkerFixture f;
  Queue parents(f.conn, "parents");
  Queue children(f.conn, "children");
  std::string a = parents.enqueue("builtin:add", 1, 2).id();
  std::string b = parents.enqueue("builtin:add", 3, 4).id();
  EnqueueOptions on_a;
  on_a.depends_on = {a};
  EnqueueOptions on_ab;
  on_ab.depends_on = {a, b};
  std::string c = children.enqueue_with(on_a, "builtin:add", 10, 10).id();
  std::string d = children.enqueue_with(on_ab, "builtin:add", 20, 20).id();
  REQUIRE(f.status(c) == "deferred");
  REQUIRE(f.status(d) == "deferred");

  // Only the parents' queue: the children must land in "children".
  f.burst({"parents"});
  CHECK(f.status(c) == "queued");
  CHECK(f.status(d) == "queued");
  CHECK(f.conn.checked({"LRANGE", keys::queue("children"), "0", "-1"}).strings() ==
        std::vector<std::string>{c, d});
  CHECK(f.conn.checked({"ZCARD", keys::deferred("children")}).integer() == 0);
  // As in RQ, a parent's set loses only the dependents it released: d was
  // still waiting for b when a finished, and b's set is gone once d left it.
  CHECK(f.conn.checked({"SMEMBERS", keys::dependents(a)}).strings() == std::vector<std::string>{d});
  CHECK_FALSE(f.exists(keys::dependents(b)));
  CHECK(f.conn.checked({"SISMEMBER", std::string(keys::kQueues), keys::queue("children")})
            .integer() == 1);

  f.burst({"children"});
  CHECK(Job::fetch(f.conn, c).result<long long>() == 20);
  CHECK(Job::fetch(f.conn, d).result<long long>() == 40);
}

TEST_CASE("a failed parent releases only dependents that allow failures", "[worker][dependents]") {
  WorkerFixture f;
  Queue q(f.conn, "deps");
  std::string parent = q.enqueue("builtin:fail", std::string("no")).id();
  EnqueueOptions strict;
  strict.depends_on = {parent};
  EnqueueOptions lenient;
  lenient.depends_on = {parent};
  lenient.allow_dependency_failures = true;
  std::string blocked = q.enqueue_with(strict, "builtin:add", 1, 1).id();
  std::string released = q.enqueue_with(lenient, "builtin:add", 2, 2).id();

  // The released dependent is pushed onto the queue the worker serves: the
  // same burst run picks it up.
  f.burst({"deps"});
  CHECK(f.status(parent) == "failed");
  CHECK(f.status(blocked) == "deferred");
  CHECK(f.zscore(keys::deferred("deps"), blocked).has_value());
  CHECK(Job::fetch(f.conn, released).result<long long>() == 4);
  CHECK(f.conn.checked({"SMEMBERS", keys::dependents(parent)}).strings() ==
        std::vector<std::string>{blocked});
}
