// How rqctl's subcommands are declared and their command lines parsed.
//
// main() strips the global options and the command name; a command receives
// the rest. Options are long-only (--name), so negative numbers like -1 are
// plain arguments; "--" ends the options.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <rqcpp/connection.hpp>
#include <string>
#include <vector>

namespace rqctl {

// Options given before the command name (and --url and
// --redis-password-file, which every command also accepts after its name).
struct GlobalOptions {
  std::string url;            // RQ_REDIS_URL or defaults::kRedisUrl unless given
  std::string password_file;  // --redis-password-file; "" = none

  // Opens the connection every command uses: `url` with the password from
  // password_file or $RQ_REDIS_PASSWORD (rqcpp::url_with_password). Throws
  // rqcpp::UrlError and rqcpp::RedisError (exit code 3).
  rqcpp::Connection connect() const;
};

// One subcommand: its name, one-line summary for `rqctl --help`, and entry
// point. run() returns the exit code or throws (main maps exceptions to codes).
struct Command {
  const char* name;
  const char* summary;
  int (*run)(GlobalOptions& global, const std::vector<std::string>& args);
};

// Every command, in the order `rqctl --help` lists them.
const std::vector<Command>& all_commands();

// Entry points (one file per command family).
int run_enqueue(GlobalOptions& global, const std::vector<std::string>& args);
int run_job(GlobalOptions& global, const std::vector<std::string>& args);
int run_info(GlobalOptions& global, const std::vector<std::string>& args);
int run_empty(GlobalOptions& global, const std::vector<std::string>& args);
int run_delete_queue(GlobalOptions& global, const std::vector<std::string>& args);
int run_cancel(GlobalOptions& global, const std::vector<std::string>& args);
int run_requeue(GlobalOptions& global, const std::vector<std::string>& args);
int run_delete(GlobalOptions& global, const std::vector<std::string>& args);
int run_registry(GlobalOptions& global, const std::vector<std::string>& args);
// worker_control_command.cpp (`job stop ID` is routed by main before `job`)
int run_suspend(GlobalOptions& global, const std::vector<std::string>& args);
int run_resume(GlobalOptions& global, const std::vector<std::string>& args);
int run_worker(GlobalOptions& global, const std::vector<std::string>& args);
int run_job_stop(GlobalOptions& global, const std::vector<std::string>& args);
// plugins_command.cpp
int run_plugins(GlobalOptions& global, const std::vector<std::string>& args);

// The command line of one subcommand. `options` are the documented options;
// `positional` names hidden options in `hidden` that take positional tokens.
struct CommandLine {
  CommandLine(const char* name_, const char* usage_, const char* description_)
      : name(name_), usage(usage_), description(description_) {}

  const char* name;         // "enqueue"
  const char* usage;        // "QUEUE FUNC [ARG...] [options]"
  const char* description;  // paragraph(s) for --help
  boost::program_options::options_description options{"Options"};
  boost::program_options::options_description hidden{"Positional"};
  boost::program_options::positional_options_description positional;
  bool json = false;  // adds --json
};

// Parses `args` against `cmd` plus --url, --help (and --json when cmd.json).
// Returns nullopt after printing the help page to stdout for --help. Updates
// global.url when --url is given. Throws UsageError for anything malformed.
std::optional<boost::program_options::variables_map> parse_command_line(
    CommandLine& cmd, GlobalOptions& global, const std::vector<std::string>& args);

// The value of positional `key` (shown as `metavar` in the error), or
// UsageError "<command>: missing <metavar>" when it was not given.
std::string required_positional(const boost::program_options::variables_map& vm, const char* key,
                                const char* metavar, const CommandLine& cmd);

// A parsed command line whose one positional is a job ID.
struct JobIdCommandLine {
  boost::program_options::variables_map vm;
  std::string id;
};

// parse_command_line for a command about one job: adds the positional ID to
// `cmd` first. Returns nullopt after --help; throws UsageError
// "<command>: missing ID" when no ID is given.
std::optional<JobIdCommandLine> parse_job_id_command_line(CommandLine& cmd, GlobalOptions& global,
                                                          const std::vector<std::string>& args);

}  // namespace rqctl
