// Job::dependencies_status: why a deferred job still waits (docs/redis-layout.md
// 3.2 and 3.13).
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {

std::vector<DependencyState> Job::dependencies_status() const {
  std::vector<std::string> ids = dependency_ids();
  if (ids.empty()) return {};
  for (const auto& dep : ids) conn_->append({"HGET", keys::job(dep), "status"});
  std::vector<Reply> replies = conn_->replies();
  const bool allow_failures = field("allow_dependency_failures") == "1";
  std::vector<DependencyState> out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (replies[i].is_error()) {
      throw RedisError("HGET " + keys::job(ids[i]) + ": " + std::string(replies[i].str()));
    }
    DependencyState d;
    d.id = std::move(ids[i]);
    if (!replies[i].is_nil()) d.status = parse_job_status(replies[i].str());
    // A status rqcpp does not know (or an empty one) is not met: only gone,
    // finished and allowed failures are.
    d.met = replies[i].is_nil() || d.status == JobStatus::kFinished ||
            (allow_failures && d.status == JobStatus::kFailed);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace rqcpp
