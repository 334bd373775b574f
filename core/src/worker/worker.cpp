// The worker's life cycle: birth, the take/run/finish loop, waiting for work,
// Redis outages, shutdown and death. Running one job is job_runner.cpp.
#include "rqcpp/worker/worker.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/uuid.hpp"
#include "worker/dequeue_strategy.hpp"
#include "worker/worker_impl.hpp"

namespace rqcpp {

namespace {

WorkerOptions validated(WorkerOptions o) {
  if (o.queues.empty()) throw std::invalid_argument("at least one queue name is required");
  for (const auto& q : o.queues) {
    if (q.empty() || q.find(',') != std::string::npos) {
      throw std::invalid_argument("invalid queue name '" + q + "' (empty or containing ',')");
    }
  }
  if (o.job_monitoring_interval < std::chrono::seconds(1)) {
    throw std::invalid_argument("job monitoring interval must be at least 1 second");
  }
  if (o.scheduler_interval < std::chrono::milliseconds(10) ||
      o.maintenance_interval < std::chrono::seconds(1)) {
    throw std::invalid_argument("scheduler interval must be >= 10 ms, maintenance interval >= 1 s");
  }
  if (o.worker_ttl < std::chrono::seconds(1) || o.heartbeat_grace < std::chrono::seconds(1)) {
    throw std::invalid_argument("worker TTL and heartbeat grace must be at least 1 second");
  }
  if (o.name.empty()) o.name = uuid4_hex();
  return o;
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
  return std::min(o.job_monitoring_interval,
                  std::max(std::chrono::seconds(1), o.worker_ttl / 2));
}

std::chrono::milliseconds until(Steady::time_point t) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Steady::now());
  return std::max(d, std::chrono::milliseconds(0));
}

}  // namespace

Worker::Impl::Impl(WorkerOptions o)
    : opt(validated(std::move(o))),
      url(RedisUrl::parse(opt.redis_url)),
      record(opt.name, opt.queues, opt.version_text, idle_worker_ttl(opt)),
      hot(opt.name, opt.queues, opt.job_monitoring_interval, opt.default_result_ttl),
      waiter(url, opt.queues),
      commands(url, keys::worker_channel(opt.name)) {
  hot.set_heartbeat_ttls(idle_worker_ttl(opt), opt.heartbeat_grace);
}

