// A forked child that reports through a pipe: the one fork shared by work
// horses (work_horse.hpp) and plugin probes (child_probe.hpp).
//
// The child is SIGKILLed by the kernel if its parent dies first
// (PR_SET_PDEATHSIG), runs in its own process group, has default signal
// handling and keeps only stdio, its output pipe (fd kOutFd) and optionally
// an input pipe (fd kInFd): none of the parent's Redis sockets or its
// self-pipe. The parent polls fd() with its other descriptors and never
// blocks on the child except in wait().
#pragma once

#include <sys/types.h>

#include <string>

namespace rqcpp {

// How a child with waitpid() status `status` ended: "signal 11: SIGSEGV"
// or "status N".
std::string wait_status_text(int status);

// Owns the child process (SIGKILLed on its whole process group and reaped by
// the destructor if still running) and the read end of its output pipe.
// Move-only.
class ChildProcess {
 public:
  static constexpr int kOutFd = 3;
  static constexpr int kInFd = 4;

  // Forks. `in_fd` >= 0 becomes the child's kInFd. Returns, in the parent,
  // the handle of the child and, in the child, a handle with is_child() true
  // (the caller runs the child's work there and ends it with _exit()).
  // Throws std::system_error when pipe() or fork() fails.
  static ChildProcess fork(int in_fd = -1);

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  bool is_child() const { return pid_ == 0; }
  pid_t pid() const { return pid_; }
  // The output pipe for poll() (POLLIN); -1 once it reached end of file.
  int fd() const { return fd_; }
  // Reads whatever the pipe holds now; call when poll() reports fd() readable.
  void on_readable();
  // What the child wrote so far.
  const std::string& output() const { return output_; }
  // Non-blocking: reaps the child if it has exited (then drains the pipe).
  // Returns true once the child is reaped.
  bool try_reap();
  bool reaped() const { return reaped_; }
  // Blocks until the child has exited and reaps it, without killing it.
  void wait();
  // SIGKILLs the child's process group (no-op once reaped).
  void kill();
  // waitpid()'s status once reaped (WIFSIGNALED...).
  int wait_status() const { return status_; }
  // How a reaped child ended: wait_status_text(wait_status()).
  std::string end_text() const;

 private:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_ = -1;
  int fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string output_;
};

}  // namespace rqcpp
