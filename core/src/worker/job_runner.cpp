// Running one taken job: decode its data, fork a work horse, supervise it
// (timeout, heartbeats, signals, pub/sub commands) and encode the outcome.
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>
#include <system_error>

#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"
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

}  // namespace

FinishRequest Worker::Impl::run_job(const TakenJob& job) {
  const Steady::time_point start = Steady::now();
  Serializer serializer = Serializer::kMsgpack;
  JobCall call;
  std::optional<HorseOutcome> early;
  try {
    call = decode_job_data(job.data, &serializer);
  } catch (const DecodeError& e) {
    early = HorseOutcome::failure("DecodeError",
                                  std::string("job data cannot be decoded: ") + e.what());
    call.func_name = "<undecodable>";
  }
  std::string meta("\x80", 1);
  if (!early && !job.meta.empty()) {
    try {
      meta = decode_value(job.meta, serializer);
    } catch (const DecodeError& e) {
      spdlog::warn("job {}: meta cannot be decoded ({}); the function sees an empty meta", job.id,
                   e.what());
    }
  }
  const double timeout = parse_timeout(job.timeout);
  spdlog::info("{}: job {} started: {}", job.queue, job.id, call.func_name);

  stop_job = false;
  cold_killed = false;
  bool timed_out = false;
  HorseOutcome outcome;
  if (early) {
    outcome = *early;
  } else {
    HorseJob hj{job.id, job.origin, call.func_name, call.args,     call.kwargs,
                meta,   serializer, opt.redis_url,  opt.plugin_dir};
    std::optional<WorkHorse> h;
    try {
      h.emplace(WorkHorse::spawn(hj));
    } catch (const std::system_error& e) {
      outcome = HorseOutcome::failure("RuntimeError",
                                      std::string("cannot start a work horse: ") + e.what());
    }
    if (h) {
      horse = &*h;
      current_job = job.id;
      if (stop_requests >= 2) {
        cold_killed = true;
        h->kill();
      }
      const auto deadline = timeout > 0 ? start + std::chrono::duration_cast<Steady::duration>(
                                                      std::chrono::duration<double>(timeout))
                                        : Steady::time_point::max();
      auto next_beat = start + opt.job_monitoring_interval;
      while (!h->try_reap()) {
        const auto now = Steady::now();
        if (!timed_out && now >= deadline) {
          timed_out = true;
          h->kill();
          continue;
        }
        if (now >= next_beat) {
          const double elapsed = seconds_since(start);
          const double interval = static_cast<double>(opt.job_monitoring_interval.count());
          BusyJob busy{
              job.id, job.origin, elapsed,
              static_cast<long long>(
                  timeout > 0 ? std::floor(std::max(0.0, std::min(timeout - elapsed, interval)))
                              : interval) +
                  60};
          redis_once("heartbeat", [&](Connection& c) {
            if (!record.heartbeat(c, busy)) record.register_again(c, job.id);
          });
          next_beat = now + opt.job_monitoring_interval;
        }
        auto wake =
            std::min(timed_out ? now + std::chrono::milliseconds(100) : deadline, next_beat);
        std::vector<pollfd> extra;
        const int fd = h->fd();
        if (fd >= 0) extra.push_back(pollfd{fd, POLLIN, 0});
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Steady::now()) +
                    std::chrono::milliseconds(1);
        std::vector<pollfd> fds =
            poll_events(std::move(extra), std::max(wait, std::chrono::milliseconds(0)));
        for (const pollfd& p : fds) {
          if (fd >= 0 && p.fd == fd && p.revents != 0) h->on_readable();
        }
      }
      horse = nullptr;
      current_job.clear();
      if (timed_out) {
        outcome = HorseOutcome::failure(
            "rq.timeouts.JobTimeoutException",
            "Task exceeded maximum timeout value (" +
                (job.timeout.empty() ? std::string("180") : job.timeout) + " seconds)");
      } else if (cold_killed) {
        outcome = HorseOutcome::failure("",
                                        "Job stopped by shutdown: the worker was shut down cold "
                                        "and killed its work-horse");
      } else {
        outcome = h->outcome();
      }
    }
  }

  const double working = seconds_since(start);
  std::string summary;
  FinishRequest f =
      make_finish_request(job, serializer, call.func_name, std::move(outcome), working, summary);
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
