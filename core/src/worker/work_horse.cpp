// The work horse, both sides: the frames on its pipes, the child's plugin
// load and call with its outcome on the pipe, and the parent's job
// hand-over and outcome; see work_horse.hpp.
#include "worker/work_horse.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <string_view>
#include <system_error>

#include "rqcpp/error.hpp"
#include "worker/horse_limits.hpp"
#include "worker/plugin_loader.hpp"

namespace rqcpp {

namespace {

// The frames on a horse's pipes (same binary on both ends, so no
// versioning; lengths are native u64). Outcome (child -> parent): u64 body
// length, then u8 ok, u8 has_result, u8 has_meta, u8 plugin_checked and five length-prefixed
// strings (result, exc_type, exc_message, traceback, meta). Job (parent ->
// standby child, which reads to end of file): the PluginCall's strings, its
// serializer, its function pointer (valid in the child, forked from the
// parent that resolved it) and its limits.
namespace horse_frame {

void put_u64(std::string& out, uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), 8);
}

void put_str(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t u64() {
    need(8);
    uint64_t v;
    std::memcpy(&v, in_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  std::string str() {
    uint64_t n = u64();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  void need(uint64_t n) const {
    if (n > in_.size() - pos_) throw DecodeError("work horse sent a truncated outcome");
  }
  std::string_view in_;
  size_t pos_ = 0;
};

std::string encode(const CallOutcome& o) {
  std::string body;
  body.push_back(o.ok ? 1 : 0);
  body.push_back(o.result ? 1 : 0);
  body.push_back(o.meta ? 1 : 0);
  body.push_back(o.plugin_checked ? 1 : 0);
  put_str(body, o.result ? *o.result : std::string());
  put_str(body, o.exc_type);
  put_str(body, o.exc_message);
  put_str(body, o.traceback);
  put_str(body, o.meta ? *o.meta : std::string());
  std::string frame;
  put_u64(frame, body.size());
  return frame + body;
}

// nullopt while `buffer` does not yet hold a whole frame; throws DecodeError
// when it holds something that is not a frame.
std::optional<CallOutcome> decode(std::string_view buffer) {
  if (buffer.size() < 8) return std::nullopt;
  uint64_t len;
  std::memcpy(&len, buffer.data(), 8);
  if (buffer.size() - 8 < len) return std::nullopt;
  if (buffer.size() - 8 > len) throw DecodeError("work horse sent bytes after its outcome");
  Reader r(buffer.substr(8));
  CallOutcome o;
  o.ok = r.u8() != 0;
  bool has_result = r.u8() != 0;
  bool has_meta = r.u8() != 0;
  o.plugin_checked = r.u8() != 0;
  std::string result = r.str();
  o.exc_type = r.str();
  o.exc_message = r.str();
  o.traceback = r.str();
  std::string meta = r.str();
  if (!r.done()) throw DecodeError("work horse sent a malformed outcome");
  if (has_result) o.result = std::move(result);
  if (has_meta) o.meta = std::move(meta);
  return o;
}

std::string encode_job(const PluginCall& j) {
  std::string out;
  for (std::string_view s :
       {std::string_view(j.id), std::string_view(j.origin), std::string_view(j.func_name),
        std::string_view(j.args), std::string_view(j.kwargs), std::string_view(j.meta),
        std::string_view(j.redis_url), std::string_view(j.plugin_dir.native())}) {
    put_str(out, s);
  }
  put_u64(out, static_cast<uint64_t>(j.serializer));
  put_u64(out, reinterpret_cast<uintptr_t>(j.fn));
  put_u64(out, j.limits.memory_bytes);
  put_u64(out, static_cast<uint64_t>(j.limits.cpu.count()));
  put_u64(out, static_cast<uint64_t>(j.limits.open_files));
  return out;
}

// Throws DecodeError on a truncated or malformed job.
PluginCall decode_job(std::string_view bytes) {
  Reader r(bytes);
  PluginCall j;
  j.id = r.str();
  j.origin = r.str();
  j.func_name = r.str();
  j.args = r.str();
  j.kwargs = r.str();
  j.meta = r.str();
  j.redis_url = r.str();
  j.plugin_dir = r.str();
  j.serializer = static_cast<Serializer>(r.u64());
  // The entry point the worker resolved before forking: the horse shares its
  // address space image, so the address is valid here.
  // NOLINTNEXTLINE(performance-no-int-to-ptr): a code address sent to a forked child
  j.fn = reinterpret_cast<rqcpp_job_fn>(static_cast<uintptr_t>(r.u64()));
  j.limits.memory_bytes = r.u64();
  j.limits.cpu = std::chrono::seconds(static_cast<long long>(r.u64()));
  j.limits.open_files = static_cast<long long>(r.u64());
  if (!r.done()) throw DecodeError("worker sent a malformed job");
  return j;
}
}  // namespace horse_frame

void write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone; nobody to tell
    done += static_cast<size_t>(n);
  }
}

// The child side. Applies the job's limits, calls job.fn (inherited from
// the parent), or else loads the plugin, calls the job function with a fresh
// rqcpp_context, writes the framed outcome to `out_fd` and leaves with
// _exit(0). Runs only in a freshly forked child; never touches the parent's
// Redis state.
[[noreturn]] void horse_main(const PluginCall& job, int out_fd) {
  // Never unloaded: _exit() below ends the process, and dlclose() could run
  // plugin destructors we have no reason to trust.
  static std::optional<Plugin> plugin;
  // Framed before the memory limit applies: what is sent when a job that
  // used up its memory leaves too little to frame its real outcome.
  const std::string out_of_memory =
      job.limits.memory_bytes == 0
          ? std::string()
          : horse_frame::encode(CallOutcome::failure("MemoryError", "std::bad_alloc"));
  CallOutcome outcome;
  if (std::string refused = apply_horse_limits(job.limits); !refused.empty()) {
    outcome = CallOutcome::failure("OSError", refused);
  } else {
    outcome = run_guarded([&] {
      if (job.fn != nullptr) return call_plugin_function(job, job.fn);
      FunctionRef ref = plugin_function_ref(job.func_name);
      plugin.emplace(Plugin::load(job.plugin_dir, ref.libname));
      return call_plugin_function(job, plugin->function(ref.function));
    });
  }
  outcome.plugin_checked = plugin.has_value();
  // Only the child's own stdio buffers (the parent writes nothing to stdout
  // and logs unbuffered to stderr), so a plugin's printf output is not lost.
  std::fflush(nullptr);
  try {
    write_all(out_fd, horse_frame::encode(outcome));
  } catch (const std::bad_alloc&) {
    write_all(out_fd, out_of_memory);
  }
  _exit(0);
}

// A standby horse: reads its job frame from `job_fd` to end of file, then
// runs horse_main. Leaves quietly (_exit(0)) when the parent closes the pipe
// without a job; a malformed frame becomes the job's failure.
[[noreturn]] void standby_main(int job_fd, int out_fd) {
  std::string bytes;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(job_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(job_fd);
  if (bytes.empty()) _exit(0);  // discarded before it got a job
  PluginCall job;
  try {
    job = horse_frame::decode_job(bytes);
  } catch (const std::exception& e) {
    write_all(out_fd, horse_frame::encode(CallOutcome::failure("RuntimeError", e.what())));
    _exit(0);
  }
  horse_main(job, out_fd);
}

}  // namespace

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
  if (child_.output_overflowed()) {
    return CallOutcome::failure("SizeLimitError",
                                "the work horse sent an outcome of more than " +
                                    std::to_string(child_.output_limit()) +
                                    " bytes (its result, meta or error text is too large; "
                                    "rqworker --max-result-size, --max-meta-size) and was killed");
  }
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
