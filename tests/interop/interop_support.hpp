// Helpers for the interop tests: Python RQ peers and a background rqworker.
#pragma once

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.hpp"

namespace rqcpp::test {

inline std::string python_peer_script() {
  return source_dir() + "/tests/python/rq_peer.py";
}

// Runs /usr/bin/python3 with `args`; REQUIREs nothing, the caller checks.
inline RunResult python(const std::vector<std::string>& args) {
  std::vector<std::string> argv{RQCPP_TEST_PYTHON};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(60));
}

// First line of a process' output.
inline std::string first_line(const std::string& out) {
  return out.substr(0, out.find('\n'));
}

// Python RQ enqueues FUNC(*json_args) on `queue` with the msgpack serializer;
// returns the job id ("" on failure, with the error in `err`).
inline std::string python_enqueue(const RedisServer& redis, const std::string& queue,
                                  const std::string& func,
                                  const std::vector<std::string>& json_args,
                                  std::string* err = nullptr) {
  std::vector<std::string> args{python_peer_script(), "enqueue", redis.url(), queue, func};
  args.insert(args.end(), json_args.begin(), json_args.end());
  RunResult r = python(args);
  if (r.exit_code != 0) {
    if (err) *err = r.out + r.err;
    return "";
  }
  return first_line(r.out);
}

// Python RQ's Job.fetch(id, serializer=MsgpackSerializer) as JSON (null on
// failure, with the error in `err`).
inline nlohmann::json python_fetch(const RedisServer& redis, const std::string& id,
                                   std::string* err = nullptr) {
  RunResult r = python({python_peer_script(), "fetch", redis.url(), id});
  if (r.exit_code != 0) {
    if (err) *err = r.out + r.err;
    return nullptr;
  }
  return nlohmann::json::parse(r.out);
}

// A long-running (non-burst) rqworker on `queues`, stopped with SIGTERM and
// waited for by stop() or, failing that, killed by Process' destructor.
class BackgroundWorker {
 public:
  BackgroundWorker(const RedisServer& redis, const std::vector<std::string>& queues,
                   const std::string& log_name)
      : log_(binary_dir() + "/" + log_name + ".log"), process_(argv(redis, queues), {}, log_) {}

  pid_t pid() const { return process_.pid(); }
  const std::string& log() const { return log_; }
  // SIGTERM, then the wait status (-1 if it did not exit within 15 s).
  int stop() {
    process_.signal(SIGTERM);
    return process_.wait(std::chrono::seconds(15));
  }

 private:
  static std::vector<std::string> argv(const RedisServer& redis,
                                       const std::vector<std::string>& queues) {
    std::vector<std::string> a{rqworker_path(), "--url", redis.url(), "--plugin-dir", plugin_dir()};
    a.insert(a.end(), queues.begin(), queues.end());
    return a;
  }
  std::string log_;
  Process process_;
};

// Polls the job's status until it is final or `timeout` passes; returns the
// last status seen.
inline std::optional<JobStatus> wait_for_final_status(Connection& conn, const std::string& id,
                                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<JobStatus> status;
  for (;;) {
    if (auto job = Job::try_fetch(conn, id)) status = job->status();
    if (status == JobStatus::kFinished || status == JobStatus::kFailed ||
        status == JobStatus::kStopped || std::chrono::steady_clock::now() >= deadline) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

}  // namespace rqcpp::test
