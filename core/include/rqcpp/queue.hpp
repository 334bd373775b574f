// A named queue (RQ's Queue): enqueue jobs, inspect and empty it.
// Queues exist on the fly; enqueueing registers the queue in rq:queues.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rqcpp/args.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/typed_enqueue.hpp"

namespace rqcpp {

class Connection;

// A duration in seconds, given as a number or as text "90", "1h", "3m",
// "5s", "2d". Constructing from text throws std::invalid_argument for other
// forms. The constructors are implicit on purpose, so that an option reads
// like RQ's keyword arguments: `o.job_timeout = "5m"` or `= 300`.
// NOLINTBEGIN(google-explicit-constructor): implicit by design (see above)
struct Duration {
  long long seconds;
  Duration(long long s) : seconds(s) {}
  Duration(int s) : seconds(s) {}
  Duration(std::string_view text);
  Duration(const char* text) : Duration(std::string_view(text)) {}
};
// NOLINTEND(google-explicit-constructor)

// RQ's Retry(max, interval): retry a failed job up to `max` more times,
// waiting intervals[i] seconds (one value or a list; docs/redis-layout.md 3.10).
struct Retry {
  int max = 1;
  std::vector<long long> intervals = {0};
};

// Options of one enqueue; every field mirrors RQ's keyword of the same name.
struct EnqueueOptions {
  std::optional<Duration> job_timeout;   // default defaults::kJobTimeout; -1 = no limit; 0 rejected
  std::optional<long long> result_ttl;   // default defaults::kResultTtl; 0 = not kept; -1 = forever
  std::optional<long long> ttl;          // max seconds queued before discarded
  std::optional<long long> failure_ttl;  // default defaults::kFailureTtl; -1 = forever
  std::vector<std::string> depends_on;   // job ids this job waits for
  bool allow_dependency_failures = false;
  bool enqueue_at_front = false;           // for a deferred job once it is released
  std::optional<std::string> job_id;       // default: a fresh uuid4
  bool at_front = false;                   // LPUSH instead of RPUSH
  std::optional<std::string> description;  // default: RQ-style call string
  std::string meta;                        // msgpack map bytes; empty = none
  std::optional<Retry> retry;
  std::string on_success;  // "libname:function" callbacks, empty = none
  std::string on_failure;
  std::string on_stopped;
};

// One job for enqueue_many.
struct JobSpec {
  std::string func_name;
  Args args;
  EnqueueOptions options;
};

class Queue : public TypedEnqueue<Queue> {
 public:
  // `conn` must outlive the Queue and every Job it returns.
  Queue(Connection& conn, std::string name, Serializer serializer = Serializer::kMsgpack);

  const std::string& name() const { return name_; }
  std::string key() const;  // rq:queue:<name>

  // Enqueues func_name ("libname:function", valid as rqcpp/function_ref.hpp
  // says) with the given arguments and options, atomically in one round trip
  // (core/scripts/enqueue.lua; the client clock gives created_at/enqueued_at
  // and the deferred score, as in RQ). Returns the stored Job (status queued, or deferred when a
  // dependency exists and is not finished). Throws std::invalid_argument for
  // bad options (timeout 0, ttl <= 0, malformed func or callback name, meta
  // not a msgpack map, retry max < 1 or negative interval, empty job_id),
  // RedisError when Redis fails.
  Job enqueue_call(std::string_view func_name, const Args& args,
                   const EnqueueOptions& options = {});
  // Typed convenience (typed_enqueue.hpp): q.enqueue("lib:add", 1, 2),
  // q.enqueue_with(opts, "lib:add", 1, 2).

  // Schedules func_name to run at `when` (RQ's enqueue_at, docs/redis-layout.md 3.3), in
  // one round trip (core/scripts/schedule.lua): ZADD rq:scheduled:<q> with
  // `when` as integer Unix seconds (truncated, as RQ), SADD rq:queues, and the
  // job hash with status scheduled and no enqueued_at. Nothing is queued
  // until a Scheduler (scheduler.hpp) moves the job, once that second has
  // come. options.at_front (or enqueue_at_front) is stored as the hash field
  // enqueue_at_front 1, so the scheduler LPUSHes it; options.ttl starts
  // counting when the job is moved (as RQ). Returns the stored Job (status
  // scheduled). Throws as enqueue_call, and std::invalid_argument when
  // depends_on is set (RQ silently ignores dependencies of scheduled jobs).
  Job enqueue_call_at(Clock::time_point when, std::string_view func_name, const Args& args,
                      const EnqueueOptions& options = {});
  // enqueue_call_at(now + delay, ...): RQ's enqueue_in. Also throws
  // std::invalid_argument when now + delay is after 2262-04-11 (the end of
  // Clock; kMaxUnixSeconds), instead of wrapping to a wrong time.
  Job enqueue_call_in(Clock::duration delay, std::string_view func_name, const Args& args,
                      const EnqueueOptions& options = {});

