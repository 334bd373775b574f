// Running-job heartbeats; see job_heartbeat.hpp.
#include "worker/job_heartbeat.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "rqcpp/defaults.hpp"
#include "worker/redis_session.hpp"
#include "worker/worker_record.hpp"

namespace rqcpp {

double job_timeout_seconds(const std::string& field) {
  const auto fallback = static_cast<double>(defaults::kJobTimeout.count());
  if (field.empty()) return fallback;
  char* end = nullptr;
  double v = std::strtod(field.c_str(), &end);
  if (end == field.c_str() || *end != '\0' || std::isnan(v) || v == 0) return fallback;
  return v < 0 ? -1 : v;
}

long long busy_heartbeat_ttl(JobPlace place, double timeout, double elapsed,
                             std::chrono::seconds interval, std::chrono::seconds grace) {
  const auto i = static_cast<double>(interval.count());
  double base = i;
  if (timeout > 0) {
    const double left = timeout - elapsed;
    base = place == JobPlace::kHorse ? std::max(0.0, std::min(left, i)) : std::max(left, i);
  }
  return static_cast<long long>(std::floor(base)) + grace.count();
}

JobHeartbeat::JobHeartbeat(const TakenJob& job, double timeout, Steady::time_point start,
                           const WorkerOptions& options, RedisSession& redis, WorkerRecord& record)
    : id_(job.id),
      origin_(job.origin),
      timeout_(timeout),
      start_(start),
      next_(start + options.job_monitoring_interval),
      interval_(options.job_monitoring_interval),
      grace_(options.heartbeat_grace),
      redis_(redis),
      record_(record) {}

JobHeartbeat::Steady::time_point JobHeartbeat::beat_if_due() {
  const auto now = Steady::now();
  if (now < next_) return next_;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  BusyJob busy{id_, origin_, elapsed,
               busy_heartbeat_ttl(JobPlace::kHorse, timeout_, elapsed, interval_, grace_)};
  redis_.once("heartbeat", [&](Connection& c) {
    if (!record_.heartbeat(c, busy)) record_.register_again(c, id_);
  });
  next_ = now + interval_;
  return next_;
}

}  // namespace rqcpp
