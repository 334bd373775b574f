// Running one taken job: decode its data, fork a work horse, supervise it
// (timeout, heartbeats, signals, pub/sub commands) and encode the outcome.
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>
#include <system_error>

#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"
#include "worker/callback_args.hpp"
#include "worker/job_outcome.hpp"
#include "worker/worker_impl.hpp"

namespace rqcpp {

namespace {

constexpr double kDefaultTimeout = 180;  // Queue.DEFAULT_TIMEOUT

// The job's `timeout` field in seconds; <= 0 means no limit (RQ's -1).
double parse_timeout(const std::string& field) {
  if (field.empty()) return kDefaultTimeout;
  char* end = nullptr;
  double v = std::strtod(field.c_str(), &end);
  if (end == field.c_str() || *end != '\0' || std::isnan(v)) return kDefaultTimeout;
  return v == 0 ? kDefaultTimeout : v;
}

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

// RQ's heartbeat TTL for a running job: min(timeout - elapsed, interval) +
// grace, or interval + grace without a limit (RQ's grace: a fixed 60 s).
long long busy_ttl(double timeout, double elapsed, std::chrono::seconds interval,
                   std::chrono::seconds grace) {
  const double i = static_cast<double>(interval.count());
  const double base = timeout > 0 ? std::max(0.0, std::min(timeout - elapsed, i)) : i;
  return static_cast<long long>(std::floor(base)) + grace.count();
}

}  // namespace

HorseOutcome Worker::Impl::supervise(WorkHorse& h, const TakenJob& job, double timeout,
                                     Steady::time_point start) {
  horse = &h;
  current_job = job.id;
  struct Forget {  // commands and signals must never see a horse that is gone
    Impl& w;
    ~Forget() {
      w.horse = nullptr;
      w.current_job.clear();
    }
  } forget{*this};
  stop_job = false;
  cold_killed = false;
  if (stop_requests >= 2) {
    cold_killed = true;
    h.kill();
  }
  bool timed_out = false;
  const auto deadline = timeout > 0 ? start + std::chrono::duration_cast<Steady::duration>(
                                                  std::chrono::duration<double>(timeout))
                                    : Steady::time_point::max();
  auto next_beat = start + opt.job_monitoring_interval;

  // The outcome is written as soon as its frame is complete: the horse's
  // exit (page-table teardown) overlaps the finish round trip, and the
  // horse is reaped before the next one is forked (run_job).
  while (!h.reported() && !h.try_reap()) {
    const auto now = Steady::now();
    if (!timed_out && now >= deadline) {
      timed_out = true;
      h.kill();  // the whole process group; SIGCHLD wakes us when it is gone
      continue;
    }
    if (now >= next_beat) {
      const double elapsed = seconds_since(start);
      BusyJob busy{job.id, job.origin, elapsed,
                   busy_ttl(timeout, elapsed, opt.job_monitoring_interval, opt.heartbeat_grace)};
      redis_once("heartbeat", [&](Connection& c) {
        if (!record.heartbeat(c, busy)) record.register_again(c, job.id);
      });
      next_beat = now + opt.job_monitoring_interval;
    }
    run_scheduler_if_due();
    const auto wake = next_periodic(
        std::min(timed_out ? now + std::chrono::milliseconds(100) : deadline, next_beat), false);
    std::vector<pollfd> extra;
    const int fd = h.fd();
    if (fd >= 0) extra.push_back(pollfd{fd, POLLIN, 0});
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Steady::now()) +
                std::chrono::milliseconds(1);
    std::vector<pollfd> fds =
        poll_events(std::move(extra), std::max(wait, std::chrono::milliseconds(0)));
    for (const pollfd& p : fds) {
      if (fd >= 0 && p.fd == fd && p.revents != 0) h.on_readable();
    }
  }
  if (timed_out) {
    return HorseOutcome::failure("rq.timeouts.JobTimeoutException",
                                 "Task exceeded maximum timeout value (" +
                                     (job.timeout.empty() ? "180" : job.timeout) + " seconds)");
  }
  if (cold_killed) {
    return HorseOutcome::failure(
        "", "Job stopped by shutdown: the worker was shut down cold and killed its work-horse");
  }
  return h.outcome();
}

void Worker::Impl::prepare_standby() {
  if (opt.worker_class != WorkerOptions::Class::kFork || stop_requests > 0) return;
  if (standby && standby_generation == plugins.generation()) return;
  standby.reset();
  try {
    standby.emplace(WorkHorse::standby());
    standby_generation = plugins.generation();
  } catch (const std::system_error& e) {
    spdlog::warn("cannot fork a standby work horse ({}); the next job forks its own", e.what());
  }
}

void Worker::Impl::reap_exiting_horses(bool block) {
  constexpr size_t kMaxExiting = 8;  // bounds the zombies if exits are slow
  const bool too_many = exiting_horses.size() > kMaxExiting;
  exiting_horses.remove_if([&](WorkHorse& h) {
    if (block || too_many) h.wait();  // it reported; _exit() is under way
    return h.try_reap();
  });
}

