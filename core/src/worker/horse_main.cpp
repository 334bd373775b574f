// The work horse child: plugin load and call, outcome on the pipe.
#include "worker/horse_main.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include "worker/horse_frame.hpp"
#include "worker/plugin_call.hpp"
#include "worker/plugin_loader.hpp"

namespace rqcpp {

namespace {

void write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone; nobody to tell
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void horse_main(const PluginCall& job, int out_fd) {
  // Never unloaded: _exit() below ends the process, and dlclose() could run
  // plugin destructors we have no reason to trust.
  static std::optional<Plugin> plugin;
  CallOutcome outcome = run_guarded([&] {
    if (job.fn != nullptr) return call_plugin_function(job, job.fn);
    FunctionRef ref = plugin_function_ref(job.func_name);
    plugin.emplace(Plugin::load(job.plugin_dir, ref.libname));
    return call_plugin_function(job, plugin->function(ref.function));
  });
  // Only the child's own stdio buffers (the parent writes nothing to stdout
  // and logs unbuffered to stderr), so a plugin's printf output is not lost.
  std::fflush(nullptr);
  write_all(out_fd, horse_frame::encode(outcome));
  _exit(0);
}

void standby_main(int job_fd, int out_fd) {
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

}  // namespace rqcpp
