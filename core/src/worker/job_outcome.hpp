// Turning a horse's outcome into what finish.lua writes: base64 return value
// in the job's serializer, or the failure text RQ readers show as exc_info
// (zlib + base64), plus the meta to store.
#pragma once

#include <string>

#include "rqcpp/serialization.hpp"
#include "worker/fetcher.hpp"
#include "worker/plugin_call.hpp"

namespace rqcpp {

// The failure text: Python-traceback-like, last line "<Type>: <message>"
// (so RQ tools that show the last line show the reason). A failure without
// exc_type (a dead horse, RQ-style) is its message alone.
std::string failure_text(const CallOutcome& outcome, const std::string& job_id,
                         const std::string& func_name);

// The finish request for `job`. A result or meta that cannot be encoded in
// the job's serializer turns a success into a DecodeError failure (so a
// value Python could not read is never written). `summary` receives one
// log-friendly line ("ok" or "<Type>: <message>").
FinishRequest make_finish_request(const TakenJob& job, Serializer serializer,
                                  const std::string& func_name, CallOutcome outcome,
                                  double working_time, std::string& summary);

}  // namespace rqcpp
