// Suspension and pub/sub worker commands (docs/redis-layout.md 1.6, 1.7).
#include "rqcpp/worker_control.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {
namespace {

// Python's json.dumps(obj) separators: ", " and ": ". nlohmann's compact
// dump has none, so the objects are small enough to spell out.
std::string python_json(const std::string& command, const std::string* job_id) {
  std::string out = "{\"command\": " + nlohmann::json(command).dump();
  if (job_id) out += ", \"job_id\": " + nlohmann::json(*job_id).dump();
  return out + "}";
}

long long publish(Connection& conn, const std::string& worker, const std::string& payload) {
  return conn.checked({"PUBLISH", keys::worker_channel(worker), payload}).integer();
}

}  // namespace

void suspend_workers(Connection& conn, std::optional<long long> seconds) {
  if (seconds && *seconds < 1) throw std::invalid_argument("suspend duration must be >= 1 s");
  const std::string key(keys::kSuspended);
  if (seconds) {
    conn.checked({"SET", key, "1", "EX", std::to_string(*seconds)});
  } else {
    conn.checked({"SET", key, "1"});
  }
}

void resume_workers(Connection& conn) {
  conn.checked({"DEL", std::string(keys::kSuspended)});
}

bool workers_suspended(Connection& conn) {
  return conn.checked({"EXISTS", std::string(keys::kSuspended)}).integer() == 1;
}

long long send_shutdown_command(Connection& conn, const std::string& worker_name) {
  return publish(conn, worker_name, python_json("shutdown", nullptr));
}

long long send_kill_horse_command(Connection& conn, const std::string& worker_name) {
  return publish(conn, worker_name, python_json("kill-horse", nullptr));
}

long long send_stop_job_command(Connection& conn, const std::string& job_id) {
  const std::string key = keys::job(job_id);
  if (conn.checked({"EXISTS", key}).integer() == 0) {
    throw NoSuchJobError("No such job: " + job_id);
  }
  Reply r = conn.checked({"HGET", key, "worker_name"});
  std::string worker = r.is_nil() ? std::string() : std::string(r.str());
  if (worker.empty()) {
    throw InvalidJobOperation("job " + job_id + " is not being executed by any worker");
  }
  return publish(conn, worker, python_json("stop-job", &job_id));
}

}  // namespace rqcpp
