// Shared set-up for the worker tests: a private redis-server, a Connection
// to it, and helpers to run real rqworker processes against it.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/serialization.hpp"
#include "rqcpp/timestamp.hpp"

namespace rqcpp::test {

// The children of `pid` (its work horses), from procfs.
inline std::vector<pid_t> child_pids(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  pid_t child = 0;
  while (in >> child) out.push_back(child);
  return out;
}

struct WorkerFixture {
  RedisServer redis;
  Connection conn = Connection::open(redis.url());

  // rqworker's argv: URL and plugin dir filled in, then `args`.
  std::vector<std::string> worker_argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{rqworker_path(), "--url", redis.url(), "--plugin-dir",
                                  plugin_dir()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // Runs `rqworker --burst <args>` to completion; fails the test on a
  // non-zero exit, printing the worker's log.
  RunResult burst(const std::vector<std::string>& args,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::vector<std::string> a{"--burst"};
    a.insert(a.end(), args.begin(), args.end());
    RunResult r = run(worker_argv(a), timeout);
    INFO("rqworker stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }

  std::string hget(const std::string& key, const std::string& field) {
    return std::string(conn.checked({"HGET", key, field}).str());
  }
  long long ttl(const std::string& key) { return conn.checked({"TTL", key}).integer(); }
  bool exists(const std::string& key) { return conn.checked({"EXISTS", key}).integer() == 1; }
  std::optional<double> zscore(const std::string& key, const std::string& member) {
    Reply r = conn.checked({"ZSCORE", key, member});
    if (r.is_nil()) return std::nullopt;
    return std::stod(std::string(r.str()));
  }
  std::string status(const std::string& id) { return hget(keys::job(id), "status"); }
  // The newest result entry's exc_string, decoded (read directly: Job::fetch
  // refuses jobs whose data does not decode).
  std::string exc_info(const std::string& id) {
    Reply r = conn.checked({"XREVRANGE", keys::results(id), "+", "-", "COUNT", "1"});
    if (r.size() == 0) return "";
    std::vector<std::string> kv = r.at(0).at(1).strings();
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (kv[i] == "exc_string") return zlib_decompress(base64_decode(kv[i + 1]));
    }
    return "";
  }

  // Polls `pred` every 10 ms for up to `timeout`.
  template <class Pred>
  bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }
};

// A job hash written by hand (for what the Queue API refuses to enqueue).
inline void write_raw_job(Connection& conn, const std::string& queue, const std::string& id,
                          const std::string& data) {
  std::string ts = now_timestamp();
  conn.checked({"HSET",           keys::job(id),
                "data",           data,
                "status",         "queued",
                "origin",         queue,
                "timeout",        "180",
                "created_at",     ts,
                "enqueued_at",    ts,
                "description",    "raw",
                "started_at",     "",
                "ended_at",       "",
                "worker_name",    "",
                "last_heartbeat", ""});
  conn.checked({"SADD", std::string(keys::kQueues), keys::queue(queue)});
  conn.checked({"RPUSH", keys::queue(queue), id});
}

// A log file for a worker started by a test, kept for post-mortems under
// <build>/tests/worker/logs/ (unique per test process).
inline std::string log_path(const std::string& tag) {
  std::string dir = binary_dir() + "/tests/worker/logs";
  std::filesystem::create_directories(dir);
  return dir + "/" + tag + "_" + std::to_string(::getpid()) + ".log";
}

}  // namespace rqcpp::test
