// The child side of a work horse: runs one job and leaves with _exit().
#pragma once

#include "worker/work_horse.hpp"

namespace rqcpp {

// Calls job.fn (inherited from the parent), or else loads the plugin, calls
// the job function with a fresh rqcpp_context, writes
// the framed outcome to `out_fd` and calls _exit(0). Runs only in a freshly
// forked child; never returns and never touches the parent's Redis state.
[[noreturn]] void horse_main(const PluginCall& job, int out_fd);

// A standby horse: reads its job frame from `job_fd` to end of file, then
// runs horse_main. Leaves quietly (_exit(0)) when the parent closes the pipe
// without a job; a malformed frame becomes the job's failure.
[[noreturn]] void standby_main(int job_fd, int out_fd);

}  // namespace rqcpp
