// Queue::enqueue_many: a batch in one pipeline. Consecutive jobs without
// dependencies that write the same set of fields (the common case: every
// plain job of a batch) go to Redis as one enqueue_many.lua call per chunk,
// which sends each field they share once; a job with dependencies is its own
// enqueue.lua call at its place in the pipeline, so the writes happen in
// the order of the specs either way.
//
// Each call is sent as soon as it is built, so Redis runs chunk k while this
// thread encodes chunk k+1 (two cores busy instead of one after the other);
// the replies are read once at the end. The function library is loaded
// before the pipeline starts: a "function not found" reply would need the
// call again after the replies, when its strings have been moved into the
// returned Jobs. When Redis lost the library since (a restart, FUNCTION
// FLUSH), no call from the first such reply on ran: the library is loaded
// again and those specs are enqueued again, in order.
#include <optional>
#include <string>
#include <vector>

#include "enqueue.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/queue.hpp"
#include "rqcpp/script.hpp"
#include "rqcpp_scripts.hpp"

namespace rqcpp {
namespace {

// Jobs per enqueue_many.lua call: small enough that Redis starts early and
// the first chunk (not overlapped) is short, large enough that the per-call
// overhead (template, argument decoding) stays well under a µs per job; also
// bounds how long other clients wait behind one script.
constexpr size_t kChunk = 100;

bool is_plain(const JobSpec& spec) {
  return spec.options.depends_on.empty();
}

// Whether job b can share an enqueue_many.lua call with job a: same push
// side, ttl and field names in the same order.
bool same_shape(const JobSpec& a, const detail::EnqueueFields& fa, const JobSpec& b,
                const detail::EnqueueFields& fb) {
  if (a.options.at_front != b.options.at_front || a.options.ttl != b.options.ttl ||
      fa.list.size() != fb.list.size()) {
    return false;
  }
  for (size_t i = 0; i < fa.list.size(); ++i) {
    if (fa.list[i].first != fb.list[i].first) return false;
  }
  return true;
}

// A call in flight: jobs [begin, end) of the batch, and for a job with
// dependencies what its Job is made from once the reply gives its status.
struct Sent {
  size_t begin = 0, end = 0;
  bool plain = true;
  std::optional<detail::EnqueueFields> fields;
  JobCall call;
};

// Appends the FCALL of enqueue_many.lua for `jobs` (plain, one shape, of
// spec `o`'s push side and ttl). Values equal across the call go into the
// template once.
void append_batch_call(Connection& conn, const std::vector<detail::EnqueueFields>& jobs,
                       const EnqueueOptions& o, const std::string& queue, const std::string& ts) {
  const auto& first = jobs.front().list;
  std::vector<bool> varies(first.size(), false);
  for (size_t k = 1; k < jobs.size(); ++k) {
    const auto& list = jobs[k].list;
    for (size_t i = 0; i < first.size(); ++i) {
      if (!varies[i] && list[i].second != first[i].second) varies[i] = true;
    }
  }
  size_t nvary = 0;
  for (bool v : varies) nvary += v;

  detail::ScriptCall call;
  call.str("queue", queue).flag("at_front", o.at_front);
  if (o.ttl) call.integer("ttl", *o.ttl);
  // Template: status first, the fields in order, enqueued_at last: the
  // hash enqueue.lua leaves (it writes status before the other fields).
  call.list("template", 2 * (first.size() + 2)).item("status").item("queued");
  for (const auto& [name, value] : first) call.item(name).item(value);
  call.item("enqueued_at").item(ts);
  call.list("slots", nvary);
  for (size_t i = 0; i < first.size(); ++i) {
    // Lua position of field i's value: after status (1, 2), name 3 + 2i.
    if (varies[i]) call.item(4 + 2 * static_cast<long long>(i));
  }
  call.list("jobs", jobs.size());
  for (const auto& f : jobs) {
    call.list("", 1 + nvary).item(f.id);
    for (size_t i = 0; i < first.size(); ++i) {
      if (varies[i]) call.item(f.list[i].second);
    }
  }
  call.append(conn, scripts::enqueue_many());
}

}  // namespace

std::vector<Job> Queue::enqueue_many(const std::vector<JobSpec>& specs) {
  return enqueue_many(specs, true);
}

std::vector<Job> Queue::enqueue_many(const std::vector<JobSpec>& specs, bool may_resend) {
  if (specs.empty()) return {};
  // Every spec is checked before anything is encoded or sent.
  std::vector<std::string> metas;
  metas.reserve(specs.size());
  for (const auto& s : specs) {
    metas.push_back(detail::check_enqueue(s.func_name, s.options, serializer_));
  }

  // One clock reading for the batch: created_at and enqueued_at of every job.
  const Clock::time_point now = Clock::now();
  const std::string ts = format_timestamp(now);
  detail::EncodedCall encoded;  // memo: consecutive identical calls encode once
  auto build = [&](size_t i) {
    detail::encode_call(specs[i].func_name, specs[i].args, serializer_, encoded);
    return detail::build_fields(name_, encoded, specs[i].options, std::move(metas[i]), ts);
  };

  conn_->prepare(scripts::enqueue_many());  // one library: enqueue's too
  std::vector<std::optional<Job>> jobs(specs.size());
  std::vector<Sent> sent;
  std::vector<detail::EnqueueFields> chunk;
  chunk.reserve(kChunk);
  std::vector<JobCall> chunk_calls;
  chunk_calls.reserve(kChunk);
  std::optional<detail::EnqueueFields> next;  // built, not yet in a call
  try {
    for (size_t i = 0; i < specs.size();) {
      detail::EnqueueFields f = next ? std::move(*next) : build(i);
      next.reset();
      Sent& s = sent.emplace_back();
      s.begin = i;
      s.plain = is_plain(specs[i]);
      if (!s.plain) {
        detail::enqueue_script_call(name_, f, specs[i].options, now, ts)
            .append(*conn_, scripts::enqueue());
        conn_->flush();
        s.end = i + 1;
        s.fields = std::move(f);
        s.call = encoded.call;
        i = s.end;
        continue;
      }
      chunk.clear();
      chunk_calls.clear();
      chunk.push_back(std::move(f));
      chunk_calls.push_back(encoded.call);
      size_t j = i + 1;
      for (; j < specs.size() && chunk.size() < kChunk && is_plain(specs[j]); ++j) {
        detail::EnqueueFields g = build(j);
        if (!same_shape(specs[i], chunk.front(), specs[j], g)) {
          next = std::move(g);
          break;
        }
        chunk.push_back(std::move(g));
        chunk_calls.push_back(encoded.call);
      }
      s.end = j;
      append_batch_call(*conn_, chunk, specs[i].options, name_, ts);
      conn_->flush();
      // Redis is on this chunk now; its Jobs are built meanwhile, as queued
      // (an error reply below discards them).
      const detail::QueuedHashBuilder hashes(chunk.front());
      for (size_t k = 0; k < chunk.size(); ++k) {
        auto hash = hashes.build(std::move(chunk[k]), ts);
        jobs[i + k].emplace(Job::from_written(*conn_, std::move(chunk[k].id), std::move(hash),
                                              std::move(chunk_calls[k]), serializer_));
      }
      i = j;  // `next`, when set, is job j; `encoded` still holds its call
    }
  } catch (...) {
    if (!sent.empty()) {
      try {
        conn_->replies();  // what was sent still runs; keep the connection usable
      } catch (...) {
      }
    }
    throw;
  }

  std::vector<Reply> replies = conn_->replies();
  size_t lost = sent.size();  // first call of a tail Redis did not run
  while (lost > 0 && replies[lost - 1].is_unknown_script()) --lost;
  if (lost < sent.size()) {
    // Once: a library lost again during the resend is a server that keeps
    // flushing it, an error rather than a loop.
    if (!may_resend) throw RedisError("enqueue_many: Redis lost the function library twice");
    conn_->load(scripts::enqueue_many());
    const std::vector<JobSpec> rest(specs.begin() + static_cast<long>(sent[lost].begin),
                                    specs.end());
    std::vector<Job> again = enqueue_many(rest, false);
    for (size_t k = 0; k < again.size(); ++k)
      jobs[sent[lost].begin + k].emplace(std::move(again[k]));
    sent.resize(lost);
  }
  std::vector<Job> out;
  out.reserve(specs.size());
  for (size_t n = 0; n < sent.size(); ++n) {
    Sent& s = sent[n];
    const Reply& r = replies[n];
    const char* script = s.plain ? "enqueue_many" : "enqueue";
    if (r.is_error())
      throw RedisError(std::string("script ") + script + ": " + std::string(r.str()));
    if (s.plain && r.integer() != static_cast<long long>(s.end - s.begin)) {
      throw RedisError("script enqueue_many: queued " + std::to_string(r.integer()) + " of " +
                       std::to_string(s.end - s.begin) + " jobs");
    }
    if (!s.plain) {
      auto hash = detail::written_hash(std::move(s.fields->list), r.str(), ts);
      jobs[s.begin].emplace(Job::from_written(*conn_, std::move(s.fields->id), std::move(hash),
                                              std::move(s.call), serializer_));
    }
  }
  for (auto& job : jobs) out.push_back(std::move(*job));
  return out;
}

}  // namespace rqcpp
