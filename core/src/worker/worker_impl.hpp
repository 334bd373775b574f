// Worker internals shared by worker.cpp (life cycle, waiting, Redis
// outages) and job_runner.cpp (supervising one work horse).
#pragma once

#include <poll.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rqcpp/connection.hpp"
#include "rqcpp/redis_url.hpp"
#include "rqcpp/worker/work_horse.hpp"
#include "rqcpp/worker/worker.hpp"
#include "worker/command_channel.hpp"
#include "worker/hot_path.hpp"
#include "worker/queue_waiter.hpp"
#include "worker/signal_pipe.hpp"
#include "worker/worker_record.hpp"

namespace rqcpp {

using Steady = std::chrono::steady_clock;

struct Worker::Impl {
  explicit Impl(WorkerOptions options);

  WorkerOptions opt;
  RedisUrl url;
  WorkerRecord record;
  HotPath hot;
  QueueWaiter waiter;
  CommandChannel commands;
  std::optional<Connection> conn;
  std::optional<SignalPipe> signals;  // only while run() executes
  WorkerStats stats;

  bool suspended = false;  // the last take found rq:suspended (logged once)
  int stop_requests = 0;   // SIGTERM/SIGINT/"shutdown" seen: 1 warm, 2+ cold
  Steady::time_point next_heartbeat;

  // The job being run, for pub/sub commands and cold shutdown.
  WorkHorse* horse = nullptr;
  std::string current_job;
  bool stop_job = false;  // a stop-job command hit the current job
  bool cold_killed = false;

  // --- worker.cpp
  TakeReply take();
  TakeReply finish(const FinishRequest& request, bool take_next);
  void wait_for_work();
  void wait_while_suspended();
  void die();
  // Polls `fds` (the signal pipe and the command channel are added here) for
  // at most `timeout`; handles signals and commands. Returns poll's fds with
  // revents filled (the extra entries first).
  std::vector<pollfd> poll_events(std::vector<pollfd> fds, std::chrono::milliseconds timeout);
  void request_stop(const char* why);
  // Runs `fn` against Redis, waiting out outages: reconnects with backoff
  // until it succeeds. After a failed attempt it gives up (returns false) if
  // a warm stop was requested and `must_complete` is false, or a cold stop
  // otherwise.
  bool redis_retry(const std::string& what, bool must_complete,
                   const std::function<void(Connection&)>& fn);
  // One attempt (reconnecting first if needed); logs and returns false on error.
  bool redis_once(const char* what, const std::function<void(Connection&)>& fn);
  void idle_heartbeat();

  // --- job_runner.cpp
  // Runs one taken job in a work horse and returns its encoded outcome.
  FinishRequest run_job(const TakenJob& job);
  // Waits for `h` while heartbeating and serving signals and commands; kills
  // it at the deadline (timeout <= 0: none) or on a cold shutdown.
  HorseOutcome supervise(WorkHorse& h, const TakenJob& job, double timeout,
                         Steady::time_point start);
};

}  // namespace rqcpp
