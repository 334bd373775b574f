// The heartbeat thread of the no-fork worker; see in_process_heartbeat.hpp.
#include "worker/in_process_heartbeat.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include "rqcpp/error.hpp"
#include "worker/job_heartbeat.hpp"
#include "worker/worker_record.hpp"

namespace rqcpp {

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
