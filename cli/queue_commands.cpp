// rqctl empty / delete-queue: the two commands that remove a queue's jobs
// (RQ's Queue.empty() and Queue.delete()).
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/queue.hpp>

#include "cli_error.hpp"
#include "command.hpp"
#include "render.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

std::vector<std::string> queue_names(const po::variables_map& vm, const CommandLine& cmd) {
  if (!vm.count("queue")) {
    throw UsageError(std::string(cmd.name) + ": missing QUEUE (usage: rqctl " + cmd.name + ' ' +
                     cmd.usage + ")");
  }
  return vm["queue"].as<std::vector<std::string>>();
}

void add_queue_positional(CommandLine& cmd) {
  cmd.json = true;
  cmd.hidden.add_options()("queue", po::value<std::vector<std::string>>());
  cmd.positional.add("queue", -1);
}

}  // namespace

int run_empty(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"empty", "QUEUE... [--json]",
                  "Removes every job waiting in each QUEUE and deletes those jobs' hashes\n"
                  "(RQ's Queue.empty()). Registries, results and the queue itself stay.\n"
                  "Prints how many jobs were removed per queue."};
  add_queue_positional(cmd);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::vector<std::string> names = queue_names(*vm, cmd);

  rqcpp::Connection conn = global.connect();
  Json out = Json::array();
  for (const std::string& name : names) {
    rqcpp::Queue queue(conn, name);
    const long long removed = queue.empty();
    out.push_back({{"queue", name}, {"removed", removed}});
    if (!vm->count("json")) std::cout << removed << " jobs removed from queue " << name << '\n';
  }
  if (vm->count("json")) print_json(out);
  return kExitOk;
}

int run_delete_queue(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"delete-queue", "QUEUE... [--keep-jobs] [--json]",
                  "Deletes each QUEUE (RQ's Queue.delete()): removes its waiting jobs and their\n"
                  "hashes, the queue list and its rq:queues entry. Registries and results are\n"
                  "left as RQ leaves them. With --keep-jobs the job hashes are kept."};
  cmd.options.add_options()("keep-jobs", po::bool_switch(),
                            "keep the hashes of the jobs that were waiting");
  add_queue_positional(cmd);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::vector<std::string> names = queue_names(*vm, cmd);
  const bool keep_jobs = (*vm)["keep-jobs"].as<bool>();

  rqcpp::Connection conn = global.connect();
  Json out = Json::array();
  for (const std::string& name : names) {
    rqcpp::Queue queue(conn, name);
    const long long removed = keep_jobs ? queue.count() : queue.empty();
    queue.remove(/*delete_jobs=*/false);
    out.push_back({{"queue", name}, {"removed", removed}});
    if (!vm->count("json")) {
      std::cout << "Deleted queue " << name << " (" << removed << " jobs "
                << (keep_jobs ? "dropped, hashes kept" : "removed") << ")\n";
    }
  }
  if (vm->count("json")) print_json(out);
  return kExitOk;
}

}  // namespace rqctl
