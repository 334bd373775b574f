// rqctl suspend / resume / worker shutdown|kill-horse / job stop: control
// running workers (rqworker and Python RQ alike) through rq:suspended and
// the workers' pub/sub channels (docs/redis-layout.md 1.6, 1.7).
#include <iostream>
#include <optional>
#include <rqcpp/connection.hpp>
#include <rqcpp/worker_control.hpp>

#include "cli_error.hpp"
#include "command.hpp"

namespace po = boost::program_options;

namespace rqctl {

int run_suspend(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"suspend", "[--duration SECONDS]",
                  "Suspends all workers (RQ's `rq suspend`: SET rq:suspended 1): they finish\n"
                  "the job they run, then take no more (state \"suspended\") until `rqctl\n"
                  "resume`, or until --duration seconds have passed. Burst workers exit."};
  cmd.options.add_options()("duration", po::value<long long>(),
                            "end the suspension by itself after this many seconds (>= 1)");
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  std::optional<long long> duration;
  if (vm->count("duration")) {
    duration = (*vm)["duration"].as<long long>();
    if (*duration < 1) throw UsageError("suspend: --duration must be at least 1 second");
  }
  rqcpp::Connection conn = global.connect();
  rqcpp::suspend_workers(conn, duration);
  if (duration) {
    std::cout << "Suspending workers for " << *duration
              << " seconds. No new jobs will be started during that time.\n";
  } else {
    std::cout << "Suspending workers. No new jobs will be started. Run `rqctl resume` to "
                 "resume.\n";
  }
  return kExitOk;
}

int run_resume(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"resume", "",
                  "Ends a suspension (RQ's `rq resume`: DEL rq:suspended); workers take jobs\n"
                  "again within a second."};
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  rqcpp::Connection conn = global.connect();
  rqcpp::resume_workers(conn);
  std::cout << "Resuming workers.\n";
  return kExitOk;
}

int run_worker(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"worker", "shutdown|kill-horse NAME",
                  "Sends an RQ pub/sub command to worker NAME (rq:pubsub:NAME):\n"
                  "  shutdown    warm shutdown: the running job finishes, then the worker exits\n"
                  "  kill-horse  SIGKILL the work horse of the running job (the job fails)\n"
                  "Exits with 4 when no worker listens under NAME."};
  cmd.hidden.add_options()("action", po::value<std::string>())("name", po::value<std::string>());
  cmd.positional.add("action", 1).add("name", 1);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::string action = required_positional(*vm, "action", "shutdown|kill-horse", cmd);
  const std::string name = required_positional(*vm, "name", "NAME", cmd);
  if (action != "shutdown" && action != "kill-horse") {
    throw UsageError("worker: unknown action '" + action + "' (shutdown or kill-horse)");
  }
  rqcpp::Connection conn = global.connect();
  long long receivers = action == "shutdown" ? rqcpp::send_shutdown_command(conn, name)
                                             : rqcpp::send_kill_horse_command(conn, name);
  if (receivers == 0) {
    std::cerr << "rqctl: no worker is listening as " << name << '\n';
    return kExitNotFound;
  }
  std::cout << "sent " << action << " to worker " << name << '\n';
  return kExitOk;
}

int run_job_stop(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"job stop", "ID",
                  "Stops running job ID (RQ's send_stop_job_command): its worker kills the\n"
                  "work horse; the job becomes \"stopped\" and goes to the failed registry.\n"
                  "Exits with 4 when no job ID exists, 1 when it is not being run by a worker."};
  auto parsed = parse_job_id_command_line(cmd, global, args);
  if (!parsed) return kExitOk;
  const std::string& id = parsed->id;
  rqcpp::Connection conn = global.connect();
  if (rqcpp::send_stop_job_command(conn, id) == 0) {
    std::cerr << "rqctl: the worker running job " << id << " is not listening\n";
    return kExitFailure;
  }
  std::cout << "sent stop-job for " << id << '\n';
  return kExitOk;
}

}  // namespace rqctl
