// Job: snapshot of rq:job:<id> and its accessors, and the readers of its
// results in rq:results:<id> (docs/redis-layout.md 1.4): the newest entry
// decides return_value() and exc_info().
#include "rqcpp/job.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "result_entry.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {
namespace {

std::optional<long long> integer_field(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    return parse_duration(text);  // RQ reads these with parse_timeout too
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

std::map<std::string, std::string> read_hash(Connection& conn, const std::string& id) {
  Reply r = conn.checked({"HGETALL", keys::job(id)});
  return r.hash();
}

}  // namespace

Job::Job(Connection& conn, std::string id) : conn_(&conn), id_(std::move(id)) {}

Job Job::fetch(Connection& conn, std::string id) {
  auto fields = read_hash(conn, id);
  return from_hash(conn, std::move(id), std::move(fields));
}

Job Job::fetch_readable(Connection& conn, std::string id) {
  Job job(conn, std::move(id));
  job.load(read_hash(conn, job.id_), true);
  return job;
}

std::optional<Job> Job::try_fetch(Connection& conn, std::string id) {
  auto fields = read_hash(conn, id);
  if (fields.find("data") == fields.end()) return std::nullopt;
  return from_hash(conn, std::move(id), std::move(fields));
}

Job Job::from_hash(Connection& conn, std::string id, std::map<std::string, std::string> fields) {
  Job job(conn, std::move(id));
  job.load(std::move(fields));
  return job;
}

Job Job::from_written(Connection& conn, std::string id, std::map<std::string, std::string> fields,
                      JobCall call, Serializer serializer) {
  Job job(conn, std::move(id));
  job.fields_ = std::move(fields);
  job.call_ = std::move(call);
  job.serializer_ = serializer;
  return job;
}

void Job::load(std::map<std::string, std::string> fields, bool readable) {
  auto data = fields.find("data");
  if (data == fields.end()) {
    throw NoSuchJobError(fields.empty() ? "no such job: " + id_
                                        : "unexpected job format (no data field): " + id_);
  }
  Serializer detected = Serializer::kMsgpack;
  JobCall call;
  try {
    call = decode_job_data(data->second, &detected);
  } catch (const DecodeError& e) {
    if (!readable) {
      if (dynamic_cast<const SizeLimitError*>(&e))
        throw SizeLimitError("job " + id_ + ": " + e.what());
      throw DecodeError("job " + id_ + ": " + e.what());
    }
    data_error_ = e.what();
    call = JobCall{};  // empty args and kwargs
  }
  call_ = std::move(call);
  serializer_ = detected;
  fields_ = std::move(fields);
}

void Job::throw_decode(const char* what) {
  throw DecodeError(std::string("result does not convert: ") + what);
}

std::optional<JobStatus> Job::status() const {
  return parse_job_status(field("status"));
}

std::optional<JobStatus> Job::fetch_status() {
  Reply r = conn_->checked({"HGET", keys::job(id_), "status"});
  if (r.is_nil()) {
    fields_.erase("status");
    return std::nullopt;
  }
  fields_["status"] = std::string(r.str());
  return status();
}

void Job::refresh() {
  load(read_hash(*conn_, id_));
}

std::string Job::meta() const {
  auto it = fields_.find("meta");
  if (it == fields_.end() || it->second.empty()) return std::string("\x80", 1);
  std::string m = decode_value(it->second, serializer_);
  if (m.empty() ||
      !((static_cast<unsigned char>(m[0]) & 0xf0) == 0x80 || m[0] == '\xde' || m[0] == '\xdf')) {
    throw DecodeError("job " + id_ + ": meta is not a map");
  }
  return m;
}

std::string Job::field(std::string_view name) const {
  auto it = fields_.find(std::string(name));
  return it == fields_.end() ? std::string() : it->second;
}

std::optional<Clock::time_point> Job::created_at() const {
  return parse_timestamp(field("created_at"));
}
std::optional<Clock::time_point> Job::enqueued_at() const {
  return parse_timestamp(field("enqueued_at"));
}
std::optional<Clock::time_point> Job::started_at() const {
  return parse_timestamp(field("started_at"));
}
std::optional<Clock::time_point> Job::ended_at() const {
  return parse_timestamp(field("ended_at"));
}

std::optional<long long> Job::timeout() const {
  return integer_field(field("timeout"));
}
std::optional<long long> Job::result_ttl() const {
  return integer_field(field("result_ttl"));
}
std::optional<long long> Job::failure_ttl() const {
  return integer_field(field("failure_ttl"));
}
std::optional<long long> Job::ttl() const {
  return integer_field(field("ttl"));
}
std::optional<long long> Job::retries_left() const {
  return integer_field(field("retries_left"));
}

std::vector<std::string> Job::dependency_ids() const {
  std::string ids = field("dependency_ids");
  if (!ids.empty()) {
    try {
      auto j = nlohmann::json::parse(ids);
      if (j.is_array()) {
        std::vector<std::string> out;
        for (const auto& v : j) {
          if (v.is_string()) out.push_back(v.get<std::string>());
        }
        return out;
      }
    } catch (const nlohmann::json::exception&) {
      // fall back to the legacy field below
    }
  }
  std::string one = field("dependency_id");
  if (!one.empty()) return {one};
  return {};
}

namespace detail {

namespace {
// What replaces an error text over the limit.
std::string oversized_exc(const SizeLimitError& e) {
  return std::string("(exception text not shown: ") + e.what() + ")";
}
}  // namespace

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
      try {
        r.exc_string = zlib_decompress(base64_decode(exc->second), defaults::kMaxResultSize);
      } catch (const SizeLimitError& e) {
        r.exc_string = oversized_exc(e);
      }
    }
  } catch (const DecodeError& e) {
    throw DecodeError("job " + job_id + ": result " + r.stream_id + ": " + e.what());
  }
  return r;
}

std::string exc_text(std::string_view zlib_bytes) {
  try {
    return zlib_decompress(zlib_bytes, defaults::kMaxResultSize);
  } catch (const SizeLimitError& e) {
    return oversized_exc(e);
  } catch (const DecodeError&) {
    return std::string(zlib_bytes);
  }
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
  return detail::exc_text(it->second);
}

}  // namespace rqcpp
