// Job status strings (docs/redis-layout.md 2.3).
#include "rqcpp/job.hpp"

namespace rqcpp {
namespace {

struct StatusName {
  JobStatus status;
  std::string_view name;
};
constexpr StatusName kNames[] = {
    {JobStatus::kQueued, "queued"},     {JobStatus::kStarted, "started"},
    {JobStatus::kFinished, "finished"}, {JobStatus::kFailed, "failed"},
    {JobStatus::kDeferred, "deferred"}, {JobStatus::kScheduled, "scheduled"},
    {JobStatus::kStopped, "stopped"},   {JobStatus::kCanceled, "canceled"},
};

}  // namespace

std::string_view to_string(JobStatus status) {
  for (const auto& n : kNames) {
    if (n.status == status) return n.name;
  }
  return "";
}

std::optional<JobStatus> parse_job_status(std::string_view text) {
  for (const auto& n : kNames) {
    if (n.name == text) return n.status;
  }
  return std::nullopt;
}

}  // namespace rqcpp
