// rqctl job: everything about one job (hash, call, result or failure).
#include <iomanip>
#include <iostream>
#include <sstream>

#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>

#include "cli_error.hpp"
#include "command.hpp"
#include "render.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

const char* result_type_name(rqcpp::JobResult::Type type) {
  switch (type) {
    case rqcpp::JobResult::Type::kSuccessful: return "successful";
    case rqcpp::JobResult::Type::kFailed: return "failed";
    case rqcpp::JobResult::Type::kStopped: return "stopped";
  }
  return "unknown";
}

std::string compact(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json optional_json(const std::optional<long long>& value) {
  if (!value) return nullptr;
  return *value;
}

Json job_json(const rqcpp::Job& job) {
  Json out;
  const auto status = job.status();
  out["id"] = job.id();
  out["status"] = status ? Json(std::string(rqcpp::to_string(*status))) : nullptr;
  out["origin"] = job.origin();
  out["func_name"] = job.func_name();
  out["args"] = msgpack_json(job.args());
  out["kwargs"] = msgpack_json(job.kwargs());
  out["description"] = job.description();
  out["serializer"] = job.serializer() == rqcpp::Serializer::kJson ? "json" : "msgpack";
  out["created_at"] = timestamp_json(job.created_at());
  out["enqueued_at"] = timestamp_json(job.enqueued_at());
  out["started_at"] = timestamp_json(job.started_at());
  out["ended_at"] = timestamp_json(job.ended_at());
  const std::string worker = job.worker_name();
  out["worker_name"] = worker.empty() ? Json(nullptr) : Json(worker);
  out["timeout"] = optional_json(job.timeout());
  out["result_ttl"] = optional_json(job.result_ttl());
  out["failure_ttl"] = optional_json(job.failure_ttl());
  out["ttl"] = optional_json(job.ttl());
  out["dependency_ids"] = job.dependency_ids();
  out["meta"] = msgpack_json(job.meta());

  // The newest execution decides what is shown, as Python RQ's
  // latest_result(); exc_info also covers failures recorded only in the hash
  // (abandoned jobs).
  const std::optional<rqcpp::JobResult> latest = job.latest_result();
  out["result_type"] = latest ? Json(result_type_name(latest->type)) : nullptr;
  out["result"] = (latest && latest->value) ? msgpack_json(*latest->value) : Json(nullptr);
  const std::optional<std::string> exc = job.exc_info();
  out["exc_info"] = exc ? Json(*exc) : nullptr;
  return out;
}

void print_text(const Json& j) {
  auto text = [](const Json& v) -> std::string {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
    return compact(v);
  };
  std::ostringstream deps;
  for (size_t i = 0; i < j["dependency_ids"].size(); ++i) {
    deps << (i ? ", " : "") << j["dependency_ids"][i].get<std::string>();
  }
  std::cout << "Job " << j["id"].get<std::string>() << '\n';
  auto line = [](const char* key, const std::string& value) {
    std::cout << "  " << std::left << std::setw(13) << (std::string(key) + ":") << value << '\n';
  };
  line("status", text(j["status"]));
  line("origin", text(j["origin"]));
  line("function", text(j["func_name"]));
  line("args", compact(j["args"]));
  line("kwargs", compact(j["kwargs"]));
  line("description", text(j["description"]));
  line("created_at", text(j["created_at"]));
  line("enqueued_at", text(j["enqueued_at"]));
  line("started_at", text(j["started_at"]));
  line("ended_at", text(j["ended_at"]));
  line("worker", text(j["worker_name"]));
  line("timeout", text(j["timeout"]));
  line("result_ttl", text(j["result_ttl"]));
  line("failure_ttl", text(j["failure_ttl"]));
  line("ttl", text(j["ttl"]));
  line("depends_on", deps.str().empty() ? "-" : deps.str());
  line("meta", compact(j["meta"]));
  if (j["result_type"] == "successful") {
    // A successful job whose function returned nothing has no value: None.
    line("result", j["result"].is_null() ? "None" : compact(j["result"]));
  } else {
    line("result", "-");
  }
  if (j["exc_info"].is_null()) {
    line("exc_info", "-");
  } else {
    std::cout << "  exc_info:\n";
    std::istringstream lines(j["exc_info"].get<std::string>());
    for (std::string l; std::getline(lines, l);) std::cout << "    " << l << '\n';
  }
}

}  // namespace

int run_job(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{
      "job", "ID [--json]",
      "Shows job ID: status, queue (origin), function, args and kwargs (as JSON),\n"
      "description, timestamps, the worker that ran it, its TTLs, dependencies, meta,\n"
      "and the result of a successful run or the error (exc_info) of a failed one.\n"
      "Exits with 4 when no job ID exists."};
  cmd.json = true;
  cmd.hidden.add_options()("id", po::value<std::string>());
  cmd.positional.add("id", 1);

  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::string id = required_positional(*vm, "id", "ID", cmd);

  rqcpp::Connection conn = rqcpp::Connection::open(global.url);
  const rqcpp::Job job = rqcpp::Job::fetch(conn, id);
  const Json j = job_json(job);
  if (vm->count("json")) {
    print_json(j);
  } else {
    print_text(j);
  }
  return kExitOk;
}

}  // namespace rqctl
