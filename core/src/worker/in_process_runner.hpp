// The no-fork worker's job runner (rqworker --worker-class simple, RQ's
// SimpleWorker): runs job functions inside the worker process.
//
// The worker still never loads an untried plugin into its own process: the
// first time a plugin file is seen (and whenever its identity - device,
// inode, mtime of lib<name>.so / <name>.so - changes) a forked child loads it
// and checks its manifest; only if that child reports success is the plugin
// dlopened in-process. The handle is cached per libname, so a steady-state
// job costs one stat() of the plugin file and a direct call. A failed probe is
// cached too (jobs of that plugin fail fast until the file changes).
//
// Limits (docs/hot-path.md): a crashing job takes the worker down (its job
// stays in the started registry and is recovered by maintenance); a job is
// never interrupted (no timeout kill; the overrun is logged); no heartbeat is
// sent while a job runs.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <map>
#include <optional>
#include <string>

#include "rqcpp/worker/plugin_loader.hpp"
#include "rqcpp/worker/work_horse.hpp"

namespace rqcpp {

class InProcessRunner {
 public:
  // Runs `job` in this process and returns its outcome; never throws (plugin
  // and function errors become failures, as in a work horse).
  HorseOutcome run(const HorseJob& job);

  // Probes (forked children) done so far; for tests and the benchmark.
  long long probes() const { return probes_; }

 private:
  struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    timespec mtime{};
    bool operator==(const FileId& o) const {
      return dev == o.dev && ino == o.ino && mtime.tv_sec == o.mtime.tv_sec &&
             mtime.tv_nsec == o.mtime.tv_nsec;
    }
  };
  struct Cached {
    std::string plugin_dir;
    FileId id;
    std::optional<Plugin> plugin;  // loaded in-process after a good probe
    std::string error;             // the probe's failure when !plugin
  };

  const Cached& plugin_for(const std::string& plugin_dir, const std::string& libname);

  std::map<std::string, Cached> cache_;
  long long probes_ = 0;
};

// Loads `libname` from `plugin_dir` in a forked child that reports back and
// exits. Returns "" when the plugin loads and its manifest checks out, else
// the failure text (PluginError's message, or how the child died: "plugin
// crashed while loading (signal 11: SIGSEGV)", "plugin probe timed out after
// 30 s").
std::string probe_plugin(const std::string& plugin_dir, const std::string& libname);

}  // namespace rqcpp
