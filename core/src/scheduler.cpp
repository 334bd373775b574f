// Scheduler: per-queue locks and due-job moves in one schedule_due.lua call
// per pass; see scheduler.hpp.
#include "rqcpp/scheduler.hpp"

#include <unistd.h>

#include <stdexcept>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_scripts.hpp"
#include "script_call.hpp"

namespace rqcpp {
namespace {}  // namespace

Scheduler::Scheduler(Connection& conn, std::vector<std::string> queues, SchedulerOptions options)
    : conn_(&conn),
      queues_(std::move(queues)),
      held_(queues_.size(), false),
      options_(std::move(options)) {
  if (queues_.empty()) throw std::invalid_argument("a scheduler needs at least one queue");
  for (const auto& q : queues_) {
    if (q.empty()) throw std::invalid_argument("scheduler queue names must not be empty");
  }
  if (options_.lock_ttl.count() < 1) throw std::invalid_argument("lock_ttl must be at least 1 s");
  if (options_.batch < 1) throw std::invalid_argument("batch must be at least 1");
  if (options_.lock_value.empty()) options_.lock_value = std::to_string(::getpid());
}

Scheduler::~Scheduler() {
  try {
    if (!conn_->broken()) release();
  } catch (const std::exception&) {
    // Best effort: unreleased locks expire after lock_ttl anyway.
  }
}

long long Scheduler::pass(bool move_jobs, bool force_retry) {
  const auto now = std::chrono::steady_clock::now();
  const bool retry_due = force_retry || !last_try_ || now - *last_try_ >= options_.lock_retry;

  std::vector<size_t> sent;  // indexes into queues_, in argument order
  bool tried = false;
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (!held_[i] && !retry_due) continue;
    if (held_[i] && !move_jobs) continue;
    tried = tried || !held_[i];
    sent.push_back(i);
  }
  if (sent.empty()) return 0;

  detail::ScriptCall call;
  call.str("token", options_.lock_value)
      .integer("now", now_seconds())
      .str("ts", now_timestamp())
      .integer("ttl", options_.lock_ttl.count())
      .integer("limit", move_jobs ? options_.batch : 0)
      .list("queues", sent.size());
  for (size_t i : sent) call.list("", 2).item(queues_[i]).item(held_[i] ? "held" : "try");
  Reply r = call.run(*conn_, scripts::schedule_due());
  if (r.size() != 2 * sent.size()) {
    throw RedisError("script schedule_due returned an unexpected reply");
  }
  if (tried) last_try_ = now;
  long long moved = 0;
  for (size_t k = 0; k < sent.size(); ++k) {
    held_[sent[k]] = r.at(2 * k).integer() == 1;
    moved += r.at(2 * k + 1).integer();
  }
  return moved;
}

long long Scheduler::run_once() {
  return pass(true, false);
}

size_t Scheduler::acquire_locks() {
  pass(false, true);
  return held_queues().size();
}

void Scheduler::release() {
  std::vector<std::string> held;
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (held_[i]) held.push_back(queues_[i]);
  }
  if (held.empty()) return;
  detail::ScriptCall()
      .strs("queues", held)
      .str("token", options_.lock_value)
      .run(*conn_, scripts::release_locks());
  held_.assign(queues_.size(), false);
}

std::vector<std::string> Scheduler::held_queues() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (held_[i]) out.push_back(queues_[i]);
  }
  return out;
}

}  // namespace rqcpp
