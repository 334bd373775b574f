// Job: snapshot of rq:job:<id> and its accessors.
#include "rqcpp/job.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

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

void Job::load(std::map<std::string, std::string> fields) {
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
    throw DecodeError("job " + id_ + ": " + e.what());
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

}  // namespace rqcpp
