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
constexpr int kChildJobFd = 4;  // standby horses only

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

WorkHorse WorkHorse::fork_child(int job_fd) {
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
    // Keep only stdio, the outcome pipe and (standby) the job pipe: every
    // other descriptor (the parent's Redis sockets, its self-pipe) is the
    // parent's business.
    // Lifted above both targets first, so neither dup2 clobbers the other.
    const int out = fcntl(fds[1], F_DUPFD, kChildJobFd + 1);
    const int in = job_fd >= 0 ? fcntl(job_fd, F_DUPFD, kChildJobFd + 1) : -1;
    dup2(out, kChildOutFd);
    if (in >= 0) dup2(in, kChildJobFd);
    close_range(in >= 0 ? kChildJobFd + 1 : kChildOutFd + 1, ~0U, 0);
    return WorkHorse(0, -1);
  }
  // Also from the parent, so a kill() right after spawn hits the group even
  // if the child has not run setpgid yet.
  setpgid(pid, pid);
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return WorkHorse(pid, fds[0]);
}

WorkHorse WorkHorse::spawn(const HorseJob& job) {
  WorkHorse h = fork_child(-1);
  if (h.pid_ == 0) horse_main(job, kChildOutFd);
  return h;
}

WorkHorse WorkHorse::standby() {
  int job[2];
  if (pipe2(job, O_CLOEXEC) != 0) throw_errno("pipe2");
  WorkHorse h = [&] {
    try {
      return fork_child(job[0]);
    } catch (...) {
      close(job[0]);
      close(job[1]);
      throw;
    }
  }();
  if (h.pid_ == 0) standby_main(kChildJobFd, kChildOutFd);
  close(job[0]);
  h.job_fd_ = job[1];
  return h;
}

bool WorkHorse::start(const HorseJob& job) {
  if (job_fd_ < 0) return false;
  const std::string bytes = horse_frame::encode_job(job);
  // A child killed while it waited makes the write raise SIGPIPE, which
  // would kill the worker: blocked here, and consumed if it was raised.
  sigset_t pipe_sig, old;
  sigemptyset(&pipe_sig);
  sigaddset(&pipe_sig, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_sig, &old);
  size_t done = 0;
  bool ok = true;
  while (done < bytes.size()) {
    // Blocks while a large job fills the pipe; the child is reading it.
    ssize_t n = ::write(job_fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;  // EPIPE: the child was killed while it waited
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (!ok) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_sig, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(job_fd_);
  job_fd_ = -1;
  return ok;
}

WorkHorse::WorkHorse(WorkHorse&& o) noexcept
    : pid_(o.pid_),
      fd_(o.fd_),
      job_fd_(o.job_fd_),
      reaped_(o.reaped_),
      status_(o.status_),
      buffer_(std::move(o.buffer_)) {
  o.pid_ = -1;
  o.fd_ = -1;
  o.job_fd_ = -1;
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
  if (job_fd_ >= 0) close(job_fd_);
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

bool WorkHorse::reported() const {
  try {
    return !buffer_.empty() && horse_frame::decode(buffer_).has_value();
  } catch (const DecodeError&) {
    return false;  // garbage: only reaping tells how it ended
  }
}

void WorkHorse::wait() {
  if (reaped_) return;
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  status_ = r == pid_ ? status : 0;
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
