// Parsing a worker command; see worker_command.hpp.
#include "worker/worker_command.hpp"

#include <nlohmann/json.hpp>

namespace rqcpp {

std::optional<WorkerCommand> parse_worker_command(std::string_view payload) {
  nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("command") || !j["command"].is_string()) return std::nullopt;
  std::string cmd = j["command"].get<std::string>();
  if (cmd == "shutdown") return WorkerCommand{WorkerCommand::Kind::kShutdown, ""};
  if (cmd == "kill-horse") return WorkerCommand{WorkerCommand::Kind::kKillHorse, ""};
  if (cmd == "stop-job" && j.contains("job_id") && j["job_id"].is_string()) {
    return WorkerCommand{WorkerCommand::Kind::kStopJob, j["job_id"].get<std::string>()};
  }
  return std::nullopt;
}

}  // namespace rqcpp
