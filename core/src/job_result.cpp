// Reading rq:results:<id> (docs/redis-layout.md 1.4): the newest entry decides
// return_value() and exc_info().
#include <charconv>

#include "result_entry.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {
namespace detail {

JobResult parse_result_entry(const Reply& entry, Serializer serializer, const std::string& job_id) {
  JobResult r;
  r.stream_id = std::string(entry.at(0).str());
  long long ms = 0;
  auto dash = r.stream_id.find('-');
  std::from_chars(r.stream_id.data(), r.stream_id.data() + std::min(dash, r.stream_id.size()), ms);
  r.created_at = Clock::time_point(std::chrono::milliseconds(ms));
  auto fields = entry.at(1).hash();
  int type = 0;
  const std::string& t = fields["type"];
  std::from_chars(t.data(), t.data() + t.size(), type);
  if (type < 1 || type > 3) {
    throw DecodeError("job " + job_id + ": result " + r.stream_id + " has unknown type '" + t +
                      "'");
  }
  r.type = static_cast<JobResult::Type>(type);
  try {
    auto rv = fields.find("return_value");
    if (rv != fields.end()) r.value = decode_value(base64_decode(rv->second), serializer);
    auto exc = fields.find("exc_string");
    if (exc != fields.end() && !exc->second.empty()) {
      r.exc_string = zlib_decompress(base64_decode(exc->second));
    }
  } catch (const DecodeError& e) {
    throw DecodeError("job " + job_id + ": result " + r.stream_id + ": " + e.what());
  }
  return r;
}

}  // namespace detail

namespace {

std::vector<JobResult> read_results(Connection& conn, const std::string& id, Serializer s,
                                    bool newest_only) {
  std::string key = keys::results(id);
  Reply reply = newest_only ? conn.checked({"XREVRANGE", key, "+", "-", "COUNT", "1"})
                            : conn.checked({"XREVRANGE", key, "+", "-"});
  std::vector<JobResult> out;
  for (size_t i = 0; i < reply.size(); ++i)
    out.push_back(detail::parse_result_entry(reply.at(i), s, id));
  return out;
}

}  // namespace

std::optional<JobResult> Job::latest_result() const {
  auto all = read_results(*conn_, id_, serializer_, true);
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

std::vector<JobResult> Job::results() const {
  return read_results(*conn_, id_, serializer_, false);
}

std::optional<std::string> Job::return_value() const {
  auto latest = latest_result();
  if (!latest) {
    auto legacy = fields_.find("result");
    if (legacy != fields_.end()) return decode_value(legacy->second, serializer_);
    return std::nullopt;
  }
  if (latest->type != JobResult::Type::kSuccessful) return std::nullopt;
  return latest->value;
}

std::optional<std::string> Job::exc_info() const {
  auto latest = latest_result();
  if (latest && latest->type == JobResult::Type::kFailed) return latest->exc_string;
  auto it = fields_.find("exc_info");
  if (it == fields_.end() || it->second.empty()) return std::nullopt;
  try {
    return zlib_decompress(it->second);
  } catch (const DecodeError&) {
    return it->second;
  }
}

}  // namespace rqcpp
