// Self-pipe for signals; see signal_pipe.hpp.
#include "worker/signal_pipe.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace rqcpp {

namespace {

volatile sig_atomic_t g_write_fd = -1;
constexpr int kSignals[] = {SIGTERM, SIGINT, SIGCHLD};
struct sigaction g_previous[3];
struct sigaction g_previous_pipe;

void on_signal(int sig) {
  int saved = errno;
  auto byte = static_cast<unsigned char>(sig);
  if (g_write_fd >= 0) {
    ssize_t ignored = write(g_write_fd, &byte, 1);  // full pipe: a wake-up is pending anyway
    (void)ignored;
  }
  errno = saved;
}

}  // namespace

SignalPipe::SignalPipe() {
  if (g_write_fd >= 0) throw std::logic_error("only one SignalPipe may exist");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  g_write_fd = write_fd_;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (size_t i = 0; i < 3; ++i) {
    sa.sa_flags = SA_RESTART | (kSignals[i] == SIGCHLD ? SA_NOCLDSTOP : 0);
    sigaction(kSignals[i], &sa, &g_previous[i]);
  }
  // A write to a peer that went away (Redis, a dead horse's pipe) must be
  // an EPIPE error the worker handles, not a signal that kills it.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &g_previous_pipe);
}

SignalPipe::~SignalPipe() {
  for (size_t i = 0; i < 3; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  sigaction(SIGPIPE, &g_previous_pipe, nullptr);
  g_write_fd = -1;
  close(read_fd_);
  close(write_fd_);
}

std::vector<int> SignalPipe::drain() {
  std::vector<int> sigs;
  unsigned char buf[64];
  for (;;) {
    ssize_t n = read(read_fd_, buf, sizeof buf);
    if (n > 0) {
      for (ssize_t i = 0; i < n; ++i) sigs.push_back(buf[i]);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return sigs;
  }
}

}  // namespace rqcpp
