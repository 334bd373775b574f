// Exceptions escaping a job function, and what a running job sees through
// rqcpp::current_job(): ids, meta read/update, save_meta.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <rqcpp/sdk.hpp>
#include <stdexcept>
#include <string>

#include "in_process_plugin.hpp"
#include "msgpack_helpers.hpp"
#include "plugin_host.hpp"

namespace ctxtest {

struct Oops : std::exception {
  const char* what() const noexcept override { return "oops happened"; }
};

int raise_runtime() {
  throw std::runtime_error("went wrong");
}
int raise_out_of_range() {
  return std::map<int, int>{}.at(1);
}
int raise_custom() {
  throw Oops();
}
int raise_int() {
  throw 42;
}
int raise_job_error(std::string type) {
  throw rqcpp::JobError(type, "chosen type");
}

std::map<std::string, std::string> who() {
  rqcpp::JobContext& job = rqcpp::current_job();
  return {{"id", std::string(job.id())},
          {"origin", std::string(job.origin())},
          {"func_name", std::string(job.func_name())}};
}

std::int64_t set_progress(std::int64_t steps) {
  rqcpp::JobContext& job = rqcpp::current_job();
  for (std::int64_t i = 1; i <= steps; ++i) {
    job.set_meta("progress", i);
    if (!job.save_meta()) return -i;
  }
  return steps;
}

// Reads meta["n"] as int (or -1), sets meta["seen"] = n, erases meta["drop"].
int meta_roundtrip() {
  rqcpp::JobContext& job = rqcpp::current_job();
  const int n = job.get_meta<int>("n").value_or(-1);
  job.set_meta("seen", n);
  job.set_meta("list", std::vector<std::string>{"a", "b"});
  job.erase_meta("drop");
  return job.has_meta("seen") && !job.has_meta("drop") ? n : -100;
}

int meta_wrong_type() {
  return rqcpp::current_job().get_meta<int>("n").value_or(0);
}

bool replace_with_list() {
  try {
    rqcpp::current_job().replace_meta(std::string("\x90", 1));
  } catch (const std::invalid_argument&) {
    return true;
  }
  return false;
}

}  // namespace ctxtest

RQCPP_JOB(ctxtest::raise_runtime, "throws std::runtime_error");
RQCPP_JOB(ctxtest::raise_out_of_range, "throws std::out_of_range");
RQCPP_JOB(ctxtest::raise_custom, "throws a custom std::exception");
RQCPP_JOB(ctxtest::raise_int, "throws an int");
RQCPP_JOB(ctxtest::raise_job_error, "throws rqcpp::JobError");
RQCPP_JOB(ctxtest::who, "job identity");
RQCPP_JOB(ctxtest::set_progress, "meta progress");
RQCPP_JOB(ctxtest::meta_roundtrip, "meta read/update");
RQCPP_JOB(ctxtest::meta_wrong_type, "meta type error");
RQCPP_JOB(ctxtest::replace_with_list, "meta must be a map");

using rqcpp::test::args;
using rqcpp::test::call_job;
using rqcpp::test::CallOutcome;
using rqcpp::test::FakeJob;
using rqcpp::test::in_process_function;
using rqcpp::test::kNoKwargs;
using rqcpp::test::packed;
using rqcpp::test::unpacked;

namespace {

CallOutcome call(const std::string& name, const std::string& a, const FakeJob& job = {}) {
  return call_job(in_process_function(name), a, kNoKwargs, job);
}

void require_error(const CallOutcome& out, const std::string& type, const std::string& message) {
  REQUIRE(out.rc == RQCPP_ERROR);
  REQUIRE(out.error_type == std::optional<std::string>(type));
  REQUIRE(out.error_message == message);
}

}  // namespace

TEST_CASE("an escaping exception fails the job with its demangled type and what()",
          "[sdk][errors]") {
  require_error(call("raise_runtime", args()), "std::runtime_error", "went wrong");
  auto range = call("raise_out_of_range", args());
  REQUIRE(range.error_type == std::optional<std::string>("std::out_of_range"));
  require_error(call("raise_custom", args()), "ctxtest::Oops", "oops happened");
  require_error(call("raise_int", args()), "int", "a C++ exception of type int was thrown");
}

