// The worker's life cycle (see launcher.hpp) and rqcpp::Worker, its public
// face: option checks, then everything is the Launcher's.
#include "worker/launcher.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "rqcpp/byte_size.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/uuid.hpp"
#include "rqcpp/worker/worker.hpp"
#include "worker/dequeue_strategy.hpp"
#include "worker/plugin_loader.hpp"

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

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::chrono::seconds idle_worker_ttl(const WorkerOptions& o) {
  return o.worker_ttl + o.heartbeat_grace;
}

std::chrono::seconds idle_heartbeat_period(const WorkerOptions& o) {
  // RQ renews an idle worker's key every worker_ttl - 15 s (its dequeue
  // timeout); half the TTL keeps a short --worker-ttl (2 s) safe as well.
  return std::min(o.job_monitoring_interval, std::max(std::chrono::seconds(1), o.worker_ttl / 2));
}

std::chrono::milliseconds until(std::chrono::steady_clock::time_point t) {
  auto d =
      std::chrono::duration_cast<std::chrono::milliseconds>(t - std::chrono::steady_clock::now());
  return std::max(d, std::chrono::milliseconds(0));
}

}  // namespace

Launcher::Launcher(WorkerOptions options)
    : opt_(std::move(options)),
      loop_(RedisUrl::parse(opt_.redis_url), keys::worker_channel(opt_.name)),
      redis_(RedisUrl::parse(opt_.redis_url), loop_),
      record_(opt_.name, opt_.queues, opt_.version_text, idle_worker_ttl(opt_)),
      fetcher_(opt_.name, opt_.queues, opt_.job_monitoring_interval, opt_.default_result_ttl),
      waiter_(redis_.url(), opt_.queues),
      periodic_(opt_, redis_),
      processor_(opt_, redis_, record_, loop_, periodic_) {
  fetcher_.set_heartbeat_ttls(idle_worker_ttl(opt_), opt_.heartbeat_grace);
  allow_world_writable_plugins(opt_.allow_world_writable_plugins);
  loop_.on_warm_stop_while_busy([this] {
    redis_.once("recording the shutdown request",
                [&](Connection& c) { record_.shutdown_requested(c); });
  });
}

WorkerStats Launcher::run() {
  loop_.open();
  struct Close {
    Launcher& l;
    ~Close() {
      l.waiter_.reset();
      l.loop_.close();
    }
  } close{*this};

  record_.register_birth(redis_.connection());
  redis_.add_calls(2);  // CLIENT SETNAME, register
  spdlog::info("Worker {} started with PID {} ({})", record_.key(), getpid(), opt_.version_text);
  spdlog::info("Listening on {}{}", joined(opt_.queues, ", "), opt_.burst ? " (burst)" : "");
  next_heartbeat_ = Steady::now() + idle_heartbeat_period(opt_);
  periodic_.start();

  std::optional<TakeReply> next = take();
  while (next) {
    periodic_.run_scheduler_if_due();
    periodic_.maintain_if_due();
    if (next->kind == TakeReply::Kind::kJob) {
      next = handle_job(next->job);
    } else if (!handle_no_job(next->kind)) {
      break;
    } else {
      next = take();
    }
  }
  processor_.drop_standby();
  processor_.reap_exiting_horses(true);
  periodic_.stop();
  redis_.once("recording the worker's death", [&](Connection& c) { record_.death(c); });
  stats_.redis_calls = redis_.calls() + processor_.heartbeat_thread_calls();
  spdlog::info("Worker {} stopped: {} jobs finished, {} failed, {} Redis round trips",
               record_.key(), stats_.jobs_finished, stats_.jobs_failed, stats_.redis_calls);
  return stats_;
}

std::optional<TakeReply> Launcher::handle_job(const TakenJob& job) {
  idle_deadline_.reset();
  ProcessedJob done = processor_.process(job);
  log_and_count(job, done.executed);
  ++jobs_run_;
  fetcher_.set_queue_order(
      next_queue_order(opt_.dequeue_strategy, fetcher_.queue_order(), job.queue, rng_));
  const bool at_max = opt_.max_jobs > 0 && jobs_run_ >= opt_.max_jobs;
  // A job with a callback for its outcome is finished alone, so no next job
  // waits in rq:wip while the callback runs (one extra round trip, only for
  // such jobs).
  const bool take_next = loop_.stop_requests() == 0 && !at_max && !done.callback;
  TakeReply next = finish(done.executed.finish, take_next);
  if (at_max) spdlog::info("Worker has run {} jobs (--max-jobs); quitting", jobs_run_);
  if (done.callback) {
    run_callback(*done.callback, opt_.callback_timeout, processor_.supervisor(),
                 [this] { return idle_duties(); });
    if (loop_.stop_requests() > 0 || at_max) return std::nullopt;
    return take();
  }
  if (!take_next) return std::nullopt;
  return next;
}

