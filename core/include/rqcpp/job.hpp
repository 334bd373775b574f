// A job: one call of a plugin function, stored as RQ's job hash rq:job:<id>
// (docs/redis-layout.md section 2) plus its results stream (section 1.4).
#pragma once

#include <chrono>
#include <map>
#include <msgpack.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rqcpp/serialization.hpp"
#include "rqcpp/timestamp.hpp"

namespace rqcpp {

class Connection;

enum class JobStatus {
  kQueued,
  kStarted,
  kFinished,
  kFailed,
  kDeferred,
  kScheduled,
  kStopped,
  kCanceled
};

// "queued", "started", ... exactly as RQ writes them.
std::string_view to_string(JobStatus status);
// nullopt for an unknown or empty text.
std::optional<JobStatus> parse_job_status(std::string_view text);

// One entry of rq:results:<id>: the outcome of one execution.
struct JobResult {
  enum class Type { kSuccessful = 1, kFailed = 2, kStopped = 3 };
  Type type = Type::kSuccessful;
  std::string stream_id;             // "1795897138023-0"
  Clock::time_point created_at;      // from the stream id's milliseconds
  std::optional<std::string> value;  // msgpack bytes; nullopt for None / failures
  std::string exc_string;            // traceback text for failures
};

// One dependency of a job and whether it still holds the job back, by the
// rule a finishing parent applies to its dependents (docs/redis-layout.md 3.13).
struct DependencyState {
  std::string id;
  // nullopt when the dependency's hash (or its status field) is gone, which
  // RQ treats as met, or when the status text is not one of RQ's (not met).
  std::optional<JobStatus> status;
  // Gone, finished, or failed while the job allows dependency failures.
  bool met = false;
};

// A snapshot of a job hash. A Job refers to (does not own) the Connection it
// was fetched with; that Connection must outlive it. Accessors read the
// snapshot; refresh() and the calls taking no snapshot (results) go to Redis.
class Job {
 public:
  // Reads rq:job:<id> (HGETALL). Throws NoSuchJobError when the hash is
  // missing or has no `data`, DecodeError when `data` does not decode,
  // RedisError when Redis fails.
  static Job fetch(Connection& conn, std::string id);
  // Same, but nullopt instead of NoSuchJobError.
  static std::optional<Job> try_fetch(Connection& conn, std::string id);
  // Like fetch, but a `data` that does not decode is no error: the Job has
  // every other field, an empty call (func_name() "", args() and kwargs()
  // empty msgpack) and data_error() says why. For tools that must show or
  // remove a job whatever a producer wrote (rqctl job, cancel, delete).
  // Throws NoSuchJobError and RedisError as fetch.
  static Job fetch_readable(Connection& conn, std::string id);
  // A Job from hash fields already read (e.g. a pipelined HGETALL); no
  // Redis access. Throws NoSuchJobError when `fields` has no `data`,
  // DecodeError when it does not decode.
  static Job from_hash(Connection& conn, std::string id, std::map<std::string, std::string> fields);
  // A Job for a hash the caller has just written: `fields` as written, whose
  // `data` encodes `call` with `serializer`. Nothing is decoded or checked
  // (producers return what they enqueued without inflating it again); no
  // Redis access, never throws beyond bad_alloc.
  static Job from_written(Connection& conn, std::string id,
                          std::map<std::string, std::string> fields, JobCall call,
                          Serializer serializer);

  const std::string& id() const { return id_; }
  // Status as of the snapshot; nullopt when the hash has none.
  std::optional<JobStatus> status() const;
  // Reads only the status field from Redis and updates the snapshot
  // (nullopt when the hash or field is gone). Throws RedisError.
  std::optional<JobStatus> fetch_status();
  // Re-reads the whole hash. Throws as fetch(); the snapshot is unchanged
  // when it throws.
  void refresh();

  const std::string& func_name() const { return call_.func_name; }
  // Why `data` did not decode (fetch_readable only); empty when it did.
  const std::string& data_error() const { return data_error_; }
  const std::string& args() const { return call_.args; }      // msgpack array
  const std::string& kwargs() const { return call_.kwargs; }  // msgpack map
  Serializer serializer() const { return serializer_; }
  // Meta as a msgpack map ("\x80" when the job has none), decoded from the
  // job's serializer.
  std::string meta() const;

  // Raw hash field, "" when absent.
  std::string field(std::string_view name) const;
  const std::map<std::string, std::string>& fields() const { return fields_; }
  std::string origin() const { return field("origin"); }
  std::string description() const { return field("description"); }
  std::string worker_name() const { return field("worker_name"); }
  std::optional<Clock::time_point> created_at() const;
  std::optional<Clock::time_point> enqueued_at() const;
  std::optional<Clock::time_point> started_at() const;
  std::optional<Clock::time_point> ended_at() const;
  // Seconds; nullopt when the field is absent (RQ defaults apply).
  std::optional<long long> timeout() const;
  std::optional<long long> result_ttl() const;
  std::optional<long long> failure_ttl() const;
  std::optional<long long> ttl() const;
  // retries_left, nullopt when the job has no Retry.
  std::optional<long long> retries_left() const;
  // `dependency_ids` (JSON array), else the legacy single `dependency_id`,
  // else empty.
  std::vector<std::string> dependency_ids() const;

