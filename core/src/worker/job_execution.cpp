// Decode, run, encode (the outcome as finish.lua writes it: a base64 return
// value in the job's serializer, or the failure text RQ readers show as
// exc_info, zlib + base64); see job_execution.hpp.
#include "worker/job_execution.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "rqcpp/byte_size.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"

namespace rqcpp {

namespace {

std::string indent(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "  " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

bool is_nil(const std::optional<std::string>& v) {
  return !v || v->empty() || (v->size() == 1 && static_cast<unsigned char>((*v)[0]) == 0xc0);
}

// The failure text: Python-traceback-like, last line "<Type>: <message>"
// (so RQ tools that show the last line show the reason). A failure without
// exc_type (a dead horse, RQ-style) is its message alone.
std::string failure_text(const CallOutcome& o, const std::string& job_id,
                         const std::string& func_name) {
  if (o.exc_type.empty()) return o.exc_message;
  std::string text = "Traceback (most recent call last):\n  rqcpp work horse, job " + job_id +
                     ", in " + func_name + "\n";
  if (!o.traceback.empty()) text += indent(o.traceback);
  text += o.exc_type + ": " + o.exc_message + "\n";
  return text;
}

// The finish request for `job`. A result or meta that cannot be encoded in
// the job's serializer turns a success into a DecodeError failure (so a
// value Python could not read is never written). `summary` receives one
// log-friendly line ("ok" or "<Type>: <message>").
FinishRequest make_finish_request(const TakenJob& job, Serializer serializer,
                                  const std::string& func_name, CallOutcome o, double working_time,
                                  std::string& summary) {
  FinishRequest f;
  f.id = job.id;
  f.origin = job.origin;
  f.working_time = working_time;
  if (o.meta) {
    try {
      f.meta = encode_value(*o.meta, serializer);
    } catch (const DecodeError& e) {
      o = CallOutcome::failure("DecodeError",
                               std::string("job meta cannot be stored: ") + e.what());
    }
  }
  if (o.ok && !is_nil(o.result)) {
    try {
      f.payload = base64_encode(encode_value(*o.result, serializer));
      f.has_value = true;
    } catch (const DecodeError& e) {
      o = CallOutcome::failure("DecodeError",
                               std::string("job result cannot be stored: ") + e.what());
    }
  }
  if (o.ok) {
    f.status = "finished";
    summary = "ok";
    return f;
  }
  f.status = "failed";
  f.has_value = false;
  std::string text = failure_text(o, job.id, func_name);
  f.payload = base64_encode(zlib_compress(text));
  summary = o.exc_type.empty() ? o.exc_message : o.exc_type + ": " + o.exc_message;
  return f;
}

std::string over_limit(const char* what, size_t size, std::uint64_t limit, const char* option) {
  return std::string("the job's ") + what + " is " + std::to_string(size) + " bytes, more than " +
         format_byte_size(limit) + " (rqworker --max-" + option + "-size)";
}

// A result or meta the job produced over the limits is not written: the job
// fails instead, saying which limit it crossed.
void enforce_limits(CallOutcome& o, const PayloadLimits& limits) {
  if (o.ok && o.result && o.result->size() > limits.result) {
    o = CallOutcome::failure("SizeLimitError",
                             over_limit("result", o.result->size(), limits.result, "result"));
  } else if (o.meta && o.meta->size() > limits.meta) {
    o = CallOutcome::failure("SizeLimitError",
                             over_limit("meta", o.meta->size(), limits.meta, "meta"));
  }
}

}  // namespace

ExecutedJob execute_job(const TakenJob& job, const PluginCall& base, const PayloadLimits& limits,
                        const CallRunner& run, const OutcomeInspector& inspect) {
  const auto start = std::chrono::steady_clock::now();
  PluginCall call = base;
  call.id = job.id;
  call.origin = job.origin;
  call.fn = nullptr;
  CallOutcome outcome;
  bool runnable = false;
  try {
    JobCall data = decode_job_data(job.data, &call.serializer, limits.data);
    call.func_name = std::move(data.func_name);
    call.args = std::move(data.args);
    call.kwargs = std::move(data.kwargs);
    runnable = true;
  } catch (const SizeLimitError& e) {
    outcome = CallOutcome::failure("SizeLimitError", e.what());
    call.func_name = "<too large>";
  } catch (const DecodeError& e) {
    outcome =
        CallOutcome::failure("DecodeError", std::string("job data cannot be decoded: ") + e.what());
    call.func_name = "<undecodable>";
  }
  if (runnable && job.meta.size() > limits.meta) {
    outcome = CallOutcome::failure("SizeLimitError",
                                   over_limit("meta", job.meta.size(), limits.meta, "meta"));
    runnable = false;
  } else if (runnable && !job.meta.empty()) {
    try {
      call.meta = decode_value(job.meta, call.serializer);
    } catch (const DecodeError& e) {
      spdlog::warn("job {}: meta cannot be decoded ({}); the function sees an empty meta", job.id,
                   e.what());
    }
  }
  if (runnable) {
    outcome = run(call);
    enforce_limits(outcome, limits);
  }
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