TEST_CASE("rqcpp::JobError chooses the type name the job fails with", "[sdk][errors]") {
  require_error(call("raise_job_error", args(std::string("KeyError"))), "KeyError", "chosen type");
  require_error(call("raise_job_error", args(std::string(""))), "RuntimeError", "chosen type");
}

TEST_CASE("current_job() exposes the job's id, origin and func_name", "[sdk][context]") {
  FakeJob job;
  job.id = "4f0c";
  job.origin = "emails";
  job.func_name = "sdk_test:who";
  auto out = call("who", args(), job);
  REQUIRE(out.rc == RQCPP_OK);
  REQUIRE(unpacked<std::map<std::string, std::string>>(*out.result) ==
          std::map<std::string, std::string>{
              {"id", "4f0c"}, {"origin", "emails"}, {"func_name", "sdk_test:who"}});
}

TEST_CASE("current_job() outside a job function throws std::logic_error", "[sdk][context]") {
  REQUIRE_THROWS_AS(rqcpp::current_job(), std::logic_error);
}

TEST_CASE("meta updates reach the host and save_meta writes each step", "[sdk][context]") {
  auto out = call("set_progress", args(3));
  REQUIRE(out.rc == RQCPP_OK);
  REQUIRE(unpacked<std::int64_t>(*out.result) == 3);
  REQUIRE(unpacked<std::map<std::string, int>>(out.meta) ==
          std::map<std::string, int>{{"progress", 3}});
  REQUIRE(out.saved_metas.size() == 3);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(unpacked<std::map<std::string, int>>(out.saved_metas[i]) ==
            std::map<std::string, int>{{"progress", i + 1}});
  }
}

TEST_CASE("save_meta reports an unreachable Redis as false", "[sdk][context]") {
  FakeJob job;
  job.save_meta_fails = true;
  auto out = call("set_progress", args(3), job);
  REQUIRE(unpacked<std::int64_t>(*out.result) == -1);
  REQUIRE(out.saved_metas.empty());
}

TEST_CASE("meta keeps existing keys, reads typed values, erases keys", "[sdk][context]") {
  FakeJob job;
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  p.pack_map(3);
  p.pack(std::string("n"));
  p.pack(7);
  p.pack(std::string("drop"));
  p.pack(true);
  p.pack(std::string("owner"));
  p.pack(std::string("python"));
  job.meta.assign(buf.data(), buf.size());

  auto out = call("meta_roundtrip", args(), job);
  REQUIRE(out.rc == RQCPP_OK);
  REQUIRE(unpacked<int>(*out.result) == 7);
  msgpack::object_handle h = msgpack::unpack(out.meta.data(), out.meta.size());
  auto meta = h.get().as<std::map<std::string, msgpack::object>>();
  REQUIRE(meta.size() == 4);
  REQUIRE(meta.at("n").as<int>() == 7);
  REQUIRE(meta.at("seen").as<int>() == 7);
  REQUIRE(meta.at("owner").as<std::string>() == "python");
  REQUIRE(meta.at("list").as<std::vector<std::string>>() == std::vector<std::string>{"a", "b"});
  REQUIRE(meta.count("drop") == 0);

  auto empty = call("meta_roundtrip", args());  // no meta at all
  REQUIRE(unpacked<int>(*empty.result) == -1);
}

TEST_CASE("a meta value of the wrong type is a TypeError naming the key", "[sdk][context]") {
  FakeJob job;
  job.meta = packed(std::map<std::string, std::string>{{"n", "seven"}});
  require_error(call("meta_wrong_type", args(), job), "TypeError",
                "meta 'n': expected int, got str");
}

TEST_CASE("replace_meta refuses a value that is not a map", "[sdk][context]") {
  auto out = call("replace_with_list", args());
  REQUIRE(unpacked<bool>(*out.result));
  REQUIRE(out.meta == std::string("\x80", 1));
}
