// Worker registration, heartbeat and death; see worker_record.hpp.
#include "worker/worker_record.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rqcpp/connection.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"

namespace rqcpp {

namespace {

constexpr const char* kRqVersion = "1.13.0";  // the RQ format we speak

// How long a dead worker's hash stays (RQ's register_death: expire 60).
constexpr long long kDeathTtl = 60;

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// This connection's address as Redis sees it (the `addr=` of CLIENT LIST,
// which RQ stores), from the socket itself: CLIENT LIST is an admin
// command a locked-down user may not run (README, "Locked-down Redis").
// Behind NAT Redis would see another address; RQ's value is informational.
std::string own_address(Connection& conn, const std::string& name) {
  conn.command({"CLIENT", "SETNAME", name});  // refused for names with spaces: harmless
  if (!conn.url().unix_path.empty()) return conn.url().unix_path + ":0";
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(conn.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "unknown";
  char host[INET6_ADDRSTRLEN] = {};
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  } else {
    return "unknown";
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

WorkerRecord::WorkerRecord(std::string name, std::vector<std::string> queues,
                           std::string python_version, std::chrono::seconds idle_ttl)
    : name_(std::move(name)),
      key_(keys::worker(name_)),
      queues_(std::move(queues)),
      python_version_(std::move(python_version)),
      idle_ttl_(idle_ttl.count()) {}

std::vector<std::string> WorkerRecord::set_keys() const {
  std::vector<std::string> k{key_, std::string(keys::kWorkers)};
  for (const auto& q : queues_) k.push_back(keys::queue_workers(q));
  return k;
}

bool WorkerRecord::do_register(Connection& conn, const std::string& state,
                               const std::string& current_job) {
  return detail::ScriptCall()
             .str("worker", name_)
             .strs("queues", queues_)
             .str("birth", birth_)
             .str("pid", std::to_string(getpid()))
             .str("hostname", hostname())
             .str("ip_address", ip_address_)
             .str("version", kRqVersion)
             .str("python_version", python_version_)
             .integer("ttl", idle_ttl_)
             .str("state", state)
             .str("current_job", current_job)
             .run(conn, scripts::worker_register())
             .integer() == 1;
}

void WorkerRecord::register_birth(Connection& conn) {
  ip_address_ = own_address(conn, name_);
  birth_ = now_timestamp();
  if (!do_register(conn, "started", "")) {
    throw WorkerNameTaken("a live worker named '" + name_ + "' already exists (" + key_ +
                          " has no death field); choose another --name");
  }
}

void WorkerRecord::register_again(Connection& conn, const std::string& current_job) {
  ip_address_ = own_address(conn, name_);
  if (!do_register(conn, current_job.empty() ? "idle" : "busy", current_job)) {
    // Someone re-created the hash meanwhile; it is ours by name: take it over.
    conn.checked({"HSET", key_, "last_heartbeat", now_timestamp()});
  }
}

bool WorkerRecord::heartbeat(Connection& conn, const std::optional<BusyJob>& busy) {
  detail::ScriptCall call;
  call.str("worker", name_).str("ts", now_timestamp());
  if (!busy)
    return call.integer("ttl", idle_ttl_).run(conn, scripts::worker_heartbeat()).integer() == 1;
  char working[64];
  std::snprintf(working, sizeof working, "%.6f", busy->working_time);
  return call.integer("ttl", busy->ttl)
             .str("id", busy->id)
             .str("origin", busy->origin)
             .str("working_time", working)
             .integer("score", now_seconds() + busy->ttl)
             .run(conn, scripts::worker_heartbeat())
             .integer() == 1;
}

void WorkerRecord::shutdown_requested(Connection& conn) {
  conn.checked({"HSET", key_, "shutdown_requested_date", now_timestamp()});
}

void WorkerRecord::death(Connection& conn) {
  detail::ScriptCall()
      .str("worker", name_)
      .strs("queues", queues_)
      .str("ts", now_timestamp())
      .integer("ttl", kDeathTtl)
      .run(conn, scripts::worker_death());
}

}  // namespace rqcpp
