// Calling one plugin job function with a fresh rqcpp_context: shared by the
// work horse (forked child) and the no-fork worker (--worker-class simple).
#pragma once

#include <functional>

#include "rqcpp/plugin.h"
#include "rqcpp/worker/work_horse.hpp"

namespace rqcpp {

// Calls `fn` with the job's args, kwargs and meta and collects what it
// reported through the context callbacks (result, error, meta). save_meta
// opens its own Redis connection (never a caller's). Does not catch: a
// C++ exception escaping the function propagates (see run_guarded).
HorseOutcome call_plugin_function(const HorseJob& job, rqcpp_job_fn fn);

// Runs `body`, turning a PluginError into a "PluginError" failure and any
// other exception into a "RuntimeError" one ("job function threw: ...").
HorseOutcome run_guarded(const std::function<HorseOutcome()>& body);

}  // namespace rqcpp
