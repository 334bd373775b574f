// A work horse's resource limits (rqcpp/worker/job_limits.hpp), both sides:
// the parent picks the limits of a call and names a failure they explain;
// the horse applies them with setrlimit() before the job's plugin runs.
#pragma once

#include <optional>

#include "rqcpp/worker/job_limits.hpp"
#include "worker/child_process.hpp"
#include "worker/plugin_call.hpp"

namespace rqcpp {

// Parent, before the call runs: sets call.limits to the lower of `worker`'s
// and those in the call's meta (rqcpp_limits). Returns the job's failure
// instead when its rqcpp_limits is invalid ("ValueError"), asks for a memory
// limit in a build without kJobMemoryLimitSupported, or asks for any limit
// while `in_process` (--worker-class simple, which runs jobs in the worker
// and cannot limit one) ("RuntimeError"); the call must then not run, and
// call.limits is the worker's (for the job's failure callback).
std::optional<CallOutcome> set_call_limits(PluginCall& call, const JobLimits& worker,
                                           bool in_process);

// Horse, before the plugin is loaded or called: applies `limits` to this
// process (RLIMIT_CPU with a SIGXCPU that ends the horse without a core
// dump, RLIMIT_AS on top of the address space mapped now, RLIMIT_NOFILE;
// hard limits too, so the job cannot raise them, and never above the hard
// limits it inherited). Returns an empty text, or what setrlimit refused.
// Only for a forked horse: the limits stay for the rest of the process.
std::string apply_horse_limits(const JobLimits& limits);

// Parent, after the horse ended: `outcome` with a failure that one of
// `limits` explains named for it: a std::bad_alloc or MemoryError under a
// memory limit becomes "JobMemoryLimitExceeded", a horse killed by SIGXCPU
// (or by SIGKILL after using its CPU limit) "JobCpuLimitExceeded"; another
// death under a memory limit gets the limit added to its message. Each
// message names the limit and where it came from (the rqworker option when
// it equals `worker`'s, else the job's meta). `horse` is the reaped process,
// or one that reported.
CallOutcome name_limit_failure(CallOutcome outcome, const JobLimits& limits,
                               const JobLimits& worker, const ChildProcess& horse);

}  // namespace rqcpp