  // Newest entry of the results stream (XREVRANGE ... COUNT 1), or nullopt.
  // Values are converted from the job's serializer to msgpack. Throws
  // RedisError, DecodeError for an entry that does not decode.
  std::optional<JobResult> latest_result() const;
  // Every kept entry, newest first. Throws as latest_result().
  std::vector<JobResult> results() const;

  // The newest result's value as msgpack bytes when the job finished with a
  // non-None value; nullopt otherwise (not finished yet, failed, None). With
  // no stream entry at all, the legacy hash field `result` (Redis < 5) is
  // used when present. Reads Redis on every call; throws as latest_result().
  std::optional<std::string> return_value() const;
  // The same decoded to T (any msgpack-c convertible type). Throws
  // DecodeError when the value does not convert to T.
  template <class T>
  std::optional<T> result() const {
    auto bytes = return_value();
    if (!bytes) return std::nullopt;
    try {
      msgpack::object_handle oh = msgpack::unpack(bytes->data(), bytes->size());
      return oh.get().as<T>();
    } catch (const std::exception& e) {
      throw_decode(e.what());
    }
  }
  // The failure text: the newest stream entry's exc_string when it is a
  // failure, else the snapshot's `exc_info` field (zlib text; raw text if it
  // is not zlib, as RQ); nullopt when neither. Throws as latest_result().
  std::optional<std::string> exc_info() const;

  // --- State changes (docs/redis-layout.md 3.14). Each is one atomic script call that
  // reads the job's current state in Redis, not the snapshot.

  // RQ's Job.cancel: status canceled, LREM from its queue, ZREM from the
  // registry of its status, ZADD rq:canceled:<origin> NOW; the hash keeps
  // its TTL. A running job is not interrupted; its worker then records no
  // outcome (it only finishes jobs still started by it). With
  // enqueue_dependents, dependents whose other dependencies are met are
  // enqueued first, this job counting as met (RQ's
  // cancel(enqueue_dependents=True)); otherwise they stay deferred. Sets the
  // snapshot's status. Throws InvalidJobOperation when the job is already
  // canceled, NoSuchJobError when its hash is gone (nothing changed in either
  // case), RedisError.
  void cancel(bool enqueue_dependents = false);

  // RQ's Job.requeue: Queue(origin).requeue_failed(id, at_front) (see
  // queue.hpp). Updates the snapshot (status queued, new enqueued_at,
  // started_at/ended_at ""). Throws InvalidJobOperation when the job is not
  // in its origin's failed registry (or has no origin), NoSuchJobError,
  // RedisError.
  void requeue(bool at_front = false);

  // RQ's Job.delete (named remove: `delete` is a keyword): LREM from its
  // queue, ZREM from the registry of its status, DEL the hash, its
  // dependents set and its dependencies set; with delete_dependents, every
  // direct dependent the same way first. rq:results:<id> is kept, as RQ
  // keeps it. When the hash is already gone, the snapshot's origin and
  // status say where to remove the id from. Returns how many job hashes
  // were deleted. The snapshot is unchanged. Throws RedisError.
  long long remove(bool delete_dependents = false);

  // --- Waiting (core/src/job_wait.cpp).

  // Waits up to `timeout` for the job's outcome and returns it:
  // - already finished/failed/stopped: the newest result at once;
  // - otherwise blocks in Redis (XREAD BLOCK on rq:results:<id>, from the
  //   newest entry present when the wait began, on a connection of its own
  //   opened from this Job's Connection URL, so the caller's connection and
  //   its command timeout are not held) and returns the first new entry.
  //   Retried attempts write no entry, so they do not end the wait. The
  //   status is re-read at least once a second, which ends the wait when
  //   the job ends without writing an entry:
  //   - failed by registry cleanup (abandoned, docs/redis-layout.md 3.12): a result of
  //     type kFailed with the hash's exc_info text and an empty stream_id;
  //   - canceled, deleted, or finished with result_ttl 0 (its hash is
  //     deleted and no entry is written): nullopt.
  // nullopt also means the timeout passed. Updates the snapshot's status.
  // Throws RedisError (also when the extra connection cannot be opened),
  // DecodeError for an entry that does not decode.
  std::optional<JobResult> wait(std::chrono::milliseconds timeout);

  // --- Dependencies (core/src/job_dependencies.cpp).

  // Each id of dependency_ids() (the snapshot's, in order) with its current
  // status, so a front-end can say why a deferred job waits. Whether a
  // dependency is met uses the snapshot's allow_dependency_failures. One
  // pipelined round trip; empty for a job without dependencies. Throws
  // RedisError.
  std::vector<DependencyState> dependencies_status() const;

 private:
  Job(Connection& conn, std::string id);
  // Reads the hash; a `data` that does not decode throws DecodeError, or,
  // with `readable`, leaves the call empty and sets data_error_.
  void load(std::map<std::string, std::string> fields, bool readable = false);
  [[noreturn]] static void throw_decode(const char* what);

  Connection* conn_;
  std::string id_;
  std::map<std::string, std::string> fields_;
  JobCall call_;
  std::string data_error_;
  Serializer serializer_ = Serializer::kMsgpack;
};

}  // namespace rqcpp
