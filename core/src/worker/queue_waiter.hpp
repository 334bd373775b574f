// Waiting for work without sleeping and without taking anything out of
// Redis (docs/design.md, hot path step 3): one extra connection per queue
// blocks in BLMOVE rq:queue:<q> rq:queue:<q> RIGHT RIGHT 0. Moving a list's
// last element onto its own tail leaves the list unchanged, so the reply
// only says "this queue is not empty now"; the worker then runs take.
#pragma once

#include <poll.h>

#include <optional>
#include <string>
#include <vector>

#include "rqcpp/redis_url.hpp"
#include "worker/poll_connection.hpp"

namespace rqcpp {

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

 private:
  struct Slot {
    std::string key;
    std::optional<PollConnection> conn;
    bool in_flight = false;
  };
  RedisUrl url_;
  std::vector<Slot> slots_;
};

}  // namespace rqcpp
