// rqctl info: queues with their job and registry counts, and workers, like
// `rq info`. Read-only: unlike `rq info` it does not clean registries.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/keys.hpp>
#include <rqcpp/registry.hpp>
#include <rqcpp/worker_info.hpp>
#include <set>

#include "cli_error.hpp"
#include "command.hpp"
#include "render.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

struct QueueRow {
  std::string name;
  long long queued = 0;
  std::array<long long, 6> registries{};
};

// Queue names registered in rq:queues (members without the rq:queue: prefix
// are not queues for RQ either and are skipped), sorted.
std::vector<std::string> registered_queues(rqcpp::Connection& conn) {
  std::vector<std::string> names;
  for (const std::string& key : conn.checked({"SMEMBERS", rqcpp::keys::kQueues}).strings()) {
    if (key.rfind(rqcpp::keys::kQueuePrefix, 0) == 0) {
      names.emplace_back(rqcpp::keys::strip(key, rqcpp::keys::kQueuePrefix));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

QueueRow queue_row(rqcpp::Connection& conn, const std::string& name) {
  QueueRow row;
  row.name = name;
  row.queued = conn.checked({"LLEN", rqcpp::keys::queue(name)}).integer();
  row.registries = rqcpp::registry_counts(conn, name);
  return row;
}

// Workers of the named queues (union of rq:workers:<q>) or, with no queue
// named, every worker in rq:workers.
std::vector<rqcpp::WorkerInfo> listed_workers(rqcpp::Connection& conn,
                                              const std::vector<std::string>& named_queues) {
  if (named_queues.empty()) return rqcpp::all_workers(conn);
  std::vector<rqcpp::WorkerInfo> out;
  std::set<std::string> seen;
  for (const std::string& q : named_queues) {
    for (rqcpp::WorkerInfo& w : rqcpp::queue_workers(conn, q)) {
      if (seen.insert(w.name).second) out.push_back(std::move(w));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Json worker_json(const rqcpp::WorkerInfo& w) {
  Json j;
  j["name"] = w.name;
  j["state"] = w.state.empty() ? Json(nullptr) : Json(w.state);
  j["queues"] = w.queues;
  j["current_job"] = w.current_job.empty() ? Json(nullptr) : Json(w.current_job);
  j["birth"] = timestamp_json(w.birth);
  j["last_heartbeat"] = timestamp_json(w.last_heartbeat);
  j["pid"] = w.pid ? Json(*w.pid) : Json(nullptr);
  j["hostname"] = w.hostname;
  j["ip_address"] = w.ip_address;
  j["version"] = w.version;
  j["python_version"] = w.python_version;
  j["successful_job_count"] = w.successful_job_count;
  j["failed_job_count"] = w.failed_job_count;
  j["total_working_time"] = w.total_working_time;
  return j;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

void print_text(const std::vector<QueueRow>& rows, const std::vector<rqcpp::WorkerInfo>& workers) {
  size_t width = 5;
  for (const QueueRow& r : rows) width = std::max(width, r.name.size());
  long long total = 0;
  std::cout << std::left << std::setw(static_cast<int>(width)) << "queue" << std::right
            << std::setw(8) << "queued";
  for (rqcpp::RegistryKind k : rqcpp::kAllRegistryKinds) {
    std::cout << std::setw(11) << rqcpp::to_string(k);
  }
  std::cout << '\n';
  for (const QueueRow& r : rows) {
    total += r.queued;
    std::cout << std::left << std::setw(static_cast<int>(width)) << r.name << std::right
              << std::setw(8) << r.queued;
    for (long long c : r.registries) std::cout << std::setw(11) << c;
    std::cout << '\n';
  }
  std::cout << rows.size() << " queues, " << total << " jobs total\n\n";

  // Same shape as `rq info`: name (hostname ip pid): state queues
  for (const rqcpp::WorkerInfo& w : workers) {
    std::cout << w.name << " (" << or_dash(w.hostname) << ' ' << or_dash(w.ip_address) << ' '
              << or_dash(w.pid) << "): " << (w.state.empty() ? "?" : w.state) << ' '
              << join(w.queues, ", ");
    if (!w.current_job.empty()) std::cout << " [job " << w.current_job << ']';
    std::cout << '\n';
  }
  std::cout << workers.size() << " workers, " << rows.size() << " queues\n";
}

}  // namespace

int run_info(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{
      "info", "[QUEUE...] [--json]",
      "Lists queues with the number of queued jobs and the size of each registry\n"
      "(started, finished, failed, deferred, scheduled, canceled), then workers with\n"
      "host, pid, state, queues and current job. Without QUEUE: every queue in\n"
      "rq:queues and every worker in rq:workers; with QUEUE...: those queues (registered\n"
      "or not) and the workers listening on them. Registry counts are what Redis holds\n"
      "now: unlike `rq info`, nothing is cleaned up or moved by this command (it is\n"
      "read-only). Expired entries (finished/failed past their TTL, started jobs of dead\n"
      "workers) are cleaned by rqworker's periodic maintenance, or by `rq info`."};
  cmd.json = true;
  cmd.hidden.add_options()("queue", po::value<std::vector<std::string>>());
  cmd.positional.add("queue", -1);

  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  std::vector<std::string> named;
  if (vm->count("queue")) named = (*vm)["queue"].as<std::vector<std::string>>();

  rqcpp::Connection conn = global.connect();
  const std::vector<std::string> names = named.empty() ? registered_queues(conn) : named;
  std::vector<QueueRow> rows;
  rows.reserve(names.size());
  for (const std::string& name : names) rows.push_back(queue_row(conn, name));
  const std::vector<rqcpp::WorkerInfo> workers = listed_workers(conn, named);

  if (!vm->count("json")) {
    print_text(rows, workers);
    return kExitOk;
  }
  Json out;
  out["queues"] = Json::array();
  for (const QueueRow& r : rows) {
    Json q;
    q["name"] = r.name;
    q["queued"] = r.queued;
    for (size_t i = 0; i < rqcpp::kAllRegistryKinds.size(); ++i) {
      q[std::string(rqcpp::to_string(rqcpp::kAllRegistryKinds[i]))] = r.registries[i];
    }
    out["queues"].push_back(q);
  }
  out["workers"] = Json::array();
  for (const rqcpp::WorkerInfo& w : workers) out["workers"].push_back(worker_json(w));
  print_json(out);
  return kExitOk;
}

}  // namespace rqctl
