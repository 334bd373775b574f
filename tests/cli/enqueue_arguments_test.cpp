// rqctl enqueue: JSON-literal arguments and options land in Redis as the
// right msgpack and hash fields (docs/redis-layout.md sections 2.1, 2.2, 4.1).
#include <catch2/catch.hpp>
#include <msgpack.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/keys.hpp>
#include <rqcpp/queue.hpp>
#include <rqcpp/registry.hpp>
#include <rqcpp/serialization.hpp>

#include "rqctl_test_support.hpp"

using namespace rqcpp;
using namespace rqcpp::test;

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

std::string bytes(const msgpack::sbuffer& b) {
  return std::string(b.data(), b.size());
}

std::string hget(Connection& conn, const std::string& key, const char* field) {
  return std::string(conn.checked({"HGET", key, field}).str());
}

std::string enqueue_ok(const RedisServer& redis, const std::vector<std::string>& args) {
  RunResult r = rqctl(redis, args);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.err.empty());
  std::string id = printed_id(r);
  REQUIRE(!id.empty());
  REQUIRE(id.find('\n') == std::string::npos);
  return id;
}

}  // namespace

TEST_CASE("enqueue turns JSON literals into msgpack args and kwargs", "[cli][enqueue]") {
  RedisServer redis;
  const std::string id = enqueue_ok(
      redis, {"enqueue",     "args",    "builtin:echo", "3",       "\"x\"",       "[1,2]",
              "{\"a\":1}",   "true",    "null",         "hello",   "-5",          "\"3\"",
              "not json [",  "--kwarg", "n=1",          "--kwarg", "s=text",      "--kwarg",
              "l=[1,\"a\"]", "--kwarg", "eq=a=b",       "--kwarg", "m={\"k\":[]}"});

  // Built with msgpack-c directly, independent of core's JSON conversion.
  msgpack::sbuffer args;
  Packer p(args);
  p.pack_array(10);
  p.pack(3);
  p.pack(std::string("x"));
  p.pack_array(2).pack(1).pack(2);
  p.pack_map(1).pack(std::string("a")).pack(1);
  p.pack(true);
  p.pack_nil();
  p.pack(std::string("hello"));
  p.pack(-5);
  p.pack(std::string("3"));
  p.pack(std::string("not json ["));
  msgpack::sbuffer kwargs;  // keys in sorted order (kwargs are a sorted map in rqcpp)
  Packer k(kwargs);
  k.pack_map(5);
  k.pack(std::string("eq")).pack(std::string("a=b"));
  k.pack(std::string("l")).pack_array(2).pack(1).pack(std::string("a"));
  k.pack(std::string("m")).pack_map(1).pack(std::string("k")).pack_array(0);
  k.pack(std::string("n")).pack(1);
  k.pack(std::string("s")).pack(std::string("text"));

  Connection conn = Connection::open(redis.url());
  Job job = Job::fetch(conn, id);
  CHECK(job.func_name() == "builtin:echo");
  CHECK(job.args() == bytes(args));
  CHECK(job.kwargs() == bytes(kwargs));

  // The stored `data` field itself: zlib(msgpack [func, nil, args, kwargs]).
  const std::string data = hget(conn, keys::job(id), "data");
  REQUIRE(data.size() > 2);
  CHECK(static_cast<unsigned char>(data[0]) == 0x78);
  msgpack::sbuffer whole;
  Packer w(whole);
  w.pack_array(4).pack(std::string("builtin:echo")).pack_nil();
  std::string expected = bytes(whole) + bytes(args) + bytes(kwargs);
  CHECK(zlib_decompress(data) == expected);
}

TEST_CASE("enqueue keeps negative numbers and floats as numbers", "[cli][enqueue]") {
  RedisServer redis;
  const std::string id = enqueue_ok(redis, {"enqueue", "nums", "builtin:echo", "-1", "2.5", "-0.25",
                                            "18446744073709551615", "--", "--flag"});
  Connection conn = Connection::open(redis.url());
  Job job = Job::fetch(conn, id);
  msgpack::object_handle oh = msgpack::unpack(job.args().data(), job.args().size());
  const msgpack::object& a = oh.get();
  REQUIRE(a.type == msgpack::type::ARRAY);
  REQUIRE(a.via.array.size == 5);
  CHECK(a.via.array.ptr[0].as<long long>() == -1);
  // float32 or float64 both decode to the same double in Python; the value
  // must be exact.
  CHECK(a.via.array.ptr[1].as<double>() == 2.5);
  CHECK(a.via.array.ptr[2].as<double>() == -0.25);
  CHECK(a.via.array.ptr[3].as<unsigned long long>() == 18446744073709551615ULL);
  CHECK(a.via.array.ptr[4].as<std::string>() == "--flag");
}

