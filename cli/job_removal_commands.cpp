// rqctl cancel / delete / requeue: the commands that take jobs out of the
// state they are in (RQ's Job.cancel(), Job.delete() and
// FailedJobRegistry.requeue / `rq requeue`), through the core Job and Queue
// API.
#include <functional>
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

// Parses a command about one job ID, fetches the job (NoSuchJobError: exit
// 4) and returns what `act` returns.
int run_on_job(CommandLine& cmd, GlobalOptions& global, const std::vector<std::string>& args,
               const std::function<int(rqcpp::Job&, const po::variables_map&)>& act) {
  auto parsed = parse_job_id_command_line(cmd, global, args);
  if (!parsed) return kExitOk;
  rqcpp::Connection conn = rqcpp::Connection::open(global.url);
  rqcpp::Job job = rqcpp::Job::fetch(conn, parsed->id);
  return act(job, parsed->vm);
}

}  // namespace

int run_cancel(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"cancel", "ID [--enqueue-dependents]",
                  "Cancels job ID (RQ's Job.cancel): status canceled, removed from its queue and\n"
                  "registry, added to the canceled registry. A running job is not interrupted;\n"
                  "its worker then records no outcome. Dependents stay deferred unless\n"
                  "--enqueue-dependents. Prints \"canceled ID\".\n"
                  "Exits with 4 when no job ID exists, 1 when it is already canceled."};
  cmd.options.add_options()("enqueue-dependents", po::bool_switch(),
                            "enqueue dependents whose other dependencies are met");
  return run_on_job(cmd, global, args, [](rqcpp::Job& job, const po::variables_map& vm) {
    job.cancel(vm["enqueue-dependents"].as<bool>());
    std::cout << "canceled " << job.id() << '\n';
    return kExitOk;
  });
}

int run_delete(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"delete", "ID [--dependents]",
                  "Deletes job ID (RQ's Job.delete): removes it from its queue and registry and\n"
                  "deletes its hash and dependency sets (its results stream is kept, as RQ).\n"
                  "With --dependents, its direct dependents are deleted first the same way.\n"
                  "Prints \"deleted N job(s)\". Exits with 4 when no job ID exists."};
  cmd.options.add_options()("dependents", po::bool_switch(),
                            "also delete the jobs that depend on ID");
  return run_on_job(cmd, global, args, [](rqcpp::Job& job, const po::variables_map& vm) {
    std::cout << "deleted " << job.remove(vm["dependents"].as<bool>()) << " job(s)\n";
    return kExitOk;
  });
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

  rqcpp::Connection conn = rqcpp::Connection::open(global.url);
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
