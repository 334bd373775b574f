// One call of a plugin job function, wherever it runs: in a work horse, in
// the worker process (--worker-class simple), in a SyncQueue's caller, or as
// a job's callback. PluginCall is what goes in, CallOutcome what comes out.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "rqcpp/plugin.h"
#include "rqcpp/serialization.hpp"
#include "rqcpp/worker/job_limits.hpp"

namespace rqcpp {

// Everything needed to call one job function. Plain data: copied into a
// horse by fork() or sent to a standby horse (work_horse.cpp).
struct PluginCall {
  std::string id;
  std::string origin;                            // queue name, for the plugin context
  std::string func_name;                         // "libname:function"
  std::string args = std::string("\x90", 1);     // msgpack array
  std::string kwargs = std::string("\x80", 1);   // msgpack map
  std::string meta = std::string("\x80", 1);     // msgpack map
  Serializer serializer = Serializer::kMsgpack;  // how save_meta encodes meta
  std::string redis_url;                         // for save_meta's own connection; "" none
  std::filesystem::path plugin_dir;
  // The function, when the caller already holds its plugin loaded (a tried
  // plugin, tried_plugins.hpp; a horse inherits the mapping through fork).
  // nullptr: whoever runs the call loads the plugin from plugin_dir.
  rqcpp_job_fn fn = nullptr;
  // What a work horse applies before the call (horse_limits.hpp); no limit
  // in process.
  JobLimits limits;
};

// How one call ended.
struct CallOutcome {
  bool ok = false;
  // Success: the return value as msgpack; nullopt (or msgpack nil) is None.
  std::optional<std::string> result;
  // Failure: exception type name ("ValueError", "PluginError"...), message and
  // optional traceback text from the plugin. An empty exc_type means the
  // failure is not an exception raised by the job (the horse died, timed out)
  // and exc_message is the whole failure text, as RQ writes such failures.
  std::string exc_type;
  std::string exc_message;
  std::string traceback;
  // The meta as the plugin last set it; nullopt when it never called set_meta.
  std::optional<std::string> meta;
  // Set by a work horse that loaded the job's plugin itself and whose load
  // passed Plugin::load's checks, whole manifest included: only then may the
  // worker load that file into its own process (TriedPlugins::adopt).
  bool plugin_checked = false;

  static CallOutcome failure(std::string type, std::string message);
};

// Calls `fn` with the call's args, kwargs and meta and collects what it
// reported through the context callbacks (result, error, meta). save_meta
// opens its own Redis connection (never a caller's). Does not catch: a
// C++ exception escaping the function propagates (see run_guarded).
CallOutcome call_plugin_function(const PluginCall& call, rqcpp_job_fn fn);

// Runs `body`, turning a PluginError into a "PluginError" failure and any
// other exception into a "RuntimeError" one ("job function threw: ...").
CallOutcome run_guarded(const std::function<CallOutcome()>& body);

}  // namespace rqcpp
