// One of RQ's worker commands (docs/redis-layout.md 1.6) and its parser: the
// JSON payload of a message on rq:pubsub:<worker>, which anyone with access to
// Redis can publish. Apart from CommandChannel so that the fuzz target
// tests/fuzz/worker_command_fuzz.cpp can call the parser without a connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rqcpp {

struct WorkerCommand {
  enum class Kind { kShutdown, kKillHorse, kStopJob };
  Kind kind;
  std::string job_id;  // kStopJob only
};

// {"command": "shutdown" | "kill-horse" | "stop-job", "job_id": "..."}.
// nullopt for anything else (not JSON, not an object, unknown command,
// stop-job without a string job_id); never throws beyond bad_alloc.
std::optional<WorkerCommand> parse_worker_command(std::string_view payload);

}  // namespace rqcpp
