// Input: the payload of a message on rq:pubsub:<worker> (anyone who can
// PUBLISH on Redis controls it), as CommandChannel hands it to
// parse_worker_command.
// Asserts: the parser never throws; a command it accepts, written back as
// the JSON RQ's send_command writes, parses to the same command.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_check.hpp"
#include "worker/worker_command.hpp"

using rqcpp::WorkerCommand;

namespace {

const char* command_name(WorkerCommand::Kind kind) {
  switch (kind) {
    case WorkerCommand::Kind::kShutdown:
      return "shutdown";
    case WorkerCommand::Kind::kKillHorse:
      return "kill-horse";
    case WorkerCommand::Kind::kStopJob:
      return "stop-job";
  }
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  std::optional<WorkerCommand> cmd;
  try {
    cmd = rqcpp::parse_worker_command(payload);
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  if (!cmd) return 0;
  nlohmann::json again = {{"command", command_name(cmd->kind)}};
  if (cmd->kind == WorkerCommand::Kind::kStopJob) again["job_id"] = cmd->job_id;
  // The job id came from a JSON string, so it is valid UTF-8 and dumps.
  auto back = rqcpp::parse_worker_command(again.dump());
  FUZZ_CHECK(back && back->kind == cmd->kind && back->job_id == cmd->job_id);
  return 0;
}
