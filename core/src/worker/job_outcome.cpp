// Encoding job outcomes for Redis; see job_outcome.hpp.
#include "worker/job_outcome.hpp"

#include "rqcpp/error.hpp"

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

}  // namespace

std::string failure_text(const CallOutcome& o, const std::string& job_id,
                         const std::string& func_name) {
  if (o.exc_type.empty()) return o.exc_message;
  std::string text = "Traceback (most recent call last):\n  rqcpp work horse, job " + job_id +
                     ", in " + func_name + "\n";
  if (!o.traceback.empty()) text += indent(o.traceback);
  text += o.exc_type + ": " + o.exc_message + "\n";
  return text;
}

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

}  // namespace rqcpp
