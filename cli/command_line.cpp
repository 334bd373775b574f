// Subcommand option parsing shared by every rqctl command; see command.hpp.
#include <iostream>
#include <rqcpp/defaults.hpp>
#include <rqcpp/redis_password.hpp>

#include "cli_error.hpp"
#include "command.hpp"

namespace po = boost::program_options;

namespace rqctl {

namespace {

void print_help(const CommandLine& cmd) {
  std::cout << "Usage: rqctl [--url URL] " << cmd.name << ' ' << cmd.usage << "\n\n"
            << cmd.description << "\n\n"
            << cmd.options << '\n'
            << kExitCodeHelp;
}

}  // namespace

rqcpp::Connection GlobalOptions::connect() const {
  return rqcpp::Connection::open(rqcpp::url_with_password(url, password_file));
}

std::optional<po::variables_map> parse_command_line(CommandLine& cmd, GlobalOptions& global,
                                                    const std::vector<std::string>& args) {
  const std::string url_help =
      "Redis URL: redis://[user:password@]host:port/db, rediss://... (TLS; "
      "?ssl_ca_certs=FILE&ssl_certfile=FILE&ssl_keyfile=FILE&ssl_cert_reqs=required|optional|none"
      "&ssl_check_hostname=true, as redis-py), unix:///path.sock[?db=N] or "
      "redis+sentinel://[user:password@]host:port[,host:port...]/service[/db]"
      "[?sentinel_password=P] (default: $RQ_REDIS_URL, else " +
      std::string(rqcpp::defaults::kRedisUrl) + ")";
  cmd.options.add_options()("url", po::value<std::string>()->value_name("URL"), url_help.c_str())(
      "redis-password-file", po::value<std::string>()->value_name("FILE"),
      "read the Redis password from the first line of FILE instead of the URL (else "
      "$RQ_REDIS_PASSWORD, if set)");
  if (cmd.json) cmd.options.add_options()("json", "print machine-readable JSON instead of text");
  cmd.options.add_options()("help", "show this help and exit");

  po::options_description all;
  all.add(cmd.options).add(cmd.hidden);
  po::variables_map vm;
  try {
    using namespace po::command_line_style;
    po::store(po::command_line_parser(args)
                  .options(all)
                  .positional(cmd.positional)
                  .style(allow_long | long_allow_adjacent | long_allow_next)
                  .run(),
              vm);
    if (vm.count("help")) {
      print_help(cmd);
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::too_many_positional_options_error&) {
    throw UsageError(std::string(cmd.name) + ": too many arguments (see rqctl " + cmd.name +
                     " --help)");
  } catch (const po::error& e) {
    throw UsageError(std::string(cmd.name) + ": " + e.what());
  }
  if (vm.count("url")) global.url = vm["url"].as<std::string>();
  if (vm.count("redis-password-file")) {
    global.password_file = vm["redis-password-file"].as<std::string>();
  }
  return vm;
}

std::string required_positional(const po::variables_map& vm, const char* key, const char* metavar,
                                const CommandLine& cmd) {
  if (!vm.count(key)) {
    throw UsageError(std::string(cmd.name) + ": missing " + metavar + " (usage: rqctl " + cmd.name +
                     ' ' + cmd.usage + ")");
  }
  return vm[key].as<std::string>();
}

std::optional<JobIdCommandLine> parse_job_id_command_line(CommandLine& cmd, GlobalOptions& global,
                                                          const std::vector<std::string>& args) {
  cmd.hidden.add_options()("id", po::value<std::string>());
  cmd.positional.add("id", 1);
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return std::nullopt;
  std::string id = required_positional(*vm, "id", "ID", cmd);
  return JobIdCommandLine{std::move(*vm), std::move(id)};
}

}  // namespace rqctl
