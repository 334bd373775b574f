// Floats and big integers survive a round trip through Python RQ 1.13 and
// rqworker as Python keeps them: 2.0 stays a float, -0.0 keeps its sign,
// NaN and +-Infinity in a JSONSerializer job run and come back, and an
// integer beyond 64 bits fails its job with a clear error instead of
// becoming a float.
#include <catch2/catch.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/serialization.hpp>

#include "interop_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

std::string float_peer() {
  return source_dir() + "/tests/interop/rq_float_peer.py";
}

// Python RQ enqueues FUNC(*eval(args_expr)) with `serializer`; returns the id.
std::string py_enqueue(const RedisServer& redis, const std::string& serializer,
                       const std::string& func, const std::string& args_expr) {
  RunResult r =
      python({float_peer(), "enqueue", redis.url(), "floats", serializer, func, args_expr});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return first_line(r.out);
}

// What Python RQ reads back: status, repr and type of the return value.
nlohmann::json py_result(const RedisServer& redis, const std::string& id,
                         const std::string& serializer) {
  RunResult r = python({float_peer(), "result", redis.url(), id, serializer});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

void run_burst(const RedisServer& redis) {
  RunResult w = run(
      {rqworker_path(), "--burst", "--url", redis.url(), "--plugin-dir", plugin_dir(), "floats"},
      120s);
  INFO(w.out << w.err);
  REQUIRE(w.exit_code == 0);
}

}  // namespace

TEST_CASE("whole-number and negative-zero floats come back to Python as floats",
          "[interop][python][floats]") {
  RedisServer redis;
  for (const std::string serializer : {"msgpack", "json"}) {
    INFO("serializer " << serializer);
    const std::string echo = py_enqueue(redis, serializer, "builtin:echo", "[2.0]");
    const std::string add = py_enqueue(redis, serializer, "builtin:add_float", "[1.0, 1.0]");
    const std::string zero = py_enqueue(redis, serializer, "builtin:echo", "[-0.0]");
    const std::string list = py_enqueue(redis, serializer, "builtin:echo", "[[1.0, 2, -0.0]]");
    run_burst(redis);

    nlohmann::json e = py_result(redis, echo, serializer);
    CHECK(e["status"] == "finished");
    CHECK(e["repr"] == "2.0");
    CHECK(e["type"] == "float");
    nlohmann::json a = py_result(redis, add, serializer);
    CHECK(a["repr"] == "2.0");
    CHECK(a["type"] == "float");
    CHECK(py_result(redis, zero, serializer)["repr"] == "-0.0");
    nlohmann::json l = py_result(redis, list, serializer);
    CHECK(l["repr"] == "[1.0, 2, -0.0]");
    CHECK(l["item_types"] == nlohmann::json::parse(R"(["float", "int", "float"])"));
  }
}

TEST_CASE("NaN and Infinity in a JSONSerializer job run and come back as Python wrote them",
          "[interop][python][floats]") {
  RedisServer redis;
  const std::string echo =
      py_enqueue(redis, "json", "builtin:echo", "[[float('nan'), float('inf'), -float('inf')]]");
  const std::string inf = py_enqueue(redis, "json", "builtin:add_float", "[1e308, 1e308]");
  const std::string inf_msgpack =
      py_enqueue(redis, "msgpack", "builtin:add_float", "[1e308, 1e308]");
  run_burst(redis);

  nlohmann::json e = py_result(redis, echo, "json");
  INFO(e.dump());
  CHECK(e["status"] == "finished");
  CHECK(e["repr"] == "[nan, inf, -inf]");
  nlohmann::json i = py_result(redis, inf, "json");
  CHECK(i["status"] == "finished");
  CHECK(i["repr"] == "inf");  // not None: json.dumps writes Infinity
  CHECK(py_result(redis, inf_msgpack, "msgpack")["repr"] == "inf");

  // rqcpp reads the same job's arguments, as Python wrote them.
  Connection conn = Connection::open(redis.url());
  Job job = Job::fetch(conn, echo);
  CHECK(python_repr(job.args()) == "[[nan, inf, -inf]]");
}

TEST_CASE("an integer beyond 64 bits fails its job clearly and is never changed",
          "[interop][python][floats]") {
  RedisServer redis;
  // Python's msgpack cannot pack 2**70 at all; its json can, exactly.
  const std::string big = py_enqueue(redis, "json", "builtin:echo", "[2**70]");
  const std::string fits = py_enqueue(redis, "json", "builtin:echo", "[2**64 - 1]");
  run_burst(redis);

  nlohmann::json b = py_result(redis, big, "json");
  INFO(b.dump());
  CHECK(b["status"] == "failed");
  CHECK_THAT(b["exc_info"].get<std::string>(),
             Contains("integer 1180591620717411303424 does not fit in 64 bits"));
  nlohmann::json f = py_result(redis, fits, "json");
  CHECK(f["status"] == "finished");
  CHECK(f["repr"] == "18446744073709551615");
}