bool Launcher::handle_no_job(TakeReply::Kind kind) {
  if (loop_.stop_requests() > 0 || kind == TakeReply::Kind::kNone) return false;
  if (kind == TakeReply::Kind::kSuspended) {
    if (opt_.burst) {
      spdlog::info("Suspended in burst mode, exiting");
      return false;
    }
    wait_while_suspended();
  } else {  // kEmpty
    if (opt_.burst) {
      spdlog::info("Burst mode: queues are empty, exiting");
      return false;
    }
    if (opt_.max_idle_time.count() > 0 && !idle_deadline_) {
      idle_deadline_ = Steady::now() + opt_.max_idle_time;
    }
    if (idle_deadline_ && Steady::now() >= *idle_deadline_) {
      spdlog::info("Worker idle for {} s (--max-idle-time); quitting", opt_.max_idle_time.count());
      return false;
    }
    processor_.reap_exiting_horses(true);
    processor_.prepare_standby();  // the next job then starts without a fork
    wait_for_work();
  }
  return loop_.stop_requests() == 0;
}

void Launcher::log_and_count(const TakenJob& job, const ExecutedJob& done) {
  if (done.finish.status == "finished") {
    ++stats_.jobs_finished;
    spdlog::info("{}: job {} finished in {:.3f}s: {}", job.queue, job.id, done.working_time,
                 done.func_name);
  } else {
    ++stats_.jobs_failed;
    spdlog::warn("{}: job {} {} in {:.3f}s: {}: {}", job.queue, job.id, done.finish.status,
                 done.working_time, done.func_name, done.summary);
  }
}

TakeReply Launcher::take() {
  for (;;) {
    TakeReply r;
    if (!redis_.retry("taking a job", false, [&](Connection& c) { r = fetcher_.take(c); }))
      return {};
    if (suspended_ && r.kind != TakeReply::Kind::kSuspended) {
      spdlog::info("Worker resumed");
      suspended_ = false;
    }
    note_skipped(r);
    if (r.kind != TakeReply::Kind::kUnregistered) return r;
    spdlog::warn("worker key {} vanished; registering again", record_.key());
    if (!redis_.retry("registering again", false,
                      [&](Connection& c) { record_.register_again(c, ""); })) {
      return {};
    }
  }
}

TakeReply Launcher::finish(const FinishRequest& request, bool take_next) {
  for (;;) {
    TakeReply r;
    bool ok = redis_.retry("recording the outcome of job " + request.id, true, [&](Connection& c) {
      // Forked while Redis records the outcome: the
      // next job then starts without a fork.
      r = fetcher_.finish(c, request, take_next, [&] { processor_.prepare_standby(); });
    });
    if (!ok) {
      spdlog::error("cold shutdown during a Redis outage: the outcome of job {} was not written",
                    request.id);
      return {};
    }
    if (r.kind != TakeReply::Kind::kUnregistered) {
      note_skipped(r);
      if (r.finish_state == "skipped") {
        spdlog::warn(
            "job {} was no longer started by this worker (deleted, or recorded "
            "already); outcome not written again",
            request.id);
      }
      return r;
    }
    spdlog::warn("worker key {} vanished; registering again", record_.key());
    redis_.retry("registering again", true,
                 [&](Connection& c) { record_.register_again(c, request.id); });
  }
}

void Launcher::note_skipped(const TakeReply& r) {
  if (r.kind != TakeReply::Kind::kJob && r.kind != TakeReply::Kind::kEmpty) return;
  if (r.skipped != skipped_) {
    if (r.skipped.empty()) {
      spdlog::info("Every queue can be served again");
    } else {
      std::string what;
      for (const auto& s : r.skipped) what += (what.empty() ? "" : "; ") + s.queue + ": " + s.why;
      spdlog::warn("Passing over what cannot be served (the rest is served): {}", what);
    }
    skipped_ = r.skipped;
  }
  // No wait on such a queue: a BLMOVE would fail (wrong type) or return at
  // once (a job left at its head); it is looked at again now and then.
  std::vector<std::string> queues;
  for (const auto& s : r.skipped) queues.push_back(s.queue);
  waiter_.skip(queues);
}

