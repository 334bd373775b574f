// Worker registration, heartbeat and death; see worker_record.hpp.
#include "worker/worker_record.hpp"

#include <unistd.h>

#include "rqcpp/connection.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_lua_sources.hpp"

namespace rqcpp {

namespace {

constexpr const char* kRqVersion = "1.13.0";  // the RQ format we speak

const Script& register_script() {
  static const Script s("worker_register", std::string(lua::worker_register));
  return s;
}
const Script& heartbeat_script() {
  static const Script s("worker_heartbeat", std::string(lua::worker_heartbeat));
  return s;
}
const Script& death_script() {
  static const Script s("worker_death", std::string(lua::worker_death));
  return s;
}

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(1, sep)) + p;
  return out;
}

// The `addr=` of this connection's CLIENT LIST line (what RQ stores).
std::string own_address(Connection& conn, const std::string& name) {
  conn.append({"CLIENT", "SETNAME", name});  // refused for names with spaces: harmless
  conn.append({"CLIENT", "ID"});
  std::vector<Reply> r = conn.replies();
  if (r.size() != 2 || r[1].type() != Reply::Type::kInteger) return "unknown";
  Reply line = conn.command({"CLIENT", "LIST", "ID", std::to_string(r[1].integer())});
  std::string_view text = line.str();
  size_t at = text.find("addr=");
  if (at == std::string_view::npos) return "unknown";
  text.remove_prefix(at + 5);
  return std::string(text.substr(0, text.find_first_of(" \n")));
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
  std::vector<std::string> args{
      birth_,     join(queues_, ','), std::to_string(getpid()),  hostname(), ip_address_,
      kRqVersion, python_version_,    std::to_string(idle_ttl_), state,      current_job};
  return conn.eval(register_script(), views(set_keys()), views(args)).integer() == 1;
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
  std::string ts = now_timestamp();
  if (!busy) {
    std::vector<std::string> k{key_};
    std::vector<std::string> a{ts, std::to_string(idle_ttl_)};
    return conn.eval(heartbeat_script(), views(k), views(a)).integer() == 1;
  }
  char working[64];
  std::snprintf(working, sizeof working, "%.6f", busy->working_time);
  std::vector<std::string> k{key_, keys::job(busy->id), keys::started(busy->origin)};
  std::vector<std::string> a{ts, std::to_string(busy->ttl), working,
                             std::to_string(now_seconds() + busy->ttl), busy->id};
  return conn.eval(heartbeat_script(), views(k), views(a)).integer() == 1;
}

void WorkerRecord::shutdown_requested(Connection& conn) {
  conn.checked({"HSET", key_, "shutdown_requested_date", now_timestamp()});
}

void WorkerRecord::death(Connection& conn) {
  std::vector<std::string> a{now_timestamp()};
  conn.eval(death_script(), views(set_keys()), views(a));
}

}  // namespace rqcpp
