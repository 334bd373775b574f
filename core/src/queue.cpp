// Queue: inspection and removal (docs/redis-layout.md 1.3 and 3.14).
#include "rqcpp/queue.hpp"

#include <stdexcept>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"

namespace rqcpp {
namespace {}  // namespace

Queue::Queue(Connection& conn, std::string name, Serializer serializer)
    : conn_(&conn), name_(std::move(name)), serializer_(serializer) {
  if (name_.empty()) throw std::invalid_argument("queue name must not be empty");
}

std::string Queue::key() const {
  return keys::queue(name_);
}

long long Queue::count() {
  return conn_->checked({"LLEN", key()}).integer();
}

std::vector<std::string> Queue::job_ids(long long offset, long long length) {
  std::string start = std::to_string(offset);
  std::string end = length < 0 ? "-1" : std::to_string(offset + length - 1);
  if (length == 0) return {};
  return conn_->checked({"LRANGE", key(), start, end}).strings();
}

std::vector<Job> Queue::jobs() {
  std::vector<std::string> ids = job_ids();
  if (ids.empty()) return {};
  std::vector<std::string> job_keys;
  job_keys.reserve(ids.size());
  for (const auto& id : ids) {
    job_keys.push_back(keys::job(id));
    conn_->append({"HGETALL", job_keys.back()});
  }
  std::vector<Reply> replies = conn_->replies();
  std::vector<Job> out;
  std::vector<std::string> gone;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (replies[i].is_error()) throw RedisError("HGETALL: " + std::string(replies[i].str()));
    auto fields = replies[i].hash();
    if (fields.find("data") == fields.end()) {
      gone.push_back(ids[i]);
      continue;
    }
    try {
      Job job = Job::from_hash(*conn_, ids[i], std::move(fields));
      if (job.origin() == name_) out.push_back(std::move(job));
    } catch (const DecodeError&) {
      // Not decodable by us (e.g. a Python pickle job): not listed.
    }
  }
  if (!gone.empty()) {
    std::string k = key();
    for (const auto& id : gone) conn_->append({"LREM", k, "1", id});
    conn_->replies();
  }
  return out;
}

std::optional<Job> Queue::fetch_job(const std::string& id) {
  std::optional<Job> job = Job::try_fetch(*conn_, id);
  if (!job) {
    conn_->checked({"LREM", key(), "1", id});  // as RQ: drop the dangling id
    return std::nullopt;
  }
  if (job->origin() != name_) return std::nullopt;
  return job;
}

long long Queue::empty() {
  return detail::ScriptCall().str("queue", name_).run(*conn_, scripts::empty_queue()).integer();
}

void Queue::remove(bool delete_jobs) {
  if (delete_jobs) empty();
  std::string k = key();
  conn_->append({"MULTI"});
  conn_->append({"SREM", keys::kQueues, k});
  conn_->append({"DEL", k});
  conn_->append({"EXEC"});
  auto replies = conn_->replies();
  for (const auto& r : replies) {
    if (r.is_error()) throw RedisError("queue remove: " + std::string(r.str()));
  }
}

}  // namespace rqcpp
