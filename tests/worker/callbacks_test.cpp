// Job callbacks (on_success / on_failure / on_stopped): run by the worker in
// a work horse after the outcome is written, with the documented arguments
// (sdk.hpp): success [job_id, result], failure [job_id, exc type, exc
// message], stopped [job_id]. A failing callback changes nothing.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <msgpack.hpp>
#include <sstream>

#include "rqcpp/args.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using namespace std::chrono_literals;

namespace {

// Enqueue options whose meta names the file builtin:record_callback appends to.
EnqueueOptions recording_to(const std::string& path) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(1);
  pk.pack(std::string("callback_file"));
  pk.pack(path);
  EnqueueOptions o;
  o.meta.assign(buf.data(), buf.size());
  return o;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& tag) : path(log_path(tag)) { std::remove(path.c_str()); }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("on_success gets the job id and the result", "[worker][callbacks]") {
  WorkerFixture f;
  TempFile file("cb_success");
  Queue q(f.conn, "cb");
  EnqueueOptions o = recording_to(file.path);
  o.on_success = "builtin:record_callback";
  o.on_failure = "builtin:record_callback";  // must not run
  std::string id = q.enqueue_call("builtin:add", Args::of(2, 3), o).id();
  std::string plain = q.enqueue("builtin:add", 4, 5).id();
  f.burst({"cb"});
  CHECK(f.status(id) == "finished");
  CHECK(f.status(plain) == "finished");
  CHECK(read_file(file.path) == id + " 5\n");
}

TEST_CASE("on_failure gets the job id, exception type and message", "[worker][callbacks]") {
  WorkerFixture f;
  TempFile file("cb_failure");
  Queue q(f.conn, "cb");
  EnqueueOptions o = recording_to(file.path);
  o.on_success = "builtin:record_callback";  // must not run
  o.on_failure = "builtin:record_callback";
  std::string id = q.enqueue_call("builtin:fail", Args::of(std::string("boom")), o).id();
  f.burst({"cb"});
  CHECK(f.status(id) == "failed");
  CHECK(read_file(file.path) == id + " \"ValueError\" \"boom\"\n");
}

TEST_CASE("on_stopped gets the job id of a stopped job", "[worker][callbacks]") {
  WorkerFixture f;
  TempFile file("cb_stopped");
  Queue q(f.conn, "cbs");
  EnqueueOptions o = recording_to(file.path);
  o.on_stopped = "builtin:record_callback";
  o.on_failure = "builtin:record_callback";  // must not run
  std::string id = q.enqueue_call("builtin:sleep", Args::of(30.0), o).id();
  Process w(f.worker_argv({"--name", "cb-stop", "cbs"}), {}, log_path("cb_stop"));
  REQUIRE(f.eventually([&] { return f.status(id) == "started"; }));
  f.conn.checked({"PUBLISH", keys::worker_channel("cb-stop"),
                  "{\"command\": \"stop-job\", \"job_id\": \"" + id + "\"}"});
  REQUIRE(f.eventually([&] { return read_file(file.path) == id + "\n"; }));
  CHECK(f.status(id) == "stopped");
  w.signal(SIGTERM);
  CHECK(w.wait(10s) == 0);
}

TEST_CASE("a failing or missing callback is logged and does not change the outcome",
          "[worker][callbacks]") {
  WorkerFixture f;
  Queue q(f.conn, "cbf");
  EnqueueOptions o;
  o.on_success = "builtin:fail";
  std::string ok = q.enqueue_call("builtin:add", Args::of(1, 1), o).id();
  EnqueueOptions missing;
  missing.on_failure = "nosuchlib:callback";
  std::string bad = q.enqueue_call("builtin:fail", Args::of(std::string("x")), missing).id();
  std::string after = q.enqueue("builtin:add", 2, 2).id();
  RunResult r = f.burst({"cbf"});
  CHECK(f.status(ok) == "finished");
  CHECK(Job::fetch(f.conn, ok).result<long long>() == 2);
  CHECK(f.status(bad) == "failed");
  CHECK(f.exc_info(bad).find("ValueError") != std::string::npos);
  CHECK(f.status(after) == "finished");
  CHECK_THAT(r.err, Catch::Contains("success callback builtin:fail failed") && Catch::Contains(ok));
  CHECK_THAT(r.err,
             Catch::Contains("failure callback nosuchlib:callback failed") && Catch::Contains(bad));
}

TEST_CASE("a callback that outlives its timeout is killed and the worker goes on",
          "[worker][callbacks]") {
  WorkerFixture f;
  Queue q(f.conn, "cbt");
  TempFile file("callback-timeout");
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(2);
  pk.pack(std::string("callback_file"));
  pk.pack(file.path);
  pk.pack(std::string("callback_sleep"));
  pk.pack(30.0);
  EnqueueOptions o;
  o.meta.assign(buf.data(), buf.size());
  o.on_success = "builtin:record_callback";
  std::string slow = q.enqueue_call("builtin:add", Args::of(2, 3), o).id();
  std::string after = q.enqueue("builtin:add", 4, 4).id();
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = f.burst({"--callback-timeout", "1", "cbt"});
  // Killed after ~1 s, far from the callback's 30 s sleep.
  CHECK(std::chrono::steady_clock::now() - t0 < 15s);
  CHECK(f.status(slow) == "finished");
  CHECK(Job::fetch(f.conn, slow).result<long long>() == 5);
  CHECK(f.status(after) == "finished");
  CHECK(read_file(file.path).empty());  // the callback never got to write
  CHECK_THAT(r.err, Catch::Contains("callback builtin:record_callback timed out after 1s") &&
                        Catch::Contains(slow));
}
