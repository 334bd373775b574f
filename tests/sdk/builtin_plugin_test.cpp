// The shipped builtin plugin, loaded from <build>/plugins/libbuiltin.so with
// dlopen as the worker's horse does, called through its manifest.
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <map>
#include <rqcpp/sdk.hpp>
#include <string>
#include <vector>

#include "msgpack_helpers.hpp"
#include "plugin_host.hpp"

using rqcpp::test::args;
using rqcpp::test::call_job;
using rqcpp::test::CallOutcome;
using rqcpp::test::FakeJob;
using rqcpp::test::hex_of;
using rqcpp::test::kind_of;
using rqcpp::test::kNoKwargs;
using rqcpp::test::LoadedPlugin;
using rqcpp::test::packed;
using rqcpp::test::plugin_path;
using rqcpp::test::unpacked;

namespace {

const LoadedPlugin& builtin() {
  static const LoadedPlugin plugin(plugin_path("builtin"));
  return plugin;
}

CallOutcome call(const std::string& name, const std::string& a, const std::string& kw = kNoKwargs,
                 const FakeJob& job = {}) {
  return call_job(builtin().function(name), a, kw, job);
}

// Runs builtin:crash(kind) in a forked child; returns the child's wait status.
int crash_in_child(const std::string& kind) {
  rqcpp_job_fn fn = builtin().function("crash");
  const std::string a = args(kind);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // a crash test must not write core files
    std::signal(SIGABRT, SIG_DFL);       // not Catch's fatal-signal reporter
    std::signal(SIGSEGV, SIG_DFL);
    call_job(fn, a);
    ::_exit(0);  // the plugin did not kill us
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("builtin manifest lists the documented functions", "[sdk][builtin]") {
  const rqcpp_manifest& m = builtin().manifest();
  REQUIRE(m.abi_version == RQCPP_ABI_VERSION);
  REQUIRE(std::string(m.plugin_name) == "builtin");
  std::vector<std::string> names;
  for (size_t i = 0; i < m.function_count; ++i) {
    names.emplace_back(m.functions[i].name);
    REQUIRE(std::string(m.functions[i].doc) != "");
  }
  REQUIRE(names == std::vector<std::string>{"add", "add_float", "allocate", "burn_cpu", "crash",
                                            "echo", "echo_kwargs", "fail", "flaky", "getpid",
                                            "job_info", "loader_pid", "noop", "open_files",
                                            "progress", "record_callback", "sleep"});
}

TEST_CASE("builtin plugin exports only the manifest symbol", "[sdk][builtin]") {
  REQUIRE(rqcpp::test::exported_symbols(plugin_path("builtin")) ==
          std::vector<std::string>{"rqcpp_plugin_manifest"});
}

TEST_CASE("builtin:add adds int64 and refuses overflow and non-integers", "[sdk][builtin]") {
  REQUIRE(unpacked<std::int64_t>(*call("add", args(2, 3)).result) == 5);
  REQUIRE(unpacked<std::int64_t>(*call("add", args(-7, std::int64_t{1} << 40)).result) ==
          (std::int64_t{1} << 40) - 7);
  auto overflow = call("add", args(INT64_MAX, 1));
  REQUIRE(overflow.rc == RQCPP_ERROR);
  REQUIRE(overflow.error_type == std::optional<std::string>("OverflowError"));
  auto wrong = call("add", args(1, std::string("2")));
  REQUIRE(wrong.error_type == std::optional<std::string>("TypeError"));
  REQUIRE(wrong.error_message == "add() argument 2: expected int, got str");
  REQUIRE(unpacked<double>(*call("add_float", args(1, 2.5)).result) == 3.5);
}

TEST_CASE("builtin:echo returns any value unchanged", "[sdk][builtin]") {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  p.pack_map(3);
  p.pack(std::string("list"));
  p.pack(std::vector<int>{1, -2, 3});
  p.pack(std::string("nil"));
  p.pack_nil();
  p.pack(std::string("float"));
  p.pack(2.5);
  const std::string value(buf.data(), buf.size());
  auto out = call("echo", std::string("\x91", 1) + value);
  REQUIRE(out.rc == RQCPP_OK);
  REQUIRE(*out.result == value);
  REQUIRE(*call("echo", args(nullptr)).result == std::string("\xc0", 1));
}

TEST_CASE("builtin:echo_kwargs returns the keyword arguments", "[sdk][builtin]") {
  auto out = call("echo_kwargs", args(), packed(std::map<std::string, int>{{"a", 1}, {"b", 2}}));
  REQUIRE(unpacked<std::map<std::string, int>>(*out.result) ==
          std::map<std::string, int>{{"a", 1}, {"b", 2}});
}

TEST_CASE("builtin:fail fails with ValueError", "[sdk][builtin]") {
  auto out = call("fail", args(std::string("boom")));
  REQUIRE(out.rc == RQCPP_ERROR);
  REQUIRE(out.error_type == std::optional<std::string>("ValueError"));
  REQUIRE(out.error_message == "boom");
  REQUIRE(call("fail", args()).error_message == "builtin:fail was called");
}

TEST_CASE("builtin:noop, getpid, sleep, allocate", "[sdk][builtin]") {
  auto noop = call("noop", args());
  REQUIRE(noop.rc == RQCPP_OK);
  REQUIRE_FALSE(noop.result.has_value());
  REQUIRE(unpacked<std::int64_t>(*call("getpid", args()).result) == ::getpid());
  REQUIRE(unpacked<double>(*call("sleep", args(0.01)).result) == 0.01);
  REQUIRE(call("sleep", args(-1)).error_type == std::optional<std::string>("ValueError"));
  REQUIRE(unpacked<std::int64_t>(*call("allocate", args(4)).result) == 4);
  REQUIRE(call("allocate", args(-1)).error_type == std::optional<std::string>("ValueError"));
}

TEST_CASE("builtin:burn_cpu uses CPU time, open_files counts what it could open",
          "[sdk][builtin]") {
  timespec before{}, after{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &before);
  REQUIRE(unpacked<double>(*call("burn_cpu", args(0.05)).result) == 0.05);
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &after);
  const double used = static_cast<double>(after.tv_sec - before.tv_sec) +
                      static_cast<double>(after.tv_nsec - before.tv_nsec) / 1e9;
  CHECK(used >= 0.05);
  REQUIRE(call("burn_cpu", args(-1)).error_type == std::optional<std::string>("ValueError"));
  REQUIRE(unpacked<std::int64_t>(*call("open_files", args(5)).result) == 5);
  REQUIRE(call("open_files", args(-1)).error_type == std::optional<std::string>("ValueError"));
}

TEST_CASE("builtin:progress saves meta at each step", "[sdk][builtin]") {
  auto out = call("progress", args(4));
  REQUIRE(unpacked<std::int64_t>(*out.result) == 4);
  REQUIRE(out.saved_metas.size() == 4);
  REQUIRE(unpacked<std::map<std::string, int>>(out.saved_metas[1]) ==
          std::map<std::string, int>{{"progress", 2}});
  REQUIRE(unpacked<std::map<std::string, int>>(out.meta) ==
          std::map<std::string, int>{{"progress", 4}});
}

TEST_CASE("builtin:job_info sees the context the host passed", "[sdk][builtin]") {
  FakeJob job;
  job.id = "abc";
  job.origin = "q1";
  job.func_name = "builtin:job_info";
  auto out = call("job_info", args(), kNoKwargs, job);
  REQUIRE(unpacked<std::map<std::string, std::string>>(*out.result) ==
          std::map<std::string, std::string>{
              {"id", "abc"}, {"origin", "q1"}, {"func_name", "builtin:job_info"}});
}

TEST_CASE("builtin:crash kills its process as asked", "[sdk][builtin]") {
  int segv = crash_in_child("segv");
  REQUIRE(WIFSIGNALED(segv));
  REQUIRE(WTERMSIG(segv) == SIGSEGV);
  int abrt = crash_in_child("abort");
  REQUIRE(WIFSIGNALED(abrt));
  REQUIRE(WTERMSIG(abrt) == SIGABRT);
  int exited = crash_in_child("exit");
  REQUIRE(WIFEXITED(exited));
  REQUIRE(WEXITSTATUS(exited) == 3);
  auto unknown = call("crash", args(std::string("nope")));
  REQUIRE(unknown.error_type == std::optional<std::string>("ValueError"));
}

TEST_CASE("builtin echo and add_float return whole-number floats as floats", "[builtin][floats]") {
  for (const double value : {2.0, -0.0, 1e15}) {
    INFO(value);
    CallOutcome e = call("echo", args(value));
    REQUIRE(e.result);
    CHECK(kind_of(*e.result) == msgpack::type::FLOAT64);
    CHECK(std::signbit(unpacked<double>(*e.result)) == std::signbit(value));
    CHECK(unpacked<double>(*e.result) == value);
  }
  CallOutcome sum = call("add_float", args(1.0, 1.0));
  REQUIRE(sum.result);
  CHECK(*sum.result == packed(2.0));
  CHECK(hex_of(*sum.result) == "cb 40 00 00 00 00 00 00 00");
  // Inside containers and keyword arguments too (msgpack::object re-packed).
  CallOutcome list = call("echo", args(std::vector<double>{1.0, 2.5}));
  REQUIRE(list.result);
  CHECK(*list.result == packed(std::vector<double>{1.0, 2.5}));
  CHECK(hex_of(list.result->substr(0, 2)) == "92 cb");
  CallOutcome kw = call("echo_kwargs", args(), packed(std::map<std::string, double>{{"x", 3.0}}));
  REQUIRE(kw.result);
  CHECK(hex_of(kw.result->substr(0, 4)) == "81 a1 78 cb");
}
