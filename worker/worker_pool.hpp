// rqworker --pool N: a supervisor that forks N ordinary workers (RQ's
// WorkerPool), replaces one that dies abnormally, and shuts them all down
// warmly on SIGTERM/SIGINT.
#pragma once

#include <functional>

#include "rqcpp/worker/worker.hpp"

namespace rqworker {

// Runs the pool until every member has exited; returns rqworker's exit code
// (0, or 1 when no member could be started at all).
//
// Members are forked processes that call run_member(options) and exit with
// its result; member i is named "<options.name>.<i>" (options.name must be
// set), i counting up from 1 across restarts, so a replacement never
// collides with the key a SIGKILLed member leaves behind. A member that is
// killed by a signal or exits with status 1 (Redis trouble) is replaced
// (at most one restart per slot per second); one that exits 0 (burst done,
// shutdown command, --max-jobs) or 2/3 (usage, name taken) is not.
// SIGTERM/SIGINT: forwarded as SIGTERM to every member (warm shutdown; a
// second signal is forwarded again: cold), no more restarts, and the pool
// waits for all members. Members get SIGTERM if the supervisor dies.
int run_pool(const rqcpp::WorkerOptions& options, int size,
             const std::function<int(rqcpp::WorkerOptions)>& run_member);

}  // namespace rqworker
