// The rqworker engine: registers a worker in Redis the way RQ 1.13 does, runs
// jobs from its queues in forked work horses, and records every outcome
// (rq-wire-format.md 1.5, 1.6, 3.4-3.13; docs/design.md "hot path" and
// "zero-loss hand-over").
//
// Single-threaded. It installs handlers for SIGTERM, SIGINT and SIGCHLD while
// run() executes: the first SIGTERM/SIGINT (or a "shutdown" pub/sub command)
// is a warm shutdown (the running job finishes, then the worker dies), a
// second one a cold shutdown (the horse is SIGKILLed and its job fails "Job
// stopped by shutdown").
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "rqcpp/error.hpp"

namespace rqcpp {

// A live worker (its hash has no `death` field) already uses the name.
class WorkerNameTaken : public Error {
 public:
  using Error::Error;
};

struct WorkerOptions {
  std::string redis_url;            // redis://... or unix://...
  std::vector<std::string> queues;  // priority order; at least one
  std::string plugin_dir;           // where lib<name>.so plugins live
  std::string name;                 // empty: uuid4 hex
  bool burst = false;               // exit once the queues are empty
  // Heartbeat period while busy (and idle); RQ's job_monitoring_interval.
  std::chrono::seconds job_monitoring_interval{30};
  long long default_result_ttl = 500;  // for jobs without result_ttl
  // Written to the worker hash's python_version field.
  std::string version_text = "rqcpp (C++)";
};

// What a run did, for the caller's summary line and tests.
struct WorkerStats {
  long long jobs_finished = 0;
  long long jobs_failed = 0;
  // Successful Redis calls of the worker process (one round trip each; the
  // SCRIPT LOAD after a NOSCRIPT and failed attempts are not counted).
  long long redis_calls = 0;
};

class Worker {
 public:
  // Validates options; throws std::invalid_argument for an empty queue list,
  // a queue name that is empty or contains ',', or an interval below 1 s;
  // UrlError for a bad URL. Nothing touches Redis yet.
  explicit Worker(WorkerOptions options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The worker name (generated when the options had none).
  const std::string& name() const;

  // Connects, registers, works until the queues are empty (burst) or a
  // shutdown, then records its death. Throws RedisError when Redis cannot be
  // reached at start, WorkerNameTaken when a live worker already has the
  // name. Once registered, Redis outages are waited out (with the
  // result of a running job kept until it can be written), not thrown.
  WorkerStats run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rqcpp
