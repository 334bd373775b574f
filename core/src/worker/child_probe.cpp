// Forked probe children; see rqcpp/worker/child_probe.hpp.
#include "rqcpp/worker/child_probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace rqcpp {

namespace {

[[noreturn]] void child(const std::function<std::string()>& body, int fd) {
  const std::string out = body();
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  _exit(0);
}

}  // namespace

std::string ChildProbe::failure_text(std::chrono::milliseconds timeout) const {
  if (timed_out) {
    return "loading did not finish within " + std::to_string(timeout.count() / 1000) +
           " s (killed)";
  }
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* abbrev = sigabbrev_np(sig);
    return "crashed while loading (signal " + std::to_string(sig) + ": SIG" +
           (abbrev ? abbrev : "?") + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(wait_status)) + " without an answer";
}

ChildProbe run_child_probe(const std::function<std::string()>& body,
                           std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  std::fflush(nullptr);  // nothing buffered may be written twice
  // Signals stay blocked across fork() so no handler of the caller (e.g. a
  // worker's self-pipe writer) runs in the child.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGPIPE, SIGHUP, SIGQUIT}) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    close(fds[0]);
    child(body, fds[1]);
  }
  const int fork_errno = errno;
  sigprocmask(SIG_SETMASK, &old, nullptr);
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    throw std::system_error(fork_errno, std::generic_category(), "fork");
  }
  ChildProbe r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n <= 0) continue;  // EINTR or timeout: the loop head decides
    char buf[4096];
    ssize_t got = read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: the child is done
    r.output.append(buf, static_cast<size_t>(got));
  }
  close(fds[0]);
  if (r.timed_out) ::kill(pid, SIGKILL);
  while (waitpid(pid, &r.wait_status, 0) < 0 && errno == EINTR) {
  }
  return r;
}

}  // namespace rqcpp
