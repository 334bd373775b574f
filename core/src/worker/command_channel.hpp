// RQ's worker commands over pub/sub (docs/redis-layout.md 1.6): the worker SUBSCRIBEs to
// rq:pubsub:<w> on its own connection, polled with everything else.
#pragma once

#include <poll.h>

#include <optional>
#include <string>
#include <vector>

#include "rqcpp/redis_url.hpp"
#include "worker/poll_connection.hpp"
#include "worker/worker_command.hpp"

namespace rqcpp {

class CommandChannel {
 public:
  CommandChannel(RedisUrl url, std::string channel);

  bool connected() const { return conn_.has_value(); }
  // Connects, SUBSCRIBEs and waits for the confirmation. Throws RedisError.
  void connect();
  void add_fd(std::vector<pollfd>& fds) const;
  // Reads what poll() reported; returns the commands received (unknown or
  // malformed messages are skipped). Throws RedisError when the connection
  // failed (then it is dropped; connect() again later).
  std::vector<WorkerCommand> on_poll(const std::vector<pollfd>& fds);
  void reset() { conn_.reset(); }

 private:
  RedisUrl url_;
  std::string channel_;
  std::optional<PollConnection> conn_;
};

}  // namespace rqcpp