WorkHorse Worker::Impl::start_horse(const HorseJob& hj) {
  reap_exiting_horses(false);
  std::optional<WorkHorse> ready = std::move(standby);
  standby.reset();
  if (ready && standby_generation == plugins.generation() && ready->start(hj)) {
    return std::move(*ready);
  }
  ready.reset();  // killed while waiting, or forked before the plugin was loaded
  return WorkHorse::spawn(hj);
}

FinishRequest Worker::Impl::run_job(const TakenJob& job) {
  const Steady::time_point start = Steady::now();
  Serializer serializer = Serializer::kMsgpack;
  JobCall call;
  std::optional<HorseOutcome> outcome;
  try {
    call = decode_job_data(job.data, &serializer);
  } catch (const DecodeError& e) {
    outcome = HorseOutcome::failure("DecodeError",
                                    std::string("job data cannot be decoded: ") + e.what());
    call.func_name = "<undecodable>";
  }
  std::string meta("\x80", 1);
  if (!outcome && !job.meta.empty()) {
    try {
      meta = decode_value(job.meta, serializer);
    } catch (const DecodeError& e) {
      spdlog::warn("job {}: meta cannot be decoded ({}); the function sees an empty meta", job.id,
                   e.what());
    }
  }
  spdlog::info("{}: job {} started: {}", job.queue, job.id, call.func_name);

  stop_job = false;
  if (!outcome) {
    HorseJob hj{job.id, job.origin, call.func_name, call.args,     call.kwargs,
                meta,   serializer, opt.redis_url,  opt.plugin_dir};
    try {
      if (opt.worker_class == WorkerOptions::Class::kSimple) {
        outcome = run_in_process(plugins, hj);
        const double timeout = parse_timeout(job.timeout);
        if (timeout > 0 && seconds_since(start) > timeout) {
          spdlog::warn(
              "job {} ran {:.1f}s, over its timeout of {}s: the simple worker cannot "
              "interrupt in-process code, its outcome is recorded as it is",
              job.id, seconds_since(start), timeout);
        }
      } else {
        // A plugin some horse already loaded is loaded here too, and horses
        // inherit it instead of loading it once per job; an untried one is
        // loaded by the horse, under the job's supervision and timeout.
        TriedPlugins::Lookup found = plugins.loaded_function(opt.plugin_dir, call.func_name);
        hj.fn = found.fn;
        WorkHorse h = start_horse(hj);
        outcome = supervise(h, job, parse_timeout(job.timeout), start);
        if (h.reported()) plugins.adopt(opt.plugin_dir, found);
        if (!h.reaped()) exiting_horses.push_back(std::move(h));
      }
    } catch (const PluginError& e) {
      outcome = HorseOutcome::failure("PluginError", e.what());
    } catch (const std::system_error& e) {
      outcome = HorseOutcome::failure("RuntimeError",
                                      std::string("cannot start a work horse: ") + e.what());
    }
  }

  const double working = seconds_since(start);
  // Callback arguments come from the outcome before it is encoded (moved).
  callback.reset();
  const std::string* cb_name = nullptr;
  std::string cb_args;
  if (stop_job) {
    cb_name = &job.on_stopped;
    if (!cb_name->empty()) cb_args = stopped_callback_args(job.id);
  } else if (outcome->ok) {
    cb_name = &job.on_success;
    if (!cb_name->empty()) {
      const bool value = outcome->result && !outcome->result->empty();
      cb_args = success_callback_args(job.id, value ? *outcome->result : std::string("\xc0", 1));
    }
  } else {
    cb_name = &job.on_failure;
    if (!cb_name->empty()) {
      cb_args = failure_callback_args(job.id, outcome->exc_type, outcome->exc_message);
    }
  }
  if (!cb_name->empty()) {
    const char* kind = stop_job ? "stopped" : (outcome->ok ? "success" : "failure");
    callback = PendingCallback{
        kind, HorseJob{job.id, job.origin, *cb_name, cb_args, std::string("\x80", 1), meta,
                       serializer, opt.redis_url, opt.plugin_dir}};
  }
  std::string summary;
  FinishRequest f =
      make_finish_request(job, serializer, call.func_name, std::move(*outcome), working, summary);
  if (stop_job) {
    f.status = "stopped";
    f.has_value = false;
    f.payload = base64_encode(zlib_compress("Job stopped by user, work-horse terminated."));
    summary = "stopped by user";
  }
  if (f.status == "finished") {
    ++stats.jobs_finished;
    spdlog::info("{}: job {} finished in {:.3f}s: {}", job.queue, job.id, working, call.func_name);
  } else {
    ++stats.jobs_failed;
    spdlog::warn("{}: job {} {} in {:.3f}s: {}: {}", job.queue, job.id, f.status, working,
                 call.func_name, summary);
  }
  return f;
}

}  // namespace rqcpp
