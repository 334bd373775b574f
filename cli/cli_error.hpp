// rqctl's exit codes and the error that carries a usage problem.
//
// Every failure ends in main(): one line "rqctl: <what>" on stderr and the
// exit code for its class, so scripts can tell "you called me wrong" from
// "Redis is not there" from "no such job".
#pragma once

#include <stdexcept>

namespace rqctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,    // anything else (undecodable data, Redis error reply, ...)
  kExitUsage = 2,      // unknown command/option, bad argument value
  kExitRedis = 3,      // bad Redis URL, Redis unreachable, connection lost
  kExitNotFound = 4,   // the job id given does not exist
  kExitJobFailed = 5,  // job --wait: the job failed, was stopped, canceled or deleted
  kExitTimeout = 6,    // job --wait: --timeout passed first
};

// The command line is wrong (bad option value, missing argument...). what() is
// the one line shown after "rqctl: ".
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Text of the exit-code table for --help pages.
inline constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  success\n"
    "  1  other failure (e.g. data in Redis that does not decode)\n"
    "  2  usage error: unknown command or option, bad argument\n"
    "  3  Redis error: bad URL, Redis unreachable, connection lost\n"
    "  4  not found: no job with the given id\n"
    "  5  job --wait: the job failed, was stopped, canceled or deleted\n"
    "  6  job --wait: --timeout passed before the job ended\n"
    "Errors are reported as one line on stderr starting with \"rqctl: \".\n";

}  // namespace rqctl