  // Typed conveniences: q.enqueue_at(t, "lib:add", 1, 2),
  // q.enqueue_in(std::chrono::seconds(30), "lib:add", 1, 2).
  template <class... A>
  Job enqueue_at(Clock::time_point when, std::string_view func_name, A&&... args) {
    return enqueue_call_at(when, func_name, Args::of(std::forward<A>(args)...));
  }
  template <class Rep, class Period, class... A>
  Job enqueue_in(std::chrono::duration<Rep, Period> delay, std::string_view func_name,
                 A&&... args) {
    // A delay beyond Clock's range would overflow in the cast itself.
    const Clock::duration d =
        delay > std::chrono::duration_cast<std::chrono::duration<Rep, Period>>(
                    Clock::duration::max())
            ? Clock::duration::max()
            : std::chrono::duration_cast<Clock::duration>(delay);
    return enqueue_call_in(d, func_name, Args::of(std::forward<A>(args)...));
  }

  // Enqueues all specs in one round trip and returns their Jobs in spec
  // order. The Redis state is what one enqueue_call per spec, in order,
  // leaves (same hash fields and field order, at_front order, ttl, deferred
  // dependents, rq:queues), except that the whole batch has one created_at /
  // enqueued_at. Consecutive specs without depends_on go in chunks of up to
  // 100 jobs per script call (core/scripts/enqueue_many.lua), each chunk
  // atomic and sent while the next is encoded; a spec with depends_on is one
  // enqueue.lua call at its place. Throws std::invalid_argument as
  // enqueue_call, for any spec, before anything is sent; RedisError when
  // Redis fails or answers a call with an error (the pipeline's other calls
  // still ran: jobs of other chunks may be enqueued).
  std::vector<Job> enqueue_many(const std::vector<JobSpec>& specs);

  // LLEN of the queue (ids whose hash is gone still count, as in RQ).
  long long count();
  // Ids in queue order; [offset, offset+length) with length -1 = all.
  std::vector<std::string> job_ids(long long offset = 0, long long length = -1);
  // Jobs in queue order (one pipelined round trip); ids whose hash is gone
  // are LREM'd and skipped, jobs of another origin skipped (RQ's get_jobs),
  // jobs whose data rqcpp cannot decode (e.g. Python pickle) skipped.
  std::vector<Job> jobs();
  // The job if it is in this queue (origin matches), else nullopt.
  std::optional<Job> fetch_job(const std::string& id);
  // Removes every queued id and deletes those job hashes (RQ's empty()).
  // Returns how many were removed.
  long long empty();
  // RQ's FailedJobRegistry(queue).requeue(id) (docs/redis-layout.md 3.14), atomically in
  // one round trip (core/scripts/requeue_job.lua): ZREM rq:failed:<name>,
  // started_at/ended_at "", exc_info zlib(""), then enqueue as 3.1 into the
  // job's origin (LPUSH when at_front). Throws NoSuchJobError when the job
  // hash is gone, InvalidJobOperation when the id is not in this queue's
  // failed registry (nothing is changed then), RedisError.
  void requeue_failed(const std::string& id, bool at_front = false);
  // Requeues every job of this queue's failed registry as requeue_failed
  // does, in batches of 1000 (each batch one atomic call); ids whose hash is
  // gone are dropped from the registry and not counted. Returns how many
  // jobs were requeued. Throws RedisError.
  long long requeue_all_failed(bool at_front = false);

  // Deletes the queue: empties it when delete_jobs, then removes the list and
  // its rq:queues entry. Registries are left as RQ leaves them.
  void remove(bool delete_jobs = true);

 private:
  // enqueue_many; `may_resend`: the specs Redis did not run because it lost
  // the function library may be sent once more.
  std::vector<Job> enqueue_many(const std::vector<JobSpec>& specs, bool may_resend);
  Connection* conn_;
  std::string name_;
  Serializer serializer_;
};

}  // namespace rqcpp
