// The self-pipe trick: SIGTERM, SIGINT and SIGCHLD become bytes on a pipe
// that the worker poll()s together with its Redis sockets and the horse's
// outcome pipe, so it never sleeps and never misses a signal.
#pragma once

#include <vector>

namespace rqcpp {

// Installs the handlers on construction and restores the previous ones on
// destruction. At most one instance may exist at a time (the handlers write
// to a process-global descriptor). Not copyable.
class SignalPipe {
 public:
  SignalPipe();
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  // For poll() (POLLIN).
  int fd() const { return read_fd_; }
  // The signals received since the last call, in arrival order (SIGCHLD
  // included); never blocks.
  std::vector<int> drain();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

}  // namespace rqcpp
