// Parent side of the work horse: fork, outcome pipe, reaping; see
// rqcpp/worker/work_horse.hpp.
#include "rqcpp/worker/work_horse.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "rqcpp/error.hpp"
#include "worker/horse_frame.hpp"
#include "worker/horse_main.hpp"

namespace rqcpp {

namespace {

constexpr int kChildOutFd = 3;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// In the child: default dispositions and an empty mask, so SIGTERM/SIGKILL
// and crashes behave normally and none of the parent's handlers (which write
// to its self-pipe) run here.
void reset_signals() {
  for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGPIPE, SIGHUP, SIGQUIT}) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? "SIG" + std::string(abbrev) : "unknown signal";
}

}  // namespace

HorseOutcome HorseOutcome::failure(std::string type, std::string message) {
  HorseOutcome o;
  o.ok = false;
  o.exc_type = std::move(type);
  o.exc_message = std::move(message);
  return o;
}

WorkHorse WorkHorse::spawn(const HorseJob& job) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  // Signals stay blocked across fork() so no handler of the parent runs in
  // the child before reset_signals().
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) sigprocmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    int saved = errno;
    close(fds[0]);
    close(fds[1]);
    errno = saved;
    throw_errno("fork");
  }
  if (pid == 0) {
    // A horse whose worker died (SIGKILL, OOM) would run on with nobody to
    // record its outcome while the job is failed or retried elsewhere.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    setpgid(0, 0);
    reset_signals();
    // Keep only stdio and the outcome pipe: every other descriptor (the
    // parent's Redis sockets, its self-pipe) is the parent's business.
    if (fds[1] != kChildOutFd) dup2(fds[1], kChildOutFd);
    close_range(kChildOutFd + 1, ~0U, 0);
    horse_main(job, kChildOutFd);
  }
  // Also from the parent, so a kill() right after spawn hits the group even
  // if the child has not run setpgid yet.
  setpgid(pid, pid);
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return WorkHorse(pid, fds[0]);
}

WorkHorse::WorkHorse(WorkHorse&& o) noexcept
    : pid_(o.pid_),
      fd_(o.fd_),
      reaped_(o.reaped_),
      status_(o.status_),
      buffer_(std::move(o.buffer_)) {
  o.pid_ = -1;
  o.fd_ = -1;
  o.reaped_ = true;
}

WorkHorse::~WorkHorse() {
  if (pid_ > 0 && !reaped_) {
    kill();
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (fd_ >= 0) close(fd_);
}

void WorkHorse::on_readable() {
  if (fd_ < 0) return;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close(fd_);  // EOF (or an error we cannot do anything about)
    fd_ = -1;
    return;
  }
}

bool WorkHorse::try_reap() {
  if (reaped_) return true;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return false;
  reaped_ = true;
  status_ = r == pid_ ? status : 0;
  on_readable();  // whatever it wrote before exiting is still in the pipe
  return true;
}

void WorkHorse::kill() {
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case setpgid has not happened on either side
  }
}

HorseOutcome WorkHorse::outcome() const {
  if (!buffer_.empty()) {
    try {
      if (auto o = horse_frame::decode(buffer_)) return *o;
    } catch (const DecodeError&) {
      // a torn or garbage frame: report how the process ended instead
    }
  }
  if (WIFSIGNALED(status_)) {
    int sig = WTERMSIG(status_);
    return HorseOutcome::failure("", "Work-horse terminated unexpectedly; waitpid returned " +
                                         std::to_string(status_) + " (signal " +
                                         std::to_string(sig) + ": " + signal_text(sig) + "); ");
  }
  return HorseOutcome::failure("", "Work-horse exited with status " +
                                       std::to_string(WEXITSTATUS(status_)) +
                                       " without reporting an outcome");
}

}  // namespace rqcpp
