// rqcpp::Worker: option checks and the facade over the Launcher.
#include "rqcpp/worker/worker.hpp"

#include <stdexcept>

#include "rqcpp/uuid.hpp"
#include "worker/launcher.hpp"

namespace rqcpp {

namespace {

void at_least(std::chrono::milliseconds value, std::chrono::milliseconds min, const char* flag,
              const char* unit) {
  if (value < min) {
    throw std::invalid_argument(std::string(flag) + " must be at least " +
                                std::to_string(min.count() / (unit[0] == 's' ? 1000 : 1)) + " " +
                                unit);
  }
}

}  // namespace

WorkerOptions validate_worker_options(WorkerOptions o) {
  if (o.queues.empty()) throw std::invalid_argument("at least one QUEUE is required");
  for (const auto& q : o.queues) {
    if (q.empty() || q.find(',') != std::string::npos) {
      throw std::invalid_argument("invalid queue name '" + q + "' (empty or containing ',')");
    }
  }
  using std::chrono::seconds;
  at_least(o.job_monitoring_interval, seconds(1), "--job-monitoring-interval", "second");
  at_least(o.maintenance_interval, seconds(1), "--maintenance-interval", "second");
  at_least(o.worker_ttl, seconds(1), "--worker-ttl", "second");
  at_least(o.heartbeat_grace, seconds(1), "--heartbeat-grace", "second");
  at_least(o.callback_timeout, seconds(1), "--callback-timeout", "second");
  at_least(o.scheduler_interval, std::chrono::milliseconds(10), "scheduler interval", "ms");
  if (o.max_jobs < 0 || o.max_idle_time.count() < 0) {
    throw std::invalid_argument("--max-jobs and --max-idle-time must not be negative");
  }
  if (o.name.empty()) o.name = uuid4_hex();
  return o;
}

Worker::Worker(WorkerOptions options)
    : launcher_(std::make_unique<Launcher>(validate_worker_options(std::move(options)))) {}
Worker::~Worker() = default;

const std::string& Worker::name() const {
  return launcher_->name();
}

WorkerStats Worker::run() {
  return launcher_->run();
}

}  // namespace rqcpp
