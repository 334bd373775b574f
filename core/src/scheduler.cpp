// Scheduler: per-queue locks and due-job moves in one schedule_due.lua call
// per pass; see scheduler.hpp.
#include "rqcpp/scheduler.hpp"

#include <unistd.h>

#include <stdexcept>

#include "lifecycle_script.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/keys.hpp"
#include "rqcpp/timestamp.hpp"
#include "rqcpp_lua_sources.hpp"

namespace rqcpp {
namespace {

const Script& schedule_due_script() {
  static const Script s = detail::lifecycle_script("schedule_due", lua::schedule_due);
  return s;
}

const Script& release_locks_script() {
  static const Script s("release_locks", std::string(lua::release_locks));
  return s;
}

}  // namespace

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
  std::vector<std::string> pairs;
  bool tried = false;
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (!held_[i] && !retry_due) continue;
    if (held_[i] && !move_jobs) continue;
    tried = tried || !held_[i];
    sent.push_back(i);
    pairs.push_back(queues_[i]);
    pairs.push_back(held_[i] ? "held" : "try");
  }
  if (sent.empty()) return 0;

  std::vector<std::string> args = {options_.lock_value,
                                   std::to_string(now_seconds()),
                                   now_timestamp(),
                                   std::to_string(options_.lock_ttl.count()),
                                   move_jobs ? std::to_string(options_.batch) : "0",
                                   std::to_string(sent.size())};
  args.insert(args.end(), pairs.begin(), pairs.end());
  Reply r = detail::eval_lifecycle(*conn_, schedule_due_script(), args);
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
  std::vector<std::string> locks;
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (held_[i]) locks.push_back(keys::scheduler_lock(queues_[i]));
  }
  if (locks.empty()) return;
  conn_->eval(release_locks_script(), {locks.begin(), locks.end()}, {options_.lock_value});
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
