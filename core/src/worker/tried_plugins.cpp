// Plugins loaded in the worker process after a probe; see tried_plugins.hpp.
#include "worker/tried_plugins.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "worker/plugin_call.hpp"

namespace rqcpp {

namespace {

constexpr int kProbeTimeoutMs = 30000;

// Identity of the file lib<name>.so or <name>.so would resolve to (stat
// follows symlinks); nullopt when neither exists.
std::optional<struct stat> plugin_file(const std::string& dir, const std::string& libname) {
  struct stat st;
  for (const std::string& f : {dir + "/lib" + libname + ".so", dir + "/" + libname + ".so"}) {
    if (::stat(f.c_str(), &st) == 0) return st;
  }
  return std::nullopt;
}

[[noreturn]] void probe_child(const std::string& dir, const std::string& libname, int fd) {
  std::string report;
  try {
    Plugin::load(dir, libname);  // the manifest check is part of load
  } catch (const std::exception& e) {
    report = e.what();
    if (report.empty()) report = "plugin failed to load";
  } catch (...) {
    report = "plugin failed to load (non-standard exception)";
  }
  report = report.empty() ? "ok" : "E" + report;
  size_t done = 0;
  while (done < report.size()) {
    ssize_t n = ::write(fd, report.data() + done, report.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  _exit(0);
}

}  // namespace

std::string probe_plugin(const std::string& plugin_dir, const std::string& libname) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return std::string("cannot probe plugin: pipe: ") + strerror(errno);
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    // Default signal handling: the parent's handlers write to its self-pipe.
    for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGPIPE, SIGHUP, SIGQUIT}) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    close(fds[0]);
    probe_child(plugin_dir, libname, fds[1]);
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return std::string("cannot probe plugin: fork: ") + strerror(errno);
  }
  std::string report;
  bool timed_out = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kProbeTimeoutMs);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;  // timeout: the loop head notices
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is done
    report.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return "plugin probe timed out after " + std::to_string(kProbeTimeoutMs / 1000) +
           " s (loading it hangs)";
  }
  if (report == "ok") return "";
  if (!report.empty() && report[0] == 'E') return report.substr(1);
  if (WIFSIGNALED(status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(status));
    return "plugin crashed while loading (signal " + std::to_string(WTERMSIG(status)) + ": SIG" +
           (abbrev ? abbrev : "?") + ")";
  }
  return "plugin probe exited with status " + std::to_string(WEXITSTATUS(status)) +
         " without reporting";
}

TriedPlugins::Cached* TriedPlugins::current(const std::string& plugin_dir,
                                           const std::string& libname, const FileId& id) {
  auto it = cache_.find(libname);
  if (it == cache_.end()) return nullptr;
  if (it->second.id == id && it->second.plugin_dir == plugin_dir) return &it->second;
  std::optional<std::filesystem::path> old_path;
  if (it->second.plugin) old_path = it->second.plugin->path();
  cache_.erase(it);  // dlclose the old file before anything loads the new one
  ++generation_;
  // dlopen() finds an already loaded library by its path before it looks at
  // the file, so the new file can only be loaded if dlclose really unmapped
  // the old one (a library with STB_GNU_UNIQUE symbols never is).
  if (old_path) {
    if (void* h = dlopen(old_path->c_str(), RTLD_NOW | RTLD_NOLOAD)) {
      dlclose(h);
      Cached stale;
      stale.plugin_dir = plugin_dir;
      stale.id = id;
      stale.error = "plugin '" + libname +
                    "' was replaced but its old version cannot be unloaded from the worker "
                    "(it has STB_GNU_UNIQUE symbols); restart the worker to load the new one";
      return &cache_.emplace(libname, std::move(stale)).first->second;
    }
  }
  return nullptr;
}

std::optional<TriedPlugins::FileId> TriedPlugins::identity(const std::string& plugin_dir,
                                                            const std::string& libname) {
  auto st = plugin_file(plugin_dir, libname);
  if (!st) return std::nullopt;
  return FileId{st->st_dev, st->st_ino, st->st_mtim};
}

const TriedPlugins::Cached& TriedPlugins::plugin_for(const std::string& plugin_dir,
                                                     const std::string& libname) {
  auto id = identity(plugin_dir, libname);
  if (!id) {
    resolve_plugin(plugin_dir, libname);  // throws the precise PluginError
    id = identity(plugin_dir, libname);
    if (!id) throw PluginError("unknown plugin '" + libname + "' (it vanished while loading)");
  }
  if (Cached* c = current(plugin_dir, libname, *id)) return *c;
  Cached c;
  c.plugin_dir = plugin_dir;
  c.id = *id;
  ++probes_;
  c.error = probe_plugin(plugin_dir, libname);
  if (c.error.empty()) {
    try {
      c.plugin.emplace(Plugin::load(plugin_dir, libname));
      ++generation_;
    } catch (const PluginError& e) {
      c.error = e.what();  // changed between probe and load; tried again next job
      c.id = FileId{};
    }
  }
  return cache_.emplace(libname, std::move(c)).first->second;
}

rqcpp_job_fn TriedPlugins::function(const std::string& plugin_dir, const std::string& func_name) {
  FunctionRef ref = FunctionRef::parse(func_name);
  const Cached& c = plugin_for(plugin_dir, ref.libname);
  if (!c.plugin) throw PluginError(c.error);
  return c.plugin->function(ref.function);
}

TriedPlugins::Lookup TriedPlugins::loaded_function(const std::string& plugin_dir,
                                                   const std::string& func_name) {
  Lookup out;
  FunctionRef ref = FunctionRef::parse(func_name);
  out.libname = ref.libname;
  out.id = identity(plugin_dir, ref.libname);
  if (!out.id) return out;  // the horse reports the precise error
  Cached* c = current(plugin_dir, ref.libname, *out.id);
  if (c == nullptr) return out;
  if (!c->plugin) throw PluginError(c->error);
  out.fn = c->plugin->function(ref.function);
  return out;
}

void TriedPlugins::adopt(const std::string& plugin_dir, const Lookup& tried) {
  if (tried.fn != nullptr || !tried.id) return;
  auto now = identity(plugin_dir, tried.libname);
  if (!now || !(*now == *tried.id)) return;  // replaced meanwhile: not the file the horse tried
  if (current(plugin_dir, tried.libname, *now) != nullptr) return;
  try {
    Cached c;
    c.plugin_dir = plugin_dir;
    c.id = *now;
    c.plugin.emplace(Plugin::load(plugin_dir, tried.libname));
    ++generation_;
    cache_.emplace(tried.libname, std::move(c));
  } catch (const PluginError&) {
    // Not a usable plugin (the horse reported why); horses keep loading it.
  }
}

HorseOutcome run_in_process(TriedPlugins& plugins, const HorseJob& job) {
  return run_guarded([&] {
    return call_plugin_function(job, plugins.function(job.plugin_dir.string(), job.func_name));
  });
}

}  // namespace rqcpp
