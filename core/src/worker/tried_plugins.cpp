// Plugins loaded in the worker process after a probe; see tried_plugins.hpp.
#include "worker/tried_plugins.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <chrono>
#include <system_error>

#include "worker/plugin_probe.hpp"

namespace rqcpp {

namespace {

constexpr std::chrono::milliseconds kProbeTimeout{30000};

// Identity of the file lib<name>.so or <name>.so would resolve to (stat
// follows symlinks); nullopt when neither exists.
std::optional<struct stat> plugin_file(const std::string& dir, const std::string& libname) {
  struct stat st;
  for (const std::filesystem::path& f : plugin_file_candidates(dir, libname)) {
    if (::stat(f.c_str(), &st) == 0) return st;
  }
  return std::nullopt;
}

}  // namespace

TriedPlugins::TriedPlugins(ChildSupervisor supervisor) : supervisor_(supervisor) {}

std::string TriedPlugins::probe(const std::string& plugin_dir, const std::string& libname) {
  ++probes_;
  bool answered = false;
  PluginInfo info =
      probe_plugin(plugin_dir, libname, kProbeTimeout, supervisor_, duties_, &answered);
  return answered || info.error.rfind("cannot probe", 0) == 0 ? info.error : "plugin " + info.error;
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
  c.error = probe(plugin_dir, libname);
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
  FunctionRef ref = plugin_function_ref(func_name);
  const Cached& c = plugin_for(plugin_dir, ref.libname);
  if (!c.plugin) throw PluginError(c.error);
  return c.plugin->function(ref.function);
}

TriedPlugins::Lookup TriedPlugins::loaded_function(const std::string& plugin_dir,
                                                   const std::string& func_name) {
  Lookup out;
  FunctionRef ref = plugin_function_ref(func_name);
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

}  // namespace rqcpp
