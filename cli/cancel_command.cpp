// rqctl cancel: RQ's Job.cancel() through the core Job API.
#include <iostream>

#include <rqcpp/connection.hpp>
#include <rqcpp/job.hpp>

#include "cli_error.hpp"
#include "command.hpp"

namespace po = boost::program_options;

namespace rqctl {

int run_cancel(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{
      "cancel", "ID [--enqueue-dependents]",
      "Cancels job ID (RQ's Job.cancel): status canceled, removed from its queue and\n"
      "registry, added to the canceled registry. A running job is not interrupted;\n"
      "its worker then records no outcome. Dependents stay deferred unless\n"
      "--enqueue-dependents. Prints \"canceled ID\".\n"
      "Exits with 4 when no job ID exists, 1 when it is already canceled."};
  cmd.options.add_options()("enqueue-dependents", po::bool_switch(),
                            "enqueue dependents whose other dependencies are met");
  cmd.hidden.add_options()("id", po::value<std::string>());
  cmd.positional.add("id", 1);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const std::string id = required_positional(*vm, "id", "ID", cmd);

  rqcpp::Connection conn = rqcpp::Connection::open(global.url);
  rqcpp::Job job = rqcpp::Job::fetch(conn, id);
  job.cancel((*vm)["enqueue-dependents"].as<bool>());
  std::cout << "canceled " << id << '\n';
  return kExitOk;
}

}  // namespace rqctl
