// Running one job, from the fields the take script returned to the finish
// request for finish.lua: decode the job's data and meta, run the decoded
// call, encode its outcome. The one path shared by the worker (in a work
// horse or in process, job_processor.hpp) and SyncQueue.
#pragma once

#include <functional>
#include <string>

#include "rqcpp/worker/worker.hpp"
#include "worker/fetcher.hpp"
#include "worker/plugin_call.hpp"

namespace rqcpp {

// What execute_job produced besides the request, for logs and counters.
struct ExecutedJob {
  FinishRequest finish;
  std::string func_name;  // "<undecodable>" when the data did not decode
  std::string summary;    // "ok" or "<Type>: <message>"
  double working_time = 0;
};

// Runs `call` (decoded, with redis_url and plugin_dir filled in) and returns
// its outcome; must not throw (see run_guarded).
using CallRunner = std::function<CallOutcome(PluginCall& call)>;
// Sees the call and its outcome before the outcome is encoded (the worker
// picks the job's callback there).
using OutcomeInspector = std::function<void(const PluginCall& call, const CallOutcome& outcome)>;

// Decodes `job` (data undecodable: a DecodeError failure, `run` is not
// called; meta undecodable: logged, the function sees an empty meta), runs
// it with `run`, lets `inspect` see the outcome and encodes it (a result or
// meta the job's serializer cannot encode turns a success into a
// DecodeError failure, so a value Python could not read is never written; a
// failure is stored as a Python-traceback-like text whose last line is
// "<Type>: <message>"). `base` supplies redis_url and plugin_dir. Data or
// meta over `limits` fail the job (SizeLimitError) without running it; a
// result or a set meta over them turn a success into that failure. Never
// throws.
ExecutedJob execute_job(const TakenJob& job, const PluginCall& base, const PayloadLimits& limits,
                        const CallRunner& run, const OutcomeInspector& inspect = nullptr);

}  // namespace rqcpp
