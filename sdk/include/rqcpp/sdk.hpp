// The rqcpp plugin SDK: a typed C++ function becomes a job with one line.
//
//   #include <rqcpp/sdk.hpp>
//
//   int add(int a, int b) { return a + b; }
//   RQCPP_JOB(add, "Adds two integers");          // job "libname:add"
//
//   std::string shout(const std::string& s) { return s + "!"; }
//   RQCPP_JOB(shout, "Appends an exclamation mark");
//
//   RQCPP_PLUGIN("mylib", "1.0.0");               // once per plugin
//
// Build the plugin as a shared object named lib<libname>.so with
// -fvisibility=hidden (find_package(rqcpp) gives rqcpp_add_plugin() that does
// it); it then exports only rqcpp_plugin_manifest (see <rqcpp/plugin.h>).
//
// Calling rules, generated from the function's type:
// - Positional job arguments fill the parameters in order. Parameter types:
//   see <rqcpp/sdk/arg_codec.hpp> (bool, integers, float/double, strings,
//   bytes, list/dict/optional/tuple, std::nullptr_t, msgpack::object = any).
//   Trailing std::optional parameters may be left out (they get nullopt).
// - Keyword arguments: only a function whose last parameter is
//   rqcpp::Kwargs accepts them (see <rqcpp/sdk/kwargs.hpp>); any other fails
//   with TypeError "f() takes no keyword arguments (got 'x')".
// - A wrong argument count or type fails the job with TypeError and a message
//   naming the function, the position and the expected type:
//   "add() takes 2 arguments, got 3", "add() argument 2: expected int, got str",
//   "total() argument 1[3]: expected int, got None".
// - The return value (any msgpack-c packable type; void = None) becomes the
//   job's result.
// - An exception escaping the function fails the job: rqcpp::JobError with
//   its own type name (JobError("ValueError", "bad input")), anything derived
//   from std::exception with its demangled class name ("std::runtime_error")
//   and what(), anything else with its demangled type.
// - Inside a job function rqcpp::current_job() gives the job's id, origin,
//   func_name and meta (see <rqcpp/sdk/job_context.hpp>).
//
// Job callbacks (enqueue options on_success / on_failure / on_stopped, stored
// as RQ's success_callback_name / failure_callback_name /
// stopped_callback_name) name ordinary job functions "libname:function". The
// worker calls one after the job's outcome is written, in its own work horse
// (same plugin loading), limited to 60 s (rqworker --callback-timeout), with
// positional arguments only:
//   on_success: (job_id: str, result: the job's return value, None for void)
//   on_failure: (job_id: str, exc_type: str, exc_message: str); exc_type is
//               "" when the job raised nothing (its horse died or timed out:
//               exc_message says how). Runs after every failed attempt, also
//               one that is retried (as RQ 1.13).
//   on_stopped: (job_id: str)   (stop-job command)
// current_job() inside a callback describes the job (id, origin, meta);
// func_name is the callback's. A callback's return value is dropped; its
// failure, crash or timeout is logged by the worker and never changes the
// job's status or result.
#pragma once

#include "rqcpp/plugin.h"
#include "rqcpp/sdk/arg_codec.hpp"
#include "rqcpp/sdk/job_context.hpp"
#include "rqcpp/sdk/job_entry.hpp"
#include "rqcpp/sdk/job_error.hpp"
#include "rqcpp/sdk/job_registry.hpp"
#include "rqcpp/sdk/kwargs.hpp"
#include "rqcpp/sdk/msgpack_nullptr.hpp"
#include "rqcpp/sdk/visibility.hpp"

#define RQCPP_SDK_CONCAT_INNER_(a, b) a##b
#define RQCPP_SDK_CONCAT_(a, b) RQCPP_SDK_CONCAT_INNER_(a, b)

// Exports function `fn` as job "<libname>:<fn>" with a one-line `doc` (a
// string literal, shown by `rqctl plugins`). Use at namespace scope, after
// the function's declaration. A qualified name exports its last component
// (RQCPP_JOB(text::upper, ...) is "upper"). `fn` must name one function, not
// an overload set or a template (use RQCPP_JOB_NAMED with a cast or a wrapper).
// The name is checked at compile time by FunctionRef::is_valid_function
// (rqcpp/function_ref.hpp: [A-Za-z0-9_.-]+).
#define RQCPP_JOB(fn, doc) \
  RQCPP_SDK_JOB_(::rqcpp::sdk_detail::FixedString(#fn).unqualified(), fn, doc)

// Exports function `fn` as job "<libname>:<name>" (`name` a string literal),
// for names that differ from the C++ identifier or clash with libc
// (RQCPP_JOB_NAMED("sleep", sleep_seconds, "...")).
#define RQCPP_JOB_NAMED(name, fn, doc) \
  RQCPP_SDK_JOB_(::rqcpp::sdk_detail::FixedString(name), fn, doc)

#define RQCPP_SDK_JOB_(fixed, fn, doc)                                              \
  static_assert((fixed).is_valid_job_name(),                                        \
                "rqcpp job names must match [A-Za-z0-9_.-]+; use RQCPP_JOB_NAMED"); \
  [[maybe_unused]] static const ::rqcpp::sdk_detail::Registrar RQCPP_SDK_CONCAT_(   \
      rqcpp_job_registrar_, __COUNTER__)(::rqcpp::sdk_detail::job_name<fixed>, doc, \
                                         &::rqcpp::sdk_detail::job_entry<fixed, &(fn)>)

// Defines the plugin's manifest symbol rqcpp_plugin_manifest, listing every
// RQCPP_JOB of the shared object. Exactly once per plugin (a second one is a
// link error). `name` and `version` are string literals; the name is
// informational (the job's libname comes from the file name).
#define RQCPP_PLUGIN(name, version)                                               \
  extern "C" RQCPP_SDK_EXPORT const rqcpp_manifest* rqcpp_plugin_manifest(void);  \
  extern "C" RQCPP_SDK_EXPORT const rqcpp_manifest* rqcpp_plugin_manifest(void) { \
    static const rqcpp_manifest manifest =                                        \
        ::rqcpp::sdk_detail::registry().build_manifest(name, version);            \
    return &manifest;                                                             \
  }                                                                               \
  static_assert(true, "RQCPP_PLUGIN ends with a semicolon")
