// Worker internals shared by worker.cpp (life cycle, waiting, Redis
// outages) and job_runner.cpp (supervising one work horse).
#pragma once

#include <poll.h>

#include <chrono>
#include <functional>
#include <list>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "rqcpp/connection.hpp"
#include "rqcpp/redis_url.hpp"
#include "rqcpp/scheduler.hpp"
#include "rqcpp/worker/work_horse.hpp"
#include "rqcpp/worker/worker.hpp"
#include "worker/command_channel.hpp"
#include "worker/hot_path.hpp"
#include "worker/queue_waiter.hpp"
#include "worker/signal_pipe.hpp"
#include "worker/tried_plugins.hpp"
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
  // --with-scheduler (uses *conn, which is emplaced once and never replaced)
  std::optional<Scheduler> scheduler;
  Steady::time_point next_schedule;
  Steady::time_point next_maintenance;

  TriedPlugins plugins;  // loaded here after a probe; horses inherit them

  // --max-jobs, --max-idle-time, --dequeue-strategy random
  long long jobs_run = 0;
  std::optional<Steady::time_point> idle_deadline;  // set while idle with max_idle_time
  std::mt19937 rng{std::random_device{}()};

  // The job being run, for pub/sub commands and cold shutdown.
  WorkHorse* horse = nullptr;
  // Horses whose outcome arrived but which may still be exiting (their
  // teardown overlaps the next jobs); reaped without a kill.
  std::list<WorkHorse> exiting_horses;
  // A horse forked ahead, waiting for the next job (forking worker only),
  // and the plugins' generation it was forked at.
  std::optional<WorkHorse> standby;
  long long standby_generation = -1;
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
  // --- periodic_tasks.cpp
  void start_periodic();        // first scheduler pass (burst: pass + release), first maintenance
  void stop_periodic();         // releases the scheduler locks
  void run_scheduler_if_due();  // one Scheduler::run_once() when its time has come
  void maintain_if_due();       // registry maintenance when its time has come
  // The earliest of `t`, the next scheduler pass and (with_maintenance) the
  // next maintenance, which only runs between jobs.
  Steady::time_point next_periodic(Steady::time_point t, bool with_maintenance = true) const;

  // A job's callback due once its outcome is written (set by run_job).
  struct PendingCallback {
    std::string kind;  // "success", "failure" or "stopped", for logs
    HorseJob call;     // func_name = the callback, args = the convention's array
  };
  std::optional<PendingCallback> callback;

  // --- callback_runner.cpp
  // Runs `cb` in a work horse, waiting at most opt.callback_timeout; a
  // failure, crash or timeout is logged (warning) and changes nothing else.
  void run_callback(const PendingCallback& cb);

  // --- job_runner.cpp
  // Forks a standby horse unless a current one waits (forking worker, no
  // stop requested); a failed fork is logged and the next job forks its own.
  void prepare_standby();
  // Reaps the exiting horses that are gone; with `block` (idle, shutdown)
  // waits for all of them. Never kills: each reported and is in _exit().
  void reap_exiting_horses(bool block);
  // The horse for `job`: the standby when it is current and alive, else a
  // fresh fork. Reaps the previous job's exiting horse first. Throws
  // std::system_error when fork() fails.
  WorkHorse start_horse(const HorseJob& job);
  // Runs one taken job in a work horse and returns its encoded outcome.
  FinishRequest run_job(const TakenJob& job);
  // Waits for `h` while heartbeating and serving signals and commands; kills
  // it at the deadline (timeout <= 0: none) or on a cold shutdown.
  HorseOutcome supervise(WorkHorse& h, const TakenJob& job, double timeout,
                         Steady::time_point start);
};

}  // namespace rqcpp
