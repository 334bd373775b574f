// The shared fork of work horses and probes, and the one loop that waits
// for such a child; see child_process.hpp.
#include "worker/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <system_error>
#include <vector>

#include "worker/event_loop.hpp"

namespace rqcpp {

namespace {

[[noreturn]] void throw_errno(int err, const char* what) {
  throw std::system_error(err, std::generic_category(), what);
}

std::chrono::microseconds cpu_of(const rusage& r) {
  auto us = [](const timeval& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
  };
  return us(r.ru_utime) + us(r.ru_stime);
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

}  // namespace

ChildProcess ChildProcess::fork(int in_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  std::fflush(nullptr);  // nothing buffered may be written twice
  // Signals stay blocked across fork() so no handler of the parent runs in
  // the child before reset_signals().
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  const pid_t parent = getpid();
  const pid_t pid = ::fork();
  const int fork_errno = errno;
  if (pid != 0) sigprocmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw_errno(fork_errno, "fork");
  }
  if (pid == 0) {
    // A child whose parent died (SIGKILL, OOM) would run on with nobody to
    // read its answer (a horse's job is failed or retried elsewhere).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    setpgid(0, 0);
    reset_signals();
    // Lifted above both targets first, so neither dup2 clobbers the other.
    const int out = fcntl(fds[1], F_DUPFD, kInFd + 1);
    const int in = in_fd >= 0 ? fcntl(in_fd, F_DUPFD, kInFd + 1) : -1;
    dup2(out, kOutFd);
    if (in >= 0) dup2(in, kInFd);
    close_range(in >= 0 ? kInFd + 1 : kOutFd + 1, ~0U, 0);
    return ChildProcess(0, -1);
  }
  // Also from the parent, so a kill() right after the fork hits the group
  // even if the child has not run setpgid yet.
  setpgid(pid, pid);
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return ChildProcess(pid, fds[0]);
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(o.pid_),
      fd_(o.fd_),
      reaped_(o.reaped_),
      status_(o.status_),
      cpu_time_(o.cpu_time_),
      output_(std::move(o.output_)),
      output_limit_(o.output_limit_),
      overflowed_(o.overflowed_) {
  o.pid_ = -1;
  o.fd_ = -1;
  o.reaped_ = true;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    kill();
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (fd_ >= 0) close(fd_);
}

void ChildProcess::on_readable() {
  if (fd_ < 0) return;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n > 0) {
      output_.append(buf, static_cast<size_t>(n));
      if (output_.size() > output_limit_) {
        overflowed_ = true;
        std::string().swap(output_);  // never read once over the limit
        kill();
        close(fd_);
        fd_ = -1;
        return;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close(fd_);  // EOF (or an error we cannot do anything about)
    fd_ = -1;
    return;
  }
}

bool ChildProcess::try_reap() {
  if (reaped_) return true;
  int status;
  rusage usage{};
  // wait4 for the CPU time a job's limit is checked against (horse_limits.hpp).
  pid_t r = wait4(pid_, &status, WNOHANG, &usage);
  if (r == 0 || (r < 0 && errno == EINTR)) return false;
  reaped_ = true;
  status_ = r == pid_ ? status : 0;
  if (r == pid_) cpu_time_ = cpu_of(usage);
  on_readable();  // whatever it wrote before exiting is still in the pipe
  return true;
}

void ChildProcess::wait() {
  if (reaped_) return;
  int status = 0;
  rusage usage{};
  pid_t r;
  while ((r = wait4(pid_, &status, 0, &usage)) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  status_ = r == pid_ ? status : 0;
  if (r == pid_) cpu_time_ = cpu_of(usage);
}

void ChildProcess::kill() {
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case setpgid has not happened on either side
  }
}

std::string ChildProcess::end_text() const {
  return wait_status_text(status_);
}

std::string wait_status_text(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return "signal " + std::to_string(sig) + ": " +
           (abbrev ? "SIG" + std::string(abbrev) : std::string("unknown signal"));
  }
  return "status " + std::to_string(WEXITSTATUS(status));
}

namespace {

// A killed child still has to be reaped; without the loop's SIGCHLD pipe a
// child that closed its pipe is checked this often.
constexpr std::chrono::milliseconds kReapPoll{10};

std::chrono::milliseconds until(Steady::time_point t) {
  if (t == Steady::time_point::max()) return std::chrono::hours(24);
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Steady::now());
  return std::max(d, std::chrono::milliseconds(0)) + std::chrono::milliseconds(1);
}

}  // namespace

ChildEnd ChildSupervisor::wait(ChildProcess& child, const ChildWatch& watch) const {
  ChildEnd end;
  std::optional<EventLoop::Running> running;
  if (loop_ != nullptr && watch.reachable) running.emplace(*loop_, child, watch.job_id);
  auto done = [&] { return (watch.finished && watch.finished()) || child.try_reap(); };
  while (!done()) {
    const auto now = Steady::now();
    if (!end.timed_out && now >= watch.deadline) {
      end.timed_out = true;
      child.kill();  // the whole process group; SIGCHLD wakes us when it is gone
      continue;
    }
    Steady::time_point wake = end.timed_out ? now + std::chrono::milliseconds(100) : watch.deadline;
    if (watch.duties) wake = std::min(wake, watch.duties());
    std::vector<pollfd> extra;
    const int fd = child.fd();
    if (fd >= 0) extra.push_back(pollfd{fd, POLLIN, 0});
    if (loop_ == nullptr && fd < 0) wake = std::min(wake, now + kReapPoll);
    std::vector<pollfd> fds;
    if (loop_ != nullptr) {
      fds = loop_->poll(std::move(extra), until(wake));
    } else {
      fds = std::move(extra);
      if (::poll(fds.data(), fds.size(), static_cast<int>(until(wake).count())) < 0) {
        for (auto& p : fds) p.revents = 0;
      }
    }
    for (const pollfd& p : fds) {
      if (fd >= 0 && p.fd == fd && p.revents != 0) child.on_readable();
    }
  }
  if (running) {
    end.cold_killed = running->cold_killed();
    end.stop_job = running->stop_job();
  }
  return end;
}

}  // namespace rqcpp
