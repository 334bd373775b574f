// Decode, run, encode; see job_execution.hpp.
#include "worker/job_execution.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "rqcpp/error.hpp"
#include "worker/job_outcome.hpp"

namespace rqcpp {

ExecutedJob execute_job(const TakenJob& job, const PluginCall& base, const CallRunner& run,
                        const OutcomeInspector& inspect) {
  const auto start = std::chrono::steady_clock::now();
  PluginCall call = base;
  call.id = job.id;
  call.origin = job.origin;
  call.fn = nullptr;
  CallOutcome outcome;
  bool decoded = false;
  try {
    JobCall data = decode_job_data(job.data, &call.serializer);
    call.func_name = std::move(data.func_name);
    call.args = std::move(data.args);
    call.kwargs = std::move(data.kwargs);
    decoded = true;
  } catch (const DecodeError& e) {
    outcome =
        CallOutcome::failure("DecodeError", std::string("job data cannot be decoded: ") + e.what());
    call.func_name = "<undecodable>";
  }
  if (decoded && !job.meta.empty()) {
    try {
      call.meta = decode_value(job.meta, call.serializer);
    } catch (const DecodeError& e) {
      spdlog::warn("job {}: meta cannot be decoded ({}); the function sees an empty meta", job.id,
                   e.what());
    }
  }
  if (decoded) outcome = run(call);
  if (inspect) inspect(call, outcome);
  ExecutedJob out;
  out.working_time =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.finish = make_finish_request(job, call.serializer, call.func_name, std::move(outcome),
                                   out.working_time, out.summary);
  out.func_name = std::move(call.func_name);
  return out;
}

}  // namespace rqcpp
