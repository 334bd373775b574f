// rqctl delete: RQ's Job.delete() through the core Job API.
#include <iostream>

#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>

#include "cli_error.hpp"
#include "command.hpp"

namespace po = boost::program_options;

namespace rqctl {

int run_delete(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{
      "delete", "ID [--dependents]",
      "Deletes job ID (RQ's Job.delete): removes it from its queue and registry and\n"
      "deletes its hash and dependency sets (its results stream is kept, as RQ).\n"
      "With --dependents, its direct dependents are deleted first the same way.\n"
      "Prints \"deleted N job(s)\". Exits with 4 when no job ID exists."};
  cmd.options.add_options()("dependents", po::bool_switch(), "also delete the jobs that depend on ID");
  cmd.hidden.add_options()("id", po::value<std::string>());
  cmd.positional.add("id", 1);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::string id = required_positional(*vm, "id", "ID", cmd);

  rqcpp::Connection conn = rqcpp::Connection::open(global.url);
  rqcpp::Job job = rqcpp::Job::fetch(conn, id);
  const long long n = job.remove((*vm)["dependents"].as<bool>());
  std::cout << "deleted " << n << " job(s)\n";
  return kExitOk;
}

}  // namespace rqctl
