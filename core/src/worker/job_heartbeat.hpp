// Heartbeats of a running job: the rules for its deadline in rq:wip:<q>
// (the started registry) and for the worker key's TTL, and the heartbeat
// sent while a supervised child runs the job.
#pragma once

#include <chrono>
#include <string>

#include "rqcpp/worker/worker.hpp"
#include "worker/fetcher.hpp"

namespace rqcpp {

class RedisSession;
class WorkerRecord;

// The job's `timeout` field in seconds: "" or unreadable or 0 is the default
// (defaults::kJobTimeout), a negative value no limit (RQ's -1, returned as -1).
double job_timeout_seconds(const std::string& field);

// The heartbeat TTL (seconds) of a job `elapsed` seconds into its run:
// - in a work horse (killed at its deadline): RQ's Worker rule,
//   min(timeout - elapsed, interval) + grace; without a limit interval + grace.
// - in process (--worker-class simple: never interrupted, may overrun):
//   max(timeout - elapsed, interval) + grace, i.e. RQ's SimpleWorker deadline
//   (start + timeout + grace) while within its timeout and never less than
//   one heartbeat period + grace after it; without a limit interval + grace
//   (RQ's Worker rule: renewed each heartbeat, so the job never looks
//   abandoned while its worker lives, and a dead worker's job is recovered
//   within interval + grace; RQ's SimpleWorker gives a fixed 420 s instead).
enum class JobPlace { kHorse, kInProcess };
long long busy_heartbeat_ttl(JobPlace place, double timeout, double elapsed,
                             std::chrono::seconds interval, std::chrono::seconds grace);

// The heartbeats of one job run by a supervised child, every
// job_monitoring_interval. Holds non-owning references to the session and
// the record, which must outlive it.
class JobHeartbeat {
 public:
  using Steady = std::chrono::steady_clock;
  JobHeartbeat(const TakenJob& job, double timeout, Steady::time_point start,
               const WorkerOptions& options, RedisSession& redis, WorkerRecord& record);
  // Sends the heartbeat when due (registering again if the worker key is
  // gone); returns when the next one is due.
  Steady::time_point beat_if_due();

 private:
  std::string id_, origin_;
  double timeout_;
  Steady::time_point start_, next_;
  std::chrono::seconds interval_, grace_;
  RedisSession& redis_;
  WorkerRecord& record_;
};

}  // namespace rqcpp