void Launcher::wait_for_work() {
  // A queue passed over is looked at again now and then: it may be repaired.
  constexpr auto kSkippedRecheck = std::chrono::seconds(5);
  const Steady::time_point recheck = Steady::now() + kSkippedRecheck;
  for (;;) {
    if (loop_.stop_requests() > 0) return;
    loop_.subscribe();
    try {
      waiter_.arm();
      std::vector<pollfd> fds;
      waiter_.add_fds(fds);
      Steady::time_point wake = periodic_.next(next_heartbeat_);
      if (idle_deadline_) wake = std::min(wake, *idle_deadline_);
      if (waiter_.skipping()) wake = std::min(wake, recheck);
      fds = loop_.poll(std::move(fds), until(wake));
      if (loop_.stop_requests() > 0) return;
      if (waiter_.on_poll(fds)) return;
      if (idle_deadline_ && Steady::now() >= *idle_deadline_) return;
      if (waiter_.skipping() && Steady::now() >= recheck) return;
      periodic_.run_scheduler_if_due();
      periodic_.maintain_if_due();
    } catch (const RedisError& e) {
      spdlog::warn("waiting for jobs failed: {}", e.what());
      waiter_.reset();
      loop_.poll({}, std::chrono::seconds(1));
      return;  // take() waits out an outage and tells us what is there
    }
    if (Steady::now() >= next_heartbeat_) idle_heartbeat();
  }
}

void Launcher::wait_while_suspended() {
  // RQ polls the suspension flag once a second; so do we (jobs stay queued).
  if (!suspended_) spdlog::info("Worker suspended (rq:suspended is set); waiting for resume");
  suspended_ = true;
  loop_.poll({}, std::chrono::seconds(1));
  if (Steady::now() >= next_heartbeat_) idle_heartbeat();
}

void Launcher::idle_heartbeat() {
  redis_.once("heartbeat", [&](Connection& c) {
    if (!record_.heartbeat(c, std::nullopt)) record_.register_again(c, "");
  });
  next_heartbeat_ = Steady::now() + idle_heartbeat_period(opt_);
  loop_.subscribe();
}

Launcher::Steady::time_point Launcher::idle_duties() {
  if (Steady::now() >= next_heartbeat_) idle_heartbeat();
  periodic_.run_scheduler_if_due();
  return periodic_.next(next_heartbeat_, false);
}

namespace {
// Below this every job would fail (an empty meta map alone is a byte).
constexpr std::uint64_t kMinPayloadLimit = 1024;
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
  for (auto [limit, flag] : {std::pair{o.payload_limits.data, "--max-data-size"},
                             std::pair{o.payload_limits.meta, "--max-meta-size"},
                             std::pair{o.payload_limits.result, "--max-result-size"}}) {
    if (limit < kMinPayloadLimit) {
      throw std::invalid_argument(std::string(flag) + " must be at least " +
                                  format_byte_size(kMinPayloadLimit));
    }
  }
  if (std::string problem = plugin_path_problem(o.plugin_dir, o.allow_world_writable_plugins);
      !problem.empty()) {
    throw std::invalid_argument("--plugin-dir " + problem);
  }
  const JobLimits& limits = o.job_limits;
  if (limits.cpu.count() < 0 || limits.open_files < 0) {
    throw std::invalid_argument("--job-cpu-limit and --job-max-open-files must not be negative");
  }
  if (limits.any() && o.worker_class == WorkerOptions::Class::kSimple) {
    throw std::invalid_argument(
        "--job-memory-limit, --job-cpu-limit and --job-max-open-files need a work horse per job: "
        "--worker-class simple runs jobs in the worker process, which they would limit instead");
  }
  if (limits.memory_bytes != 0 && !kJobMemoryLimitSupported) {
    throw std::invalid_argument(
        "--job-memory-limit is not available in a sanitizer build (AddressSanitizer and "
        "ThreadSanitizer reserve terabytes of address space, so an address-space limit would "
        "fail every allocation)");
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
