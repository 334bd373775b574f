// Parent side of the work horse: the job hand-over and the outcome; see
// work_horse.hpp.
#include "worker/work_horse.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "rqcpp/error.hpp"
#include "worker/horse_frame.hpp"
#include "worker/horse_main.hpp"

namespace rqcpp {

WorkHorse WorkHorse::spawn(const PluginCall& call) {
  WorkHorse h(ChildProcess::fork());
  if (h.child_.is_child()) horse_main(call, ChildProcess::kOutFd);
  return h;
}

WorkHorse WorkHorse::standby() {
  int job[2];
  if (pipe2(job, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  WorkHorse h = [&] {
    try {
      return WorkHorse(ChildProcess::fork(job[0]));
    } catch (...) {
      close(job[0]);
      close(job[1]);
      throw;
    }
  }();
  if (h.child_.is_child()) standby_main(ChildProcess::kInFd, ChildProcess::kOutFd);
  close(job[0]);
  h.job_fd_ = job[1];
  return h;
}

bool WorkHorse::start(const PluginCall& call) {
  if (job_fd_ < 0) return false;
  const std::string bytes = horse_frame::encode_job(call);
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

WorkHorse::WorkHorse(WorkHorse&& o) noexcept : child_(std::move(o.child_)), job_fd_(o.job_fd_) {
  o.job_fd_ = -1;
}

WorkHorse::~WorkHorse() {
  if (job_fd_ >= 0) close(job_fd_);
}

bool WorkHorse::reported() const {
  const std::string& buffer = child_.output();
  try {
    return !buffer.empty() && horse_frame::decode(buffer).has_value();
  } catch (const DecodeError&) {
    return false;  // garbage: only reaping tells how it ended
  }
}

CallOutcome WorkHorse::outcome() const {
  const std::string& buffer = child_.output();
  if (!buffer.empty()) {
    try {
      if (auto o = horse_frame::decode(buffer)) return *o;
    } catch (const DecodeError&) {
      // a torn or garbage frame: report how the process ended instead
    }
  }
  const int status = child_.wait_status();
  if (WIFSIGNALED(status)) {
    return CallOutcome::failure("", "Work-horse terminated unexpectedly; waitpid returned " +
                                        std::to_string(status) + " (" + child_.end_text() + "); ");
  }
  return CallOutcome::failure("", "Work-horse exited with status " +
                                      std::to_string(WEXITSTATUS(status)) +
                                      " without reporting an outcome");
}

}  // namespace rqcpp
