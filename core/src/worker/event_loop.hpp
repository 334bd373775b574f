// The worker's one wait: poll() over the signal self-pipe, the pub/sub
// command channel and whatever the caller adds (queue waits, a child's
// pipe). It turns SIGTERM/SIGINT and the "shutdown" command into stop
// requests (1: warm, 2+: cold) and routes "kill-horse" / "stop-job" to the
// child running at the time (docs/redis-layout.md 1.6).
#pragma once

#include <poll.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rqcpp/redis_url.hpp"
#include "worker/command_channel.hpp"
#include "worker/poll_connection.hpp"
#include "worker/signal_pipe.hpp"

namespace rqcpp {

class ChildProcess;

// Owns the signal pipe (only between open() and close()), the command
// channel, the stop-request count and a pointer to the Running registration
// of the child that commands reach (owned by that registration).
// Single-threaded.
class EventLoop {
 public:
  EventLoop(RedisUrl url, std::string command_channel);

  // Installs the SIGTERM/SIGINT/SIGCHLD handlers (at most one open loop per
  // process) and tries to subscribe to the command channel (a failure is
  // logged; subscribe() is tried again later). close() undoes both.
  void open();
  void close();
  // Subscribes if not subscribed; a failure is left for the next try.
  void subscribe();

  // SIGTERM/SIGINT/"shutdown" seen so far: 1 is a warm stop, 2+ a cold one.
  int stop_requests() const { return stop_requests_; }

  // Called once when a warm stop arrives while a child runs (the worker
  // records shutdown_requested_date then).
  void on_warm_stop_while_busy(std::function<void()> hook) { busy_stop_hook_ = std::move(hook); }

  // Polls the loop's descriptors and `extra` for at most `timeout`; handles
  // signals and commands. Returns the polled entries with revents filled
  // (the loop's own entries first, then `extra`).
  std::vector<pollfd> poll(std::vector<pollfd> extra, std::chrono::milliseconds timeout);

  // While it lives, `child` is the running job's (or callback's) process:
  // kill-horse kills it, stop-job for `job_id` kills it and marks it
  // stopped, a cold stop kills it (at once if one was already requested).
  class Running {
   public:
    Running(EventLoop& loop, ChildProcess& child, std::string job_id);
    ~Running();
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    bool stop_job() const { return stop_job_; }        // a stop-job command hit it
    bool cold_killed() const { return cold_killed_; }  // a cold stop killed it

   private:
    friend class EventLoop;
    EventLoop& loop_;
    ChildProcess& child_;
    std::string job_id_;
    bool stop_job_ = false;
    bool cold_killed_ = false;
  };

 private:
  void request_stop(const char* why);
  void handle(const WorkerCommand& cmd);

  std::optional<SignalPipe> signals_;
  CommandChannel commands_;
  int stop_requests_ = 0;
  Running* running_ = nullptr;
  std::function<void()> busy_stop_hook_;
};

// Waiting for work without sleeping and without taking anything out of
// Redis (docs/design.md, hot path step 3), among the event loop's poll()
// descriptors: one extra connection per queue blocks in BLMOVE rq:queue:<q> rq:queue:<q> RIGHT
// RIGHT 0. Moving a list's last element onto its own tail leaves the list unchanged, so the reply
// only says "this queue is not empty now"; the worker then runs take.
class QueueWaiter {
 public:
  QueueWaiter(RedisUrl url, const std::vector<std::string>& queues);

  // Makes sure a BLMOVE is in flight on every queue, connecting first where
  // needed. A BLMOVE still in flight from an earlier wait is left alone.
  // Throws RedisError (call reset() before trying again).
  void arm();
  // Appends one pollfd (POLLIN) per in-flight BLMOVE.
  void add_fds(std::vector<pollfd>& fds) const;
  // Consumes the replies that poll() reported; returns true when a queue
  // signalled "not empty". Throws RedisError when a connection failed.
  bool on_poll(const std::vector<pollfd>& fds);
  // Drops every connection (after Redis errors; arm() reconnects).
  void reset();
  // The worker's queues the last take passed over (a key of the wrong type,
  // or a job left at the head): no BLMOVE waits on them, since it would
  // fail or return at once. Names that are not one of the queues are
  // ignored.
  void skip(const std::vector<std::string>& queues);
  // True while some queue is skipped: the caller takes again now and then
  // to see whether it was repaired.
  bool skipping() const;

 private:
  struct Slot {
    std::string name;
    std::string key;
    std::optional<PollConnection> conn;
    bool in_flight = false;
    bool skipped = false;
  };
  RedisUrl url_;
  std::vector<Slot> slots_;
};

}  // namespace rqcpp
