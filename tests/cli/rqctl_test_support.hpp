// Helpers shared by the rqctl tests: run rqctl / rqworker against a test
// server and inspect what they print.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "redis_server.hpp"

namespace rqcpp::test {

// rqctl --url <server> ARGS..., to completion (30 s at most).
inline RunResult rqctl(const RedisServer& redis, const std::vector<std::string>& args) {
  std::vector<std::string> argv{rqctl_path(), "--url", redis.url()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(30));
}

// rqctl without --url (for URL and help tests).
inline RunResult rqctl_raw(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv{rqctl_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, std::chrono::seconds(30), env);
}

// The job id rqctl enqueue printed (its only output line).
inline std::string printed_id(const RunResult& r) {
  std::string id = r.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

// Runs `rqctl ARGS` (an enqueue) and returns the id it printed; fails the
// test, showing rqctl's stderr, when it does not exit 0.
inline std::string enqueued_id(const RedisServer& redis, const std::vector<std::string>& args) {
  RunResult r = rqctl(redis, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return printed_id(r);
}

// `rqworker --burst` over `queues` with the built plugins, to completion.
inline RunResult run_burst_worker(const RedisServer& redis, const std::vector<std::string>& queues,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  std::vector<std::string> argv{rqworker_path(), "--burst",      "--url",
                                redis.url(),     "--plugin-dir", plugin_dir()};
  argv.insert(argv.end(), queues.begin(), queues.end());
  return run(argv, timeout);
}

// True when `err` is exactly one line starting with "rqctl: ".
inline bool is_one_error_line(const std::string& err) {
  return err.rfind("rqctl: ", 0) == 0 && err.size() > 8 && err.back() == '\n' &&
         err.find('\n') == err.size() - 1;
}

inline nlohmann::json parse_json_output(const RunResult& r) {
  return nlohmann::json::parse(r.out);
}

}  // namespace rqcpp::test
