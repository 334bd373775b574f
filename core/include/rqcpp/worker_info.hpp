// Reading worker records (rq:worker:<w>, docs/redis-layout.md section 1.5), the
// way Python RQ's Worker.all() / Worker.find_by_key() see them. Read-only: this
// file never writes to Redis (unlike RQ, which SREMs keys whose hash is gone;
// stale members are simply skipped here). Writing worker records is the worker
// runtime's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rqcpp/timestamp.hpp"

namespace rqcpp {

class Connection;

// A snapshot of one worker hash. Fields the hash does not have (or that are
// malformed, e.g. a non-numeric pid) are empty / nullopt / 0 instead of
// failing the read, so one odd worker cannot break a listing.
struct WorkerInfo {
  std::string name;  // the key without "rq:worker:"
  std::string key;   // rq:worker:<name>

  std::string state;                // "started", "idle", "busy", "suspended", or "" when absent
  std::vector<std::string> queues;  // priority order (field "queues" split on ',')
  std::string current_job;          // job id, "" when idle

  std::optional<Clock::time_point> birth;
  std::optional<Clock::time_point> last_heartbeat;
  std::optional<Clock::time_point> death;  // set once the worker has shut down
  std::optional<Clock::time_point> shutdown_requested_date;

  std::optional<long long> pid;
  std::string hostname;
  std::string ip_address;
  std::string version;         // RQ version the worker claims ("1.13.0")
  std::string python_version;  // free text; rqworker writes its own build string

  long long successful_job_count = 0;
  long long failed_job_count = 0;
  double total_working_time = 0;        // seconds
  double current_job_working_time = 0;  // seconds
};

// Builds a WorkerInfo from the flat field/value pairs of HGETALL. Never throws
// (malformed fields are left empty, see WorkerInfo).
WorkerInfo parse_worker_info(std::string_view key, const std::vector<std::string>& hgetall_pairs);

// Every worker registered in rq:workers whose hash still exists (RQ's
// Worker.all()), sorted by name. Two round trips (SMEMBERS, then one pipeline
// of HGETALLs). Throws RedisError when Redis fails.
std::vector<WorkerInfo> all_workers(Connection& conn);

// Workers registered for one queue (rq:workers:<queue>, RQ's
// Worker.all(queue=...)) whose hash still exists, sorted by name. Throws
// RedisError.
std::vector<WorkerInfo> queue_workers(Connection& conn, std::string_view queue);

// The worker named `name` (HGETALL rq:worker:<name>), or nullopt when its hash
// does not exist. Throws RedisError.
std::optional<WorkerInfo> find_worker(Connection& conn, std::string_view name);

}  // namespace rqcpp
