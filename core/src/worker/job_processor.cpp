// One job from take to finish request; see job_processor.hpp.
#include "worker/job_processor.hpp"

#include <spdlog/spdlog.h>

#include <system_error>

#include "rqcpp/defaults.hpp"
#include "rqcpp/serialization.hpp"
#include "worker/event_loop.hpp"
#include "worker/horse_limits.hpp"
#include "worker/job_heartbeat.hpp"
#include "worker/periodic_tasks.hpp"
#include "worker/redis_session.hpp"

namespace rqcpp {

JobProcessor::JobProcessor(const WorkerOptions& options, RedisSession& redis, WorkerRecord& record,
                           EventLoop& loop, PeriodicTasks& periodic)
    : opt_(options),
      redis_(redis),
      record_(record),
      loop_(loop),
      periodic_(periodic),
      supervisor_(&loop),
      plugins_(supervisor_) {
  base_.redis_url = opt_.redis_url;
  base_.plugin_dir = opt_.plugin_dir;
  // Every call starts under the worker's limits, also the callback of a
  // job that failed before set_call_limits saw it (data or meta refused).
  base_.limits = opt_.job_limits;
  if (opt_.worker_class == WorkerOptions::Class::kSimple) {
    in_process_beat_.emplace(redis_.url(), record_, opt_.job_monitoring_interval,
                             opt_.heartbeat_grace);
  }
}

ProcessedJob JobProcessor::process(const TakenJob& job) {
  const Steady::time_point start = Steady::now();
  const double timeout = job_timeout_seconds(job.timeout);
  JobHeartbeat beat(job, timeout, start, opt_, redis_, record_);
  const Duties duties = [&] {
    const auto next = beat.beat_if_due();
    periodic_.run_scheduler_if_due();
    return periodic_.next(next, false);
  };
  bool stopped = false;
  ProcessedJob out;
  const CallRunner run = [&](PluginCall& call) {
    spdlog::info("{}: job {} started: {}", job.queue, job.id, call.func_name);
    const bool in_process = opt_.worker_class == WorkerOptions::Class::kSimple;
    if (auto refused = set_call_limits(call, opt_.job_limits, in_process)) return *refused;
    try {
      if (in_process) {
        return run_in_process(call, job, timeout, start, duties);
      }
      return run_in_horse(call, job, timeout, start, duties, stopped);
    } catch (const PluginError& e) {
      return CallOutcome::failure("PluginError", e.what());
    } catch (const std::system_error& e) {
      return CallOutcome::failure("RuntimeError",
                                  std::string("cannot start a work horse: ") + e.what());
    }
  };
  out.executed = execute_job(job, base_, opt_.payload_limits, run,
                             [&](const PluginCall& call, const CallOutcome& o) {
                               out.callback = pick_callback(job, call, o, stopped);
                             });
  if (stopped) {
    FinishRequest& f = out.executed.finish;
    f.status = "stopped";
    f.has_value = false;
    f.payload = base64_encode(zlib_compress("Job stopped by user, work-horse terminated."));
    out.executed.summary = "stopped by user";
  }
  return out;
}

CallOutcome JobProcessor::run_in_horse(PluginCall& call, const TakenJob& job, double timeout,
                                       Steady::time_point start, const Duties& duties,
                                       bool& stopped) {
  // A plugin some horse already loaded is loaded here too, and horses
  // inherit it instead of loading it once per job; an untried one is loaded
  // by the horse, under the job's supervision and timeout.
  TriedPlugins::Lookup found = plugins_.loaded_function(opt_.plugin_dir, call.func_name);
  call.fn = found.fn;
  WorkHorse h = start_horse(call);
  // Room for the result, the meta and the error texts; beyond it the horse
  // is killed before it fills this process's memory.
  constexpr std::uint64_t kOutcomeSlack = std::uint64_t{1} << 20;
  h.process().limit_output(opt_.payload_limits.result + opt_.payload_limits.meta + kOutcomeSlack);
  ChildWatch watch;
  watch.job_id = job.id;
  if (timeout > 0) {
    watch.deadline = start + std::chrono::duration_cast<Steady::duration>(
                                 std::chrono::duration<double>(timeout));
  }
  // The outcome is written as soon as its frame is complete: the horse's
  // exit (page-table teardown) overlaps the finish round trip, and the
  // horse is reaped before the next one is forked (start_horse).
  watch.finished = [&] { return h.reported(); };
  watch.duties = duties;
  const ChildEnd end = supervisor_.wait(h.process(), watch);
  stopped = end.stop_job;
  CallOutcome outcome;
  if (end.timed_out) {
    const std::string limit =
        job.timeout.empty() ? std::to_string(defaults::kJobTimeout.count()) : job.timeout;
    outcome = CallOutcome::failure("rq.timeouts.JobTimeoutException",
                                   "Task exceeded maximum timeout value (" + limit + " seconds)");
  } else if (end.cold_killed) {
    outcome = CallOutcome::failure(
        "", "Job stopped by shutdown: the worker was shut down cold and killed its work-horse");
  } else {
    outcome = name_limit_failure(h.outcome(), call.limits, opt_.job_limits, h.process());
  }
  if (h.reported() && outcome.plugin_checked) plugins_.adopt(opt_.plugin_dir, found);
  if (!h.reaped()) exiting_.push_back(std::move(h));
  return outcome;
}

CallOutcome JobProcessor::run_in_process(PluginCall& call, const TakenJob& job, double timeout,
                                         Steady::time_point start, const Duties& duties) {
  // A probe (first job of a plugin file) is supervised like any child, with
  // this job's heartbeat running.
  plugins_.set_probe_duties(duties);
  struct ResetDuties {
    TriedPlugins& p;
    ~ResetDuties() { p.set_probe_duties(nullptr); }
  } reset{plugins_};
  const rqcpp_job_fn fn = plugins_.function(opt_.plugin_dir, call.func_name);
  in_process_beat_->arm(job, timeout, start);
  struct Disarm {
    InProcessHeartbeat& b;
    ~Disarm() { b.disarm(); }
  } disarm{*in_process_beat_};
  CallOutcome outcome = run_guarded([&] { return call_plugin_function(call, fn); });
  const double ran = std::chrono::duration<double>(Steady::now() - start).count();
  if (timeout > 0 && ran > timeout) {
    spdlog::warn(
        "job {} ran {:.1f}s, over its timeout of {}s: the simple worker cannot interrupt "
        "in-process code, its outcome is recorded as it is",
        job.id, ran, timeout);
  }
  return outcome;
}

void JobProcessor::prepare_standby() {
  if (opt_.worker_class != WorkerOptions::Class::kFork || loop_.stop_requests() > 0) return;
  if (standby_ && standby_generation_ == plugins_.generation()) return;
  standby_.reset();
  try {
    standby_.emplace(WorkHorse::standby());
    standby_generation_ = plugins_.generation();
  } catch (const std::system_error& e) {
    spdlog::warn("cannot fork a standby work horse ({}); the next job forks its own", e.what());
  }
}

void JobProcessor::reap_exiting_horses(bool block) {
  constexpr size_t kMaxExiting = 8;  // bounds the zombies if exits are slow
  const bool too_many = exiting_.size() > kMaxExiting;
  exiting_.remove_if([&](WorkHorse& h) {
    if (block || too_many) h.process().wait();  // it reported; _exit() is under way
    return h.process().try_reap();
  });
}

WorkHorse JobProcessor::start_horse(const PluginCall& call) {
  reap_exiting_horses(false);
  std::optional<WorkHorse> ready = std::move(standby_);
  standby_.reset();
  if (ready && standby_generation_ == plugins_.generation() && ready->start(call)) {
    return std::move(*ready);
  }
  ready.reset();  // killed while waiting, or forked before the plugin was loaded
  return WorkHorse::spawn(call);
}

long long JobProcessor::heartbeat_thread_calls() {
  return in_process_beat_ ? in_process_beat_->calls() : 0;
}

}  // namespace rqcpp
