// Reading worker hashes; see worker_info.hpp. Parsing is lenient on purpose:
// a listing must survive one worker with an odd field, so bad numbers and
// timestamps become "absent" rather than errors.
#include "rqcpp/worker_info.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {

namespace {

std::optional<long long> parse_integer(std::string_view text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

double parse_float(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return (end == text.c_str()) ? 0.0 : value;
}

std::vector<std::string> split_queues(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

void sort_by_name(std::vector<WorkerInfo>& workers) {
  std::sort(workers.begin(), workers.end(),
            [](const WorkerInfo& a, const WorkerInfo& b) { return a.name < b.name; });
}

// SMEMBERS `set_key`, then HGETALL of every member in one pipeline; members
// whose hash is gone (empty HGETALL) are skipped.
std::vector<WorkerInfo> workers_in_set(Connection& conn, std::string_view set_key) {
  std::vector<std::string> members = conn.checked({"SMEMBERS", set_key}).strings();
  if (members.empty()) return {};
  for (const std::string& key : members) conn.append({"HGETALL", key});
  std::vector<Reply> replies = conn.replies();
  std::vector<WorkerInfo> out;
  for (size_t i = 0; i < members.size() && i < replies.size(); ++i) {
    if (replies[i].is_error()) {
      throw RedisError("HGETALL " + members[i] + " failed: " + std::string(replies[i].str()));
    }
    std::vector<std::string> pairs = replies[i].strings();
    if (pairs.empty()) continue;
    out.push_back(parse_worker_info(members[i], pairs));
  }
  sort_by_name(out);
  return out;
}

}  // namespace

WorkerInfo parse_worker_info(std::string_view key, const std::vector<std::string>& pairs) {
  WorkerInfo w;
  w.key = std::string(key);
  w.name = std::string(keys::strip(key, keys::kWorkerPrefix));
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    const std::string& field = pairs[i];
    const std::string& value = pairs[i + 1];
    if (field == "state") {
      w.state = value;
    } else if (field == "queues") {
      w.queues = split_queues(value);
    } else if (field == "current_job") {
      w.current_job = value;
    } else if (field == "birth") {
      w.birth = parse_timestamp(value);
    } else if (field == "last_heartbeat") {
      w.last_heartbeat = parse_timestamp(value);
    } else if (field == "death") {
      w.death = parse_timestamp(value);
    } else if (field == "shutdown_requested_date") {
      w.shutdown_requested_date = parse_timestamp(value);
    } else if (field == "pid") {
      w.pid = parse_integer(value);
    } else if (field == "hostname") {
      w.hostname = value;
    } else if (field == "ip_address") {
      w.ip_address = value;
    } else if (field == "version") {
      w.version = value;
    } else if (field == "python_version") {
      w.python_version = value;
    } else if (field == "successful_job_count") {
      w.successful_job_count = parse_integer(value).value_or(0);
    } else if (field == "failed_job_count") {
      w.failed_job_count = parse_integer(value).value_or(0);
    } else if (field == "total_working_time") {
      w.total_working_time = parse_float(value);
    } else if (field == "current_job_working_time") {
      w.current_job_working_time = parse_float(value);
    }
  }
  return w;
}

std::vector<WorkerInfo> all_workers(Connection& conn) {
  return workers_in_set(conn, keys::kWorkers);
}

std::vector<WorkerInfo> queue_workers(Connection& conn, std::string_view queue) {
  return workers_in_set(conn, keys::queue_workers(queue));
}

std::optional<WorkerInfo> find_worker(Connection& conn, std::string_view name) {
  const std::string key = keys::worker(name);
  std::vector<std::string> pairs = conn.checked({"HGETALL", key}).strings();
  if (pairs.empty()) return std::nullopt;
  return parse_worker_info(key, pairs);
}

}  // namespace rqcpp