TEST_CASE("enqueue keeps whole-number floats floats and refuses integers beyond 64 bits",
          "[cli][enqueue][floats]") {
  RedisServer redis;
  const std::string id =
      enqueue_ok(redis, {"enqueue", "nums", "builtin:echo", "2.0", "-0.0", "[1.0]"});
  Connection conn = Connection::open(redis.url());
  CHECK(python_repr(Job::fetch(conn, id).args()) == "[2.0, -0.0, [1.0]]");

  // Python keeps 2**70 exact; msgpack cannot hold it, so rqctl refuses it
  // rather than enqueue a rounded float.
  RunResult r = rqctl(redis, {"enqueue", "nums", "builtin:echo", "1180591620717411303424"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Matchers::Contains("does not fit in 64 bits"));
  CHECK(Queue(conn, "nums").count() == 1);
}

TEST_CASE("enqueue options land in the job hash", "[cli][enqueue]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string id =
      enqueue_ok(redis, {"enqueue", "opts", "builtin:echo", "x", "--timeout", "5m", "--result-ttl",
                         "10", "--ttl", "100", "--failure-ttl", "-1", "--job-id", "my-job-1",
                         "--description", "my description", "--meta", "{\"k\":\"v\"}"});
  CHECK(id == "my-job-1");
  const std::string key = keys::job(id);
  CHECK(hget(conn, key, "status") == "queued");
  CHECK(hget(conn, key, "origin") == "opts");
  CHECK(hget(conn, key, "timeout") == "300");
  CHECK(hget(conn, key, "result_ttl") == "10");
  CHECK(hget(conn, key, "ttl") == "100");
  CHECK(hget(conn, key, "failure_ttl") == "-1");
  CHECK(hget(conn, key, "description") == "my description");
  CHECK(hget(conn, key, "meta") == "\x81\xa1k\xa1v");  // msgpack {'k': 'v'}, uncompressed
  const long long ttl = conn.checked({"TTL", key}).integer();
  CHECK(ttl > 90);
  CHECK(ttl <= 100);
  CHECK(conn.checked({"SISMEMBER", keys::kQueues, keys::queue("opts")}).integer() == 1);

  // Defaults: timeout 180 is always written, no result_ttl, call description.
  const std::string plain = enqueue_ok(redis, {"enqueue", "opts", "builtin:add", "2", "3"});
  CHECK(hget(conn, keys::job(plain), "timeout") == "180");
  CHECK(conn.checked({"HEXISTS", keys::job(plain), "result_ttl"}).integer() == 0);
  CHECK(conn.checked({"HEXISTS", keys::job(plain), "meta"}).integer() == 0);
  CHECK(hget(conn, keys::job(plain), "description") == "builtin:add(2, 3)");
  CHECK(conn.checked({"TTL", keys::job(plain)}).integer() == -1);

  // Queue order: RPUSH normally, LPUSH with --at-front.
  const std::string front = enqueue_ok(redis, {"enqueue", "opts", "builtin:noop", "--at-front"});
  std::vector<std::string> order =
      conn.checked({"LRANGE", keys::queue("opts"), "0", "-1"}).strings();
  CHECK(order == std::vector<std::string>{front, id, plain});
}

TEST_CASE("enqueue --depends-on defers the job behind an unfinished one", "[cli][enqueue]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string parent = enqueue_ok(redis, {"enqueue", "deps", "builtin:noop"});
  const std::string child =
      enqueue_ok(redis, {"enqueue", "deps", "builtin:noop", "--depends-on", parent});
  Job job = Job::fetch(conn, child);
  CHECK(job.status() == JobStatus::kDeferred);
  CHECK(job.dependency_ids() == std::vector<std::string>{parent});
  CHECK(Registry(conn, "deps", RegistryKind::kDeferred).job_ids() ==
        std::vector<std::string>{child});
  CHECK(conn.checked({"LLEN", keys::queue("deps")}).integer() == 1);
  CHECK(conn.checked({"SISMEMBER", keys::dependents(parent), child}).integer() == 1);
}

TEST_CASE("enqueue --serializer json writes RQ JSONSerializer data", "[cli][enqueue]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  const std::string id = enqueue_ok(redis, {"enqueue", "js", "builtin:echo", "[1,\"a\"]", "--kwarg",
                                            "k=2", "--serializer", "json"});
  const std::string plain = zlib_decompress(hget(conn, keys::job(id), "data"));
  CHECK(nlohmann::json::parse(plain) ==
        nlohmann::json::parse(R"(["builtin:echo",null,[[1,"a"]],{"k":2}])"));
  Job job = Job::fetch(conn, id);
  CHECK(job.serializer() == Serializer::kJson);
}

TEST_CASE("enqueue --memory-limit, --cpu-limit, --max-open-files write meta rqcpp_limits",
          "[cli][enqueue]") {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());
  auto meta_of = [&](const std::string& id) {
    return nlohmann::json::parse(msgpack_to_json(hget(conn, keys::job(id), "meta")));
  };
  const std::string id =
      enqueue_ok(redis, {"enqueue", "lim", "builtin:noop", "--memory-limit", "128M", "--cpu-limit",
                         "2m", "--max-open-files", "9", "--meta", R"({"owner": "me"})"});
  CHECK(meta_of(id) == nlohmann::json::parse(
                           R"({"owner": "me", "rqcpp_limits": {"memory": 134217728, "cpu": 120,
                               "open_files": 9}})"));
  // Merged into a rqcpp_limits the --meta already has; the option wins.
  const std::string merged =
      enqueue_ok(redis, {"enqueue", "lim", "builtin:noop", "--cpu-limit", "5", "--meta",
                         R"({"rqcpp_limits": {"memory": "1G", "cpu": 99}})"});
  CHECK(meta_of(merged) ==
        nlohmann::json::parse(R"({"rqcpp_limits": {"memory": "1G", "cpu": 5}})"));
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--memory-limit", "12X"},
        {"--memory-limit", "0"},
        {"--cpu-limit", "0"},
        {"--cpu-limit", "soon"},
        {"--max-open-files", "-2"},
        {"--cpu-limit", "1", "--meta", R"({"rqcpp_limits": 3})"}}) {
    std::vector<std::string> a{"enqueue", "lim", "builtin:noop"};
    a.insert(a.end(), bad.begin(), bad.end());
    RunResult r = rqctl(redis, a);
    INFO(r.err);
    CHECK(r.exit_code == 2);
  }
  CHECK(Queue(conn, "lim").count() == 2);
}
