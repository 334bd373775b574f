// The child side of a work horse: runs one job and leaves with _exit().
#pragma once

#include "rqcpp/worker/work_horse.hpp"

namespace rqcpp {

// Loads the plugin, calls the job function with a fresh rqcpp_context, writes
// the framed outcome to `out_fd` and calls _exit(0). Runs only in a freshly
// forked child; never returns and never touches the parent's Redis state.
[[noreturn]] void horse_main(const HorseJob& job, int out_fd);

}  // namespace rqcpp
