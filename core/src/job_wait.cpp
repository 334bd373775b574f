// Job::wait: block in Redis on the job's results stream (docs/redis-layout.md
// 1.4) instead of polling the hash; see job.hpp for the contract.
#include <algorithm>

#include "result_entry.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/job.hpp"
#include "rqcpp/keys.hpp"

namespace rqcpp {
namespace {

using std::chrono::milliseconds;

// How long one XREAD blocks before the status is read again: bounds how late
// wait() notices an end that writes no stream entry (see job.hpp).
constexpr milliseconds kStatusRecheck{1000};
// Extra command timeout of the blocking connection beyond the block itself.
constexpr milliseconds kReadMargin{5000};

// The job as one consistent read (MULTI/EXEC): the newest stream entry and
// the hash's status and exc_info. Atomic so that a status saying "ended" is
// never paired with a stream read from before that end.
struct State {
  bool exists = false;
  std::optional<JobStatus> status;
  std::string exc_info;  // raw hash field
  std::optional<JobResult> latest;
};

State read_state(Connection& conn, const std::string& id, Serializer serializer) {
  const std::string jkey = keys::job(id);
  const std::string rkey = keys::results(id);
  conn.append({"MULTI"});
  conn.append({"XREVRANGE", rkey, "+", "-", "COUNT", "1"});
  conn.append({"HMGET", jkey, "status", "exc_info"});
  conn.append({"EXISTS", jkey});
  conn.append({"EXEC"});
  std::vector<Reply> replies = conn.replies();
  for (const Reply& r : replies) {
    if (r.is_error()) throw RedisError("job wait: " + std::string(r.str()));
  }
  const Reply& exec = replies.back();
  if (exec.size() != 3) throw RedisError("job wait: unexpected transaction reply");
  for (size_t i = 0; i < exec.size(); ++i) {
    if (exec.at(i).is_error()) throw RedisError("job wait: " + std::string(exec.at(i).str()));
  }
  State st;
  Reply entries = exec.at(0);
  if (entries.size() > 0) st.latest = detail::parse_result_entry(entries.at(0), serializer, id);
  Reply fields = exec.at(1);
  st.status = parse_job_status(fields.at(0).str());
  st.exc_info = std::string(fields.at(1).str());
  st.exists = exec.at(2).integer() == 1;
  return st;
}

// Whether `st` ends the wait; `out` is then the answer.
bool settled(const State& st, std::optional<JobResult>& out) {
  out.reset();
  if (!st.exists) return true;  // deleted, expired, or finished with result_ttl 0
  if (!st.status) return false;
  switch (*st.status) {
    case JobStatus::kCanceled:
      return true;
    case JobStatus::kFinished:
      out = st.latest;
      return true;
    case JobStatus::kFailed:
    case JobStatus::kStopped: {
      // With Redis >= 5 only registry cleanup (abandoned job) writes a
      // non-empty exc_info into the hash, and requeue resets it, so a
      // non-empty one means this failure left no stream entry.
      std::string text;
      if (!st.exc_info.empty()) text = detail::exc_text(st.exc_info);
      if (text.empty()) {
        out = st.latest;
      } else {
        JobResult r;
        r.type = JobResult::Type::kFailed;
        r.created_at = Clock::now();
        r.exc_string = std::move(text);
        out = std::move(r);
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

std::optional<JobResult> Job::wait(milliseconds timeout) {
  using Steady = std::chrono::steady_clock;
  const auto deadline = Steady::now() + timeout;
  auto remember = [this](const State& st) {
    if (st.status) {
      fields_["status"] = std::string(to_string(*st.status));
    } else {
      fields_.erase("status");
    }
  };

  State st = read_state(*conn_, id_, serializer_);
  remember(st);
  std::optional<JobResult> out;
  if (settled(st, out)) return out;

  // Entries newer than `last` belong to an execution that ended after the
  // read above (older ones, e.g. from before a requeue, are not waited for).
  const std::string last = st.latest ? st.latest->stream_id : "0-0";
  const std::string rkey = keys::results(id_);
  std::optional<Connection> blocking;
  while (true) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Steady::now());
    if (left.count() <= 0) return std::nullopt;
    if (!blocking) blocking.emplace(Connection::open(conn_->url(), kStatusRecheck + kReadMargin));
    const std::string block =
        std::to_string(std::max<long long>(1, std::min(left, kStatusRecheck).count()));
    Reply r = blocking->checked({"XREAD", "COUNT", "1", "BLOCK", block, "STREAMS", rkey, last});
    if (r.size() > 0) {
      Reply entries = r.at(0).at(1);  // [[key, [[id, fields]]]]
      if (entries.size() > 0) {
        JobResult result = detail::parse_result_entry(entries.at(0), serializer_, id_);
        remember(read_state(*blocking, id_, serializer_));
        return result;
      }
    }
    st = read_state(*blocking, id_, serializer_);
    remember(st);
    if (settled(st, out)) return out;
  }
}

}  // namespace rqcpp
