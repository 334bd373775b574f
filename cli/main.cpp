// rqctl: enqueue and inspect rqcpp / Python RQ jobs, queues and workers.
//
// main() reads the global options, picks the command and turns every
// exception into one "rqctl: ..." line on stderr plus an exit code
// (cli_error.hpp).
#include <algorithm>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <rqcpp/defaults.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/redis_password.hpp>
#include <rqcpp/redis_url.hpp>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "command.hpp"

namespace rqctl {

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = {
      {"enqueue", "put a job on a queue; prints its id", run_enqueue},
      {"job", "show a job: status, call, timestamps, result or error", run_job},
      {"info", "list queues (with registry counts) and workers", run_info},
      {"empty", "remove all waiting jobs from queues", run_empty},
      {"delete-queue", "delete queues and their waiting jobs", run_delete_queue},
      {"cancel", "cancel a job (RQ's Job.cancel)", run_cancel},
      {"requeue", "put failed jobs of a queue back on it", run_requeue},
      {"delete", "delete a job (and with --dependents its dependents)", run_delete},
      {"registry", "list one registry of a queue (ids, scores, times)", run_registry},
      {"suspend", "suspend all workers (running jobs finish; no new ones start)", run_suspend},
      {"resume", "resume suspended workers", run_resume},
      {"worker", "send shutdown or kill-horse to a worker by name", run_worker},
      {"plugins", "list the plugins of a plugin directory and their functions", run_plugins},
  };
  return commands;
}

namespace {

void print_main_help() {
  std::cout
      << "Usage: rqctl [--url URL] COMMAND [ARGS...] [options]\n"
         "       rqctl COMMAND --help | rqctl help COMMAND\n\n"
         "Enqueue and inspect jobs, queues and workers of rqcpp and Python RQ 1.x in Redis.\n\n"
         "Commands:\n";
  for (const Command& c : all_commands()) {
    std::string name = c.name;
    name.resize(std::max<size_t>(name.size(), 14), ' ');
    std::cout << "  " << name << c.summary << '\n';
  }
  std::cout << "\nGlobal options (before or after COMMAND):\n"
               "  --url URL   Redis URL: redis://[user:password@]host:port/db,\n"
               "              rediss://... (TLS; ?ssl_ca_certs=FILE&ssl_certfile=FILE\n"
               "              &ssl_keyfile=FILE&ssl_cert_reqs=required|optional|none\n"
               "              &ssl_check_hostname=true, as redis-py),\n"
               "              unix:///path.sock[?db=N] or redis+sentinel://[user:password@]\n"
               "              host:port[,host:port...]/service[/db][?sentinel_password=P]\n"
               "              (default: $RQ_REDIS_URL, else\n"
               "              "
            << rqcpp::defaults::kRedisUrl
            << ")\n"
               "  --redis-password-file FILE\n"
               "              read the Redis password from FILE's first line instead of\n"
               "              the URL (else $RQ_REDIS_PASSWORD, if set)\n"
               "  --help      show this help (COMMAND --help: that command's help)\n"
               "  --version   print the version\n\n"
            << kExitCodeHelp;
}

const Command* find_command(std::string_view name) {
  for (const Command& c : all_commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

// One line, whatever the message holds.
std::string one_line(std::string text) {
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return text;
}

int fail(int code, const std::string& message) {
  std::cerr << "rqctl: " << one_line(message) << std::endl;
  return code;
}

int run(int argc, char** argv) {
  GlobalOptions global;
  global.url = rqcpp::default_redis_url();
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--url") {
      if (i + 1 >= argc) throw UsageError("--url needs a value");
      global.url = argv[++i];
    } else if (arg.rfind("--url=", 0) == 0) {
      global.url = std::string(arg.substr(6));
    } else if (arg == "--redis-password-file") {
      if (i + 1 >= argc) throw UsageError("--redis-password-file needs a value");
      global.password_file = argv[++i];
    } else if (arg.rfind("--redis-password-file=", 0) == 0) {
      global.password_file = std::string(arg.substr(22));
    } else if (arg == "--help" || arg == "-h") {
      print_main_help();
      return kExitOk;
    } else if (arg == "--version") {
      std::cout << "rqctl " << RQCTL_VERSION << '\n';
      return kExitOk;
    } else if (!arg.empty() && arg[0] == '-') {
      throw UsageError("unknown option " + std::string(arg) + " (see rqctl --help)");
    } else {
      break;
    }
  }
  if (i >= argc) throw UsageError("no command given (see rqctl --help)");
  std::string name = argv[i++];
  std::vector<std::string> rest(argv + i, argv + argc);
  rqcpp::hide_url_passwords(argc, argv);  // copied above: `ps` shows no password now
  if (name == "help") {
    if (rest.empty()) {
      print_main_help();
      return kExitOk;
    }
    name = rest.front();
    rest = {"--help"};
  }
  if (name == "job" && !rest.empty() && rest.front() == "stop") {
    return run_job_stop(global, std::vector<std::string>(rest.begin() + 1, rest.end()));
  }
  const Command* command = find_command(name);
  if (command == nullptr) throw UsageError("unknown command '" + name + "' (see rqctl --help)");
  return command->run(global, rest);
}

}  // namespace

}  // namespace rqctl

int main(int argc, char** argv) {
  using namespace rqctl;
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    return fail(kExitUsage, e.what());
  } catch (const std::invalid_argument& e) {  // core's verdict on an option value
    return fail(kExitUsage, e.what());
  } catch (const rqcpp::UrlError& e) {
    return fail(kExitRedis, e.what());
  } catch (const rqcpp::RedisError& e) {
    return fail(kExitRedis, e.what());
  } catch (const rqcpp::NoSuchJobError& e) {
    return fail(kExitNotFound, e.what());
  } catch (const std::exception& e) {
    return fail(kExitFailure, e.what());
  }
}
