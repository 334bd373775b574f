// rqctl job: everything about one job (hash, call, result or failure).
#include <chrono>
#include <iomanip>
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/job.hpp>
#include <sstream>

#include "cli_error.hpp"
#include "command.hpp"
#include "render.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

const char* result_type_name(rqcpp::JobResult::Type type) {
  switch (type) {
    case rqcpp::JobResult::Type::kSuccessful:
      return "successful";
    case rqcpp::JobResult::Type::kFailed:
      return "failed";
    case rqcpp::JobResult::Type::kStopped:
      return "stopped";
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

// A value that cannot be shown (nested too deep, malformed) becomes the
// reason, so the rest of the job is still shown.
Json shown(std::string_view msgpack) {
  try {
    return msgpack_json(msgpack);
  } catch (const rqcpp::DecodeError& e) {
    return std::string("(cannot be shown: ") + e.what() + ")";
  }
}

Json job_json(const rqcpp::Job& job) {
  Json out;
  const auto status = job.status();
  out["id"] = job.id();
  out["status"] = status ? Json(std::string(rqcpp::to_string(*status))) : nullptr;
  out["origin"] = job.origin();
  out["func_name"] = job.func_name();
  out["data_error"] = job.data_error().empty() ? Json(nullptr) : Json(job.data_error());
  out["args"] = shown(job.args());
  out["kwargs"] = shown(job.kwargs());
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
  // Why a deferred job waits: each dependency's current status.
  out["dependencies"] = Json::array();
  for (const rqcpp::DependencyState& d : job.dependencies_status()) {
    out["dependencies"].push_back(
        {{"id", d.id},
         {"status", d.status ? Json(std::string(rqcpp::to_string(*d.status))) : Json(nullptr)},
         {"met", d.met}});
  }
  out["meta"] = shown(job.meta());

  // The newest execution decides what is shown, as Python RQ's
  // latest_result(); exc_info also covers failures recorded only in the hash
  // (abandoned jobs).
  const std::optional<rqcpp::JobResult> latest = job.latest_result();
  out["result_type"] = latest ? Json(result_type_name(latest->type)) : nullptr;
  out["result"] = (latest && latest->value) ? shown(*latest->value) : Json(nullptr);
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
  if (!j["data_error"].is_null()) line("data", "does not decode: " + text(j["data_error"]));
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
  if (j["status"] == "deferred") {
    for (const Json& d : j["dependencies"]) {
      const std::string status = d["status"].is_null() ? "gone" : d["status"].get<std::string>();
      std::cout << "  waits for:   " << d["id"].get<std::string>() << " (" << status << ", "
                << (d["met"].get<bool>() ? "met" : "not met") << ")\n";
    }
  }
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
      "job", "ID [--wait [--timeout S]] [--json]",
      "Shows job ID: status, queue (origin), function, args and kwargs (as JSON),\n"
      "description, timestamps, the worker that ran it, its TTLs, dependencies, meta,\n"
      "and the result of a successful run or the error (exc_info) of a failed one.\n"
      "A deferred job also lists each dependency with its status and whether it is met\n"
      "(\"waits for:\" lines; \"dependencies\" in --json). A job whose data does not\n"
      "decode is shown with the reason (\"data:\"; \"data_error\" in --json) and the\n"
      "rest of its fields.\n"
      "With --wait, first blocks until the job has an outcome (or --timeout S passes),\n"
      "then shows it; exit codes: 0 finished, 5 failed, stopped, canceled or deleted\n"
      "while waiting, 6 timeout (the job is shown as it is). Exits with 4 when no job\n"
      "ID exists."};
  cmd.json = true;
  cmd.options.add_options()                                                    //
      ("wait", po::bool_switch(), "wait for the job to finish, fail or stop")  //
      ("timeout", po::value<std::string>()->value_name("S"),
       "with --wait: give up after S seconds (10s, 5m...; default: no limit)");
  auto parsed = parse_job_id_command_line(cmd, global, args);
  if (!parsed) return kExitOk;
  const po::variables_map& vm = parsed->vm;
  const std::string& id = parsed->id;

  const bool wait = vm["wait"].as<bool>();
  if (vm.count("timeout") && !wait) throw UsageError("job: --timeout needs --wait");
  std::chrono::milliseconds timeout = std::chrono::hours(24 * 365 * 10);
  if (vm.count("timeout")) {
    const std::string text = vm["timeout"].as<std::string>();
    long long seconds = 0;
    try {
      seconds = rqcpp::parse_duration(text);
    } catch (const std::exception& e) {
      throw UsageError(std::string("--timeout: ") + e.what());
    }
    timeout = std::chrono::seconds(seconds);
  }

  rqcpp::Connection conn = global.connect();
  // Whatever a producer wrote into `data`, the rest of the job is shown.
  rqcpp::Job job = rqcpp::Job::fetch_readable(conn, id);
  int code = kExitOk;
  std::string problem;
  if (wait) {
    const std::optional<rqcpp::JobResult> outcome = job.wait(timeout);
    std::optional<rqcpp::Job> now;
    try {
      now = rqcpp::Job::fetch_readable(conn, id);
    } catch (const rqcpp::NoSuchJobError&) {
      // deleted meanwhile: said below
    }
    if (!now) {
      std::cerr << "rqctl: job " << id << " ended without a kept outcome (deleted, or result_ttl 0)"
                << std::endl;
      return kExitJobFailed;
    }
    job = std::move(*now);
    const auto status = job.status();
    if (outcome) {
      if (outcome->type != rqcpp::JobResult::Type::kSuccessful) {
        code = kExitJobFailed;
        problem = std::string("job ") + id + " " +
                  (outcome->type == rqcpp::JobResult::Type::kStopped ? "was stopped" : "failed");
      }
    } else if (status == rqcpp::JobStatus::kCanceled) {
      code = kExitJobFailed;
      problem = "job " + id + " was canceled";
    } else if (status != rqcpp::JobStatus::kFinished) {
      code = kExitTimeout;
      problem = "job " + id + ": timed out waiting (status " +
                (status ? std::string(rqcpp::to_string(*status)) : std::string("unknown")) + ")";
    }
  }
  const Json j = job_json(job);
  if (vm.count("json")) {
    print_json(j);
  } else {
    print_text(j);
  }
  if (!problem.empty()) std::cerr << "rqctl: " << problem << std::endl;
  return code;
}

}  // namespace rqctl
