// A work horse: one forked child process running one job (docs/design.md).
//
// The child puts itself in its own process group, keeps nothing of the
// parent's Redis connections (it opens its own, lazily, only for save_meta),
// calls the function (from a plugin the parent already loaded after a probe,
// or else loading the plugin itself) and sends the outcome to the parent
// through a pipe, then leaves with _exit(). The parent polls fd() together
// with its other descriptors and never blocks on the child. A horse is
// SIGKILLed by the kernel if its worker dies first (PR_SET_PDEATHSIG): nobody
// would record its outcome, and its job is failed or retried elsewhere.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "rqcpp/plugin.h"
#include "rqcpp/serialization.hpp"

namespace rqcpp {

// Everything a horse needs to run one job. Copied into the child by fork().
struct HorseJob {
  std::string id;
  std::string origin;                            // queue name, for the plugin context
  std::string func_name;                         // "libname:function"
  std::string args = std::string("\x90", 1);     // msgpack array
  std::string kwargs = std::string("\x80", 1);   // msgpack map
  std::string meta = std::string("\x80", 1);     // msgpack map
  Serializer serializer = Serializer::kMsgpack;  // how save_meta encodes meta
  std::string redis_url;                         // for save_meta's own connection
  std::filesystem::path plugin_dir;
  // The function, when the parent already holds its plugin loaded (a tried
  // plugin, worker/tried_plugins.hpp): the horse calls it through the mapping
  // it inherited and loads nothing. nullptr: the horse loads the plugin from
  // plugin_dir itself.
  rqcpp_job_fn fn = nullptr;
};

// How one execution ended.
struct HorseOutcome {
  bool ok = false;
  // Success: the return value as msgpack; nullopt (or msgpack nil) is None.
  std::optional<std::string> result;
  // Failure: exception type name ("ValueError", "PluginError"...), message and
  // optional traceback text from the plugin. An empty exc_type means the
  // failure is not an exception raised by the job (the horse died, timed out)
  // and exc_message is the whole failure text, as RQ writes such failures.
  std::string exc_type;
  std::string exc_message;
  std::string traceback;
  // The meta as the plugin last set it; nullopt when it never called set_meta.
  std::optional<std::string> meta;

  static HorseOutcome failure(std::string type, std::string message);
};

// The parent's handle on a running horse. Owns the child process (killed
// with SIGKILL on its whole process group and reaped by the destructor if
// still running) and the read end of the outcome pipe. Move-only.
class WorkHorse {
 public:
  // Forks a child that runs `job`. Throws std::system_error when pipe() or
  // fork() fails. The child never returns from this call.
  static WorkHorse spawn(const HorseJob& job);

  // Forks a child that waits, without a job, for start(): forking ahead
  // takes the fork off the path from taking a job to running it. Such a
  // horse only calls a job's `fn` if that function's plugin was loaded in the
  // parent before this call. Throws std::system_error like spawn().
  static WorkHorse standby();

  // Hands `job` to a standby horse. Returns false when the child is gone
  // (killed while it waited) or this is not an unstarted standby horse; the
  // caller then spawns a fresh one.
  bool start(const HorseJob& job);

  WorkHorse(WorkHorse&&) noexcept;
  WorkHorse& operator=(WorkHorse&&) = delete;
  WorkHorse(const WorkHorse&) = delete;
  WorkHorse& operator=(const WorkHorse&) = delete;
  ~WorkHorse();

  pid_t pid() const { return pid_; }
  // The outcome pipe for poll() (POLLIN); -1 once it reached end of file.
  int fd() const { return fd_; }
  // Reads whatever the pipe holds now; call when poll() reports fd() readable.
  void on_readable();
  // Non-blocking: reaps the child if it has exited (then drains the pipe).
  // Returns true once the child is reaped.
  bool try_reap();
  bool reaped() const { return reaped_; }
  // True once the child's whole outcome frame has arrived: it reported and
  // is leaving with _exit(), so outcome() is final even before reaping.
  bool reported() const;
  // Blocks until the child has exited and reaps it, without killing it; for
  // a horse that reported(). No-op once reaped.
  void wait();
  // SIGKILLs the child's process group (no-op once reaped).
  void kill();

  // After reaping or reported(): the outcome the child sent, or a failure describing how
  // it died: "Work-horse terminated unexpectedly; waitpid returned 11 (signal
  // 11: SIGSEGV); " or "Work-horse exited with status N without reporting an
  // outcome".
  HorseOutcome outcome() const;

 private:
  WorkHorse(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  // The common fork; returns a pid-0 handle in the child. job_fd >= 0 (a
  // standby) becomes the child's fd 4.
  static WorkHorse fork_child(int job_fd);
  pid_t pid_ = -1;
  int fd_ = -1;
  int job_fd_ = -1;  // standby, until start()
  bool reaped_ = false;
  int status_ = 0;
  std::string buffer_;
};

}  // namespace rqcpp
