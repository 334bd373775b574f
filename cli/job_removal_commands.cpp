// rqctl cancel / delete / requeue: the commands that take jobs out of the
// state they are in (RQ's Job.cancel(), Job.delete() and
// FailedJobRegistry.requeue / `rq requeue`), through the core Job and Queue
// API.
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/queue.hpp>

#include "cli_error.hpp"
#include "command.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

// A command about one job ID with one on/off option: what differs between
// cancel and delete.
struct JobSwitchCommand {
  const char* name;
  const char* usage;
  const char* description;
  const char* flag;
  const char* flag_help;
  int (*act)(rqcpp::Job& job, bool flag_given);
};

// Parses `c`'s command line, fetches the job (NoSuchJobError: exit 4) and
// returns what c.act returns.
int run_job_switch_command(const JobSwitchCommand& c, GlobalOptions& global,
                           const std::vector<std::string>& args) {
  CommandLine cmd{c.name, c.usage, c.description};
  cmd.options.add_options()(c.flag, po::bool_switch(), c.flag_help);
  auto parsed = parse_job_id_command_line(cmd, global, args);
  if (!parsed) return kExitOk;
  rqcpp::Connection conn = global.connect();
  // A job whose data does not decode can still be canceled or deleted.
  rqcpp::Job job = rqcpp::Job::fetch_readable(conn, parsed->id);
  return c.act(job, parsed->vm[c.flag].as<bool>());
}

const JobSwitchCommand kCancel{
    "cancel",
    "ID [--enqueue-dependents]",
    "Cancels job ID (RQ's Job.cancel): status canceled, removed from its queue and\n"
    "registry, added to the canceled registry. A running job is not interrupted;\n"
    "its worker then records no outcome. Dependents stay deferred unless\n"
    "--enqueue-dependents. Prints \"canceled ID\".\n"
    "Exits with 4 when no job ID exists, 1 when it is already canceled.",
    "enqueue-dependents",
    "enqueue dependents whose other dependencies are met",
    [](rqcpp::Job& job, bool enqueue_dependents) -> int {
      job.cancel(enqueue_dependents);
      std::cout << "canceled " << job.id() << '\n';
      return kExitOk;
    }};

const JobSwitchCommand kDelete{
    "delete",
    "ID [--dependents]",
    "Deletes job ID (RQ's Job.delete): removes it from its queue and registry and\n"
    "deletes its hash and dependency sets (its results stream is kept, as RQ).\n"
    "With --dependents, its direct dependents are deleted first the same way.\n"
    "Prints \"deleted N job(s)\". Exits with 4 when no job ID exists.",
    "dependents",
    "also delete the jobs that depend on ID",
    [](rqcpp::Job& job, bool dependents) -> int {
      std::cout << "deleted " << job.remove(dependents) << " job(s)\n";
      return kExitOk;
    }};

}  // namespace

int run_cancel(GlobalOptions& global, const std::vector<std::string>& args) {
  return run_job_switch_command(kCancel, global, args);
}

int run_delete(GlobalOptions& global, const std::vector<std::string>& args) {
  return run_job_switch_command(kDelete, global, args);
}

int run_requeue(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"requeue", "QUEUE (ID... | --all) [--at-front]",
                  "Moves failed jobs of QUEUE's failed registry back onto QUEUE (status queued,\n"
                  "started_at/ended_at and exc_info cleared), each atomically: the given IDs, or\n"
                  "with --all every job of the registry. Prints \"requeued N job(s)\".\n"
                  "IDs that cannot be requeued are skipped, the others are requeued; then the\n"
                  "command exits with 4 when each skipped ID has no job, else 1 (an ID not in\n"
                  "QUEUE's failed registry), naming the skipped IDs."};
  cmd.options.add_options()                                                       //
      ("all", po::bool_switch(), "requeue every job of QUEUE's failed registry")  //
      ("at-front", po::bool_switch(), "put the jobs at the front of the queue");
  cmd.hidden.add_options()                 //
      ("queue", po::value<std::string>())  //
      ("id", po::value<std::vector<std::string>>());
  cmd.positional.add("queue", 1).add("id", -1);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::string queue_name = required_positional(*vm, "queue", "QUEUE", cmd);
  const bool all = (*vm)["all"].as<bool>();
  const bool at_front = (*vm)["at-front"].as<bool>();
  std::vector<std::string> ids;
  if (vm->count("id")) ids = (*vm)["id"].as<std::vector<std::string>>();
  if (all == !ids.empty()) throw UsageError("requeue: give job IDs or --all, not both or neither");

  rqcpp::Connection conn = global.connect();
  rqcpp::Queue queue(conn, queue_name);
  if (all) {
    std::cout << "requeued " << queue.requeue_all_failed(at_front) << " job(s)\n";
    return kExitOk;
  }
  long long done = 0;
  std::string missing, not_failed;
  for (const std::string& id : ids) {
    try {
      queue.requeue_failed(id, at_front);
      ++done;
    } catch (const rqcpp::NoSuchJobError&) {
      missing += (missing.empty() ? "" : ", ") + id;
    } catch (const rqcpp::InvalidJobOperation&) {
      not_failed += (not_failed.empty() ? "" : ", ") + id;
    }
  }
  std::cout << "requeued " << done << " job(s)" << std::endl;
  if (missing.empty() && not_failed.empty()) return kExitOk;
  std::string message = "requeue: skipped";
  if (!not_failed.empty())
    message += " (not in failed registry of " + queue_name + "): " + not_failed;
  if (!missing.empty())
    message += std::string(not_failed.empty() ? "" : ";") + " (no such job): " + missing;
  std::cerr << "rqctl: " << message << std::endl;
  return not_failed.empty() ? kExitNotFound : kExitFailure;
}

}  // namespace rqctl