Worker::Worker(WorkerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Worker::~Worker() = default;

const std::string& Worker::name() const {
  return impl_->opt.name;
}

WorkerStats Worker::run() {
  Impl& w = *impl_;
  w.signals.emplace();
  struct Cleanup {
    Impl& w;
    ~Cleanup() {
      w.waiter.reset();
      w.commands.reset();
      w.signals.reset();
    }
  } cleanup{w};

  w.conn.emplace(Connection::open(w.url));
  w.record.register_birth(*w.conn);
  w.stats.redis_calls += 3;  // CLIENT SETNAME+ID, CLIENT LIST, register
  try {
    w.commands.connect();
  } catch (const RedisError& e) {
    spdlog::warn("pub/sub commands unavailable for now: {}", e.what());
  }
  spdlog::info("Worker {} started with PID {} ({})", w.record.key(), getpid(), w.opt.version_text);
  spdlog::info("Listening on {}{}", joined(w.opt.queues, ", "), w.opt.burst ? " (burst)" : "");
  w.next_heartbeat = Steady::now() + idle_heartbeat_period(w.opt);
  w.start_periodic();

  TakeReply next = w.take();
  for (;;) {
    w.run_scheduler_if_due();
    w.maintain_if_due();
    if (next.kind == TakeReply::Kind::kJob) {
      w.idle_deadline.reset();
      FinishRequest done = w.run_job(next.job);
      ++w.jobs_run;
      w.hot.set_queue_order(next_queue_order(w.opt.dequeue_strategy, w.hot.queue_order(),
                                             next.job.queue, w.rng));
      bool at_max = w.opt.max_jobs > 0 && w.jobs_run >= w.opt.max_jobs;
      // A job with a callback for its outcome is finished alone, so no next
      // job waits in rq:wip while the callback runs (one extra round trip,
      // only for such jobs).
      bool take_next = w.stop_requests == 0 && !at_max && !w.callback;
      next = w.finish(done, take_next);
      if (at_max) spdlog::info("Worker has run {} jobs (--max-jobs); quitting", w.jobs_run);
      if (w.callback) {
        w.run_callback(*w.callback);
        w.callback.reset();
        if (w.stop_requests > 0 || at_max) break;
        next = w.take();
        continue;
      }
      if (!take_next) break;
      continue;
    }
    if (w.stop_requests > 0 || next.kind == TakeReply::Kind::kNone) break;
    if (next.kind == TakeReply::Kind::kSuspended) {
      if (w.opt.burst) {
        spdlog::info("Suspended in burst mode, exiting");
        break;
      }
      w.wait_while_suspended();
    } else {  // kEmpty
      if (w.opt.burst) {
        spdlog::info("Burst mode: queues are empty, exiting");
        break;
      }
      if (w.opt.max_idle_time.count() > 0 && !w.idle_deadline) {
        w.idle_deadline = Steady::now() + w.opt.max_idle_time;
      }
      if (w.idle_deadline && Steady::now() >= *w.idle_deadline) {
        spdlog::info("Worker idle for {} s (--max-idle-time); quitting",
                     w.opt.max_idle_time.count());
        break;
      }
      w.reap_exiting_horses(true);
      w.prepare_standby();  // the next job then starts without a fork
      w.wait_for_work();
    }
    if (w.stop_requests > 0) break;
    next = w.take();
  }
  w.standby.reset();
  w.reap_exiting_horses(true);
  w.stop_periodic();
  w.die();
  spdlog::info("Worker {} stopped: {} jobs finished, {} failed, {} Redis round trips",
               w.record.key(), w.stats.jobs_finished, w.stats.jobs_failed, w.stats.redis_calls);
  return w.stats;
}

TakeReply Worker::Impl::take() {
  for (;;) {
    TakeReply r;
    if (!redis_retry("taking a job", false, [&](Connection& c) { r = hot.take(c); })) return {};
    if (suspended && r.kind != TakeReply::Kind::kSuspended) {
      spdlog::info("Worker resumed");
      suspended = false;
    }
    if (r.kind != TakeReply::Kind::kUnregistered) return r;
    spdlog::warn("worker key {} vanished; registering again", record.key());
    if (!redis_retry("registering again", false,
                     [&](Connection& c) { record.register_again(c, ""); })) {
      return {};
    }
  }
}

TakeReply Worker::Impl::finish(const FinishRequest& request, bool take_next) {
  for (;;) {
    TakeReply r;
    bool ok = redis_retry("recording the outcome of job " + request.id, true,
                          [&](Connection& c) {
                            // Forked while Redis records the outcome: the
                            // next job then starts without a fork.
                            r = hot.finish(c, request, take_next, [&] { prepare_standby(); });
                          });
    if (!ok) {
      spdlog::error("cold shutdown during a Redis outage: the outcome of job {} was not written",
                    request.id);
      return {};
    }
    if (r.kind != TakeReply::Kind::kUnregistered) {
      if (r.finish_state == "skipped") {
        spdlog::warn(
            "job {} was no longer started by this worker (deleted, or recorded "
            "already); outcome not written again",
            request.id);
      }
      return r;
    }
    spdlog::warn("worker key {} vanished; registering again", record.key());
    redis_retry("registering again", true,
                [&](Connection& c) { record.register_again(c, request.id); });
  }
}

void Worker::Impl::wait_for_work() {
  for (;;) {
    if (stop_requests > 0) return;
    if (!commands.connected()) {
      try {
        commands.connect();
      } catch (const RedisError&) {
        // Redis is away; the waiter below notices and take() waits it out
      }
    }
    try {
      waiter.arm();
      std::vector<pollfd> fds;
      waiter.add_fds(fds);
      Steady::time_point wake = next_periodic(next_heartbeat);
      if (idle_deadline) wake = std::min(wake, *idle_deadline);
      fds = poll_events(std::move(fds), until(wake));
      if (stop_requests > 0) return;
      if (waiter.on_poll(fds)) return;
      if (idle_deadline && Steady::now() >= *idle_deadline) return;
      run_scheduler_if_due();
      maintain_if_due();
    } catch (const RedisError& e) {
      spdlog::warn("waiting for jobs failed: {}", e.what());
      waiter.reset();
      poll_events({}, std::chrono::seconds(1));
      return;  // take() waits out an outage and tells us what is there
    }
    if (Steady::now() >= next_heartbeat) idle_heartbeat();
  }
}

void Worker::Impl::wait_while_suspended() {
  // RQ polls the suspension flag once a second; so do we (jobs stay queued).
  if (!suspended) spdlog::info("Worker suspended (rq:suspended is set); waiting for resume");
  suspended = true;
  poll_events({}, std::chrono::seconds(1));
  if (Steady::now() >= next_heartbeat) idle_heartbeat();
}

void Worker::Impl::idle_heartbeat() {
  redis_once("heartbeat", [&](Connection& c) {
    if (!record.heartbeat(c, std::nullopt)) record.register_again(c, "");
  });
  next_heartbeat = Steady::now() + idle_heartbeat_period(opt);
  if (!commands.connected()) {
    try {
      commands.connect();
    } catch (const RedisError&) {
      // retried at the next heartbeat
    }
  }
}

void Worker::Impl::die() {
  redis_once("recording the worker's death", [&](Connection& c) { record.death(c); });
}

std::vector<pollfd> Worker::Impl::poll_events(std::vector<pollfd> extra,
                                              std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds{pollfd{signals->fd(), POLLIN, 0}};
  commands.add_fd(fds);
  fds.insert(fds.end(), extra.begin(), extra.end());
  int ms = static_cast<int>(std::min<long long>(timeout.count(), 24LL * 3600 * 1000));
  if (::poll(fds.data(), fds.size(), ms) < 0) {
    for (auto& p : fds) p.revents = 0;  // EINTR: the self-pipe has the signal
  }
  if (fds[0].revents & POLLIN) {
    for (int sig : signals->drain()) {
      if (sig == SIGTERM || sig == SIGINT) request_stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
  }
  std::vector<WorkerCommand> cmds;
  try {
    cmds = commands.on_poll(fds);
  } catch (const RedisError& e) {
    spdlog::warn("pub/sub connection lost: {}", e.what());
  }
  for (const WorkerCommand& cmd : cmds) {
    switch (cmd.kind) {
      case WorkerCommand::Kind::kShutdown:
        request_stop("shutdown command");
        break;
      case WorkerCommand::Kind::kKillHorse:
        if (horse != nullptr) {
          spdlog::info("kill-horse command: killing the work horse of job {}", current_job);
          horse->kill();
        }
        break;
      case WorkerCommand::Kind::kStopJob:
        if (horse != nullptr && cmd.job_id == current_job) {
          spdlog::info("stop-job command: stopping job {}", current_job);
          stop_job = true;
          horse->kill();
        } else {
          spdlog::info("stop-job command for job {} ignored (not running here)", cmd.job_id);
        }
        break;
    }
  }
  return fds;
}

void Worker::Impl::request_stop(const char* why) {
  ++stop_requests;
  if (stop_requests == 1) {
    spdlog::info("Warm shut down requested ({}){}", why,
                 horse ? "; finishing the current job first" : "");
    if (horse != nullptr) {
      redis_once("recording the shutdown request",
                 [&](Connection& c) { record.shutdown_requested(c); });
    }
  } else if (stop_requests == 2) {
    spdlog::warn("Cold shut down ({})", why);
    if (horse != nullptr) {
      cold_killed = true;
      horse->kill();
    }
  }
}

bool Worker::Impl::redis_once(const char* what, const std::function<void(Connection&)>& fn) {
  try {
    if (!conn) {
      conn.emplace(Connection::open(url));
    } else if (conn->broken()) {
      conn->reconnect();
    }
    fn(*conn);
    ++stats.redis_calls;
    return true;
  } catch (const RedisError& e) {
    spdlog::warn("{} failed: {}", what, e.what());
    return false;
  }
}

bool Worker::Impl::redis_retry(const std::string& what, bool must_complete,
                               const std::function<void(Connection&)>& fn) {
  auto backoff = std::chrono::milliseconds(100);
  bool failed_before = false;
  for (;;) {
    try {
      if (!conn) {
        conn.emplace(Connection::open(url));
      } else if (conn->broken()) {
        conn->reconnect();
      }
      fn(*conn);
      ++stats.redis_calls;
      if (failed_before) spdlog::info("{}: Redis answers again", what);
      return true;
    } catch (const RedisError& e) {
      if (!failed_before)
        spdlog::warn("{} failed: {}; retrying until Redis answers", what, e.what());
      failed_before = true;
    }
    if (stop_requests > (must_complete ? 1 : 0)) return false;
    poll_events({}, backoff);
    if (stop_requests > (must_complete ? 1 : 0)) return false;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }
}

}  // namespace rqcpp
