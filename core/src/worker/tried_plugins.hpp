// Plugins the worker process itself has loaded, each only after a forked
// child loaded it first ("tried"): the no-fork worker calls their functions
// directly, and the forking worker's horses inherit them through fork(), so
// a horse runs a job without a dlopen of its own.
//
// The worker never loads an untried plugin into its own process: the first
// time a plugin file is seen, and whenever its identity (device, inode, mtime
// of lib<name>.so / <name>.so) changes, a forked child loads it and checks its
// manifest; only if that child reports success is the plugin dlopened here.
// A steady-state lookup costs one stat() of the plugin file. A failed probe is
// cached too: jobs of that plugin fail fast until the file changes.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "worker/child_process.hpp"
#include "worker/plugin_loader.hpp"

namespace rqcpp {

class TriedPlugins {
 public:
  // Probes are waited for by `supervisor` (the worker's event loop keeps
  // being served while a plugin loads in its probe child).
  explicit TriedPlugins(ChildSupervisor supervisor = ChildSupervisor());

  // The duties run while a probe is waited for (the running job's
  // heartbeat); nullptr: none.
  void set_probe_duties(std::function<Steady::time_point()> duties) { duties_ = std::move(duties); }

  // The function `func_name` ("libname:function") names, from a plugin
  // loaded in this process after a successful probe. The pointer stays valid
  // until the next call that finds the plugin's file changed. Throws
  // PluginError: a bad name, an unknown plugin, the probe's failure ("plugin
  // crashed while loading (signal 11: SIGSEGV)", "... did not finish ..."), a
  // replaced plugin whose old version cannot be unloaded, or no such
  // function in the manifest.
  rqcpp_job_fn function(const std::string& plugin_dir, const std::string& func_name);

  // A plugin file's identity: a replaced file (rename) differs.
  struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    timespec mtime{};
    bool operator==(const FileId& o) const {
      return dev == o.dev && ino == o.ino && mtime.tv_sec == o.mtime.tv_sec &&
             mtime.tv_nsec == o.mtime.tv_nsec;
    }
  };

  // What loaded_function() found, for adopt().
  struct Lookup {
    rqcpp_job_fn fn = nullptr;  // nullptr: not loaded here (yet)
    std::string libname;
    std::optional<FileId> id;  // the plugin file's identity when looked up
  };

  // The forking worker's lookup, which never probes: the function if its
  // plugin file is already loaded here unchanged, else fn == nullptr (the
  // horse loads the plugin itself). Throws PluginError for a bad name, a
  // missing function of a loaded plugin, or a replaced plugin whose old
  // version cannot be unloaded.
  Lookup loaded_function(const std::string& plugin_dir, const std::string& func_name);

  // After a horse loaded the plugin of `tried` (looked up with fn ==
  // nullptr) and reported that it passed Plugin::load's checks
  // (CallOutcome::plugin_checked; call it only then), loads it here too, so
  // later horses inherit it; the horse was the trial. Does nothing if the file changed since the
  // lookup or it does not load. Never throws.
  void adopt(const std::string& plugin_dir, const Lookup& tried);

  // Probes (forked children) done so far; for tests and the benchmark.
  long long probes() const { return probes_; }

  // Changes whenever a plugin is loaded into or unloaded from this process:
  // a child forked at an older generation may lack a function resolved now.
  long long generation() const { return generation_; }

 private:
  struct Cached {
    std::string plugin_dir;
    FileId id;
    std::optional<Plugin> plugin;  // loaded in-process after a good probe
    std::string error;             // the probe's failure when !plugin
  };
  const Cached& plugin_for(const std::string& plugin_dir, const std::string& libname);
  // The cache entry for the file with identity `id`, or nullptr; an entry
  // for an older file is dropped (dlclosed), or replaced by an error entry
  // when the old file stays mapped.
  Cached* current(const std::string& plugin_dir, const std::string& libname, const FileId& id);
  static std::optional<FileId> identity(const std::string& plugin_dir, const std::string& libname);

  // Loads `libname` in a probe child: "" when it loads, else the failure.
  std::string probe(const std::string& plugin_dir, const std::string& libname);

  ChildSupervisor supervisor_;
  std::function<Steady::time_point()> duties_;
  std::map<std::string, Cached> cache_;
  long long probes_ = 0;
  long long generation_ = 0;
};

}  // namespace rqcpp
