// Running-job heartbeats, from the supervising loop or from a thread; see
// job_heartbeat.hpp.
#include "worker/job_heartbeat.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"
#include "worker/redis_session.hpp"
#include "worker/worker_record.hpp"

namespace rqcpp {

double job_timeout_seconds(const std::string& field) {
  const auto fallback = static_cast<double>(defaults::kJobTimeout.count());
  if (field.empty()) return fallback;
  char* end = nullptr;
  double v = std::strtod(field.c_str(), &end);
  if (end == field.c_str() || *end != '\0' || std::isnan(v) || v == 0) return fallback;
  return v < 0 || v > static_cast<double>(defaults::kMaxJobTimeout.count()) ? -1 : v;
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

InProcessHeartbeat::InProcessHeartbeat(RedisUrl url, WorkerRecord& record,
                                       std::chrono::seconds interval, std::chrono::seconds grace)
    : url_(std::move(url)), record_(record), interval_(interval), grace_(grace) {}

InProcessHeartbeat::~InProcessHeartbeat() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void InProcessHeartbeat::arm(const TakenJob& job, double timeout, Steady::time_point start) {
  if (!thread_.joinable()) {
    // Signals stay with the worker's thread (its self-pipe handlers): the
    // new thread inherits a fully blocked mask.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    thread_ = std::thread([this] { loop(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = Armed{job.id, job.origin, timeout, start};
}

void InProcessHeartbeat::disarm() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_.reset();
}

long long InProcessHeartbeat::calls() {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

void InProcessHeartbeat::loop() {
  const auto tick = std::max<std::chrono::milliseconds>(
      std::chrono::milliseconds(100),
      std::chrono::duration_cast<std::chrono::milliseconds>(interval_) / 2);
  std::unique_lock<std::mutex> lock(mu_);
  while (!quit_) {
    wake_.wait_for(lock, tick);
    if (!quit_ && armed_) beat(*armed_);
  }
}

void InProcessHeartbeat::beat(const Armed& job) {
  const double elapsed = std::chrono::duration<double>(Steady::now() - job.start).count();
  BusyJob busy{job.id, job.origin, elapsed,
               busy_heartbeat_ttl(JobPlace::kInProcess, job.timeout, elapsed, interval_, grace_)};
  try {
    if (!conn_) {
      conn_.emplace(Connection::open(url_));
    } else if (conn_->broken()) {
      conn_->reconnect();
    }
    if (!record_.heartbeat(*conn_, busy)) record_.register_again(*conn_, job.id);
    ++calls_;
  } catch (const RedisError& e) {
    spdlog::warn("heartbeat of job {} failed: {}", job.id, e.what());
  }
}

}  // namespace rqcpp
