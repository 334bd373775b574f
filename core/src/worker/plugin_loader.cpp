// Plugin resolution and loading; see worker/plugin_loader.hpp.
#include "worker/plugin_loader.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/dll/shared_library.hpp>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace rqcpp {

namespace fs = std::filesystem;

struct Plugin::Library {
  boost::dll::shared_library dll;
};

namespace {

// True when `inner` is `outer` itself or below it (both already canonical).
bool inside(const fs::path& outer, const fs::path& inner) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *o != *i) return false;
  }
  return true;
}

// The whole manifest, entry by entry, so a bogus function_count (or a
// garbage entry) is refused here instead of being walked later by a
// lookup: every entry needs a name (read to its end) and a function that
// lies in the plugin's own code. The walk may read past a short table; a
// worker's first load of a file happens in a forked child (a horse or a
// probe), and the worker loads it itself only after a child passed this
// check, so a walk that faults only ever kills that child. (SyncQueue, which
// runs jobs in its caller's process by design, loads in-process.)
void check_manifest(const rqcpp_manifest& m, const void* anchor) {
  // More functions than any plugin has, and few enough to walk quickly.
  constexpr size_t kMaxFunctions = 65536;
  constexpr size_t kMaxNameLength = 256;
  Dl_info self{};
  if (dladdr(anchor, &self) == 0) throw PluginError("bad manifest: cannot locate the plugin");
  const auto in_plugin = [&](const void* addr) {
    Dl_info at{};
    return addr != nullptr && dladdr(addr, &at) != 0 && at.dli_fbase == self.dli_fbase;
  };
  if (m.function_count > kMaxFunctions) {
    throw PluginError("bad manifest: function_count " + std::to_string(m.function_count) +
                      " is more than " + std::to_string(kMaxFunctions));
  }
  if (m.function_count > 0 && m.functions == nullptr) {
    throw PluginError("bad manifest: function_count " + std::to_string(m.function_count) +
                      " but no function table");
  }
  for (size_t i = 0; i < m.function_count; ++i) {
    const rqcpp_function& f = m.functions[i];
    const std::string entry =
        "bad manifest: entry " + std::to_string(i + 1) + " of " + std::to_string(m.function_count);
    if (f.name == nullptr || strnlen(f.name, kMaxNameLength) == kMaxNameLength) {
      throw PluginError(entry + " has no name (is function_count right?)");
    }
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): a code address for dladdr
    if (!in_plugin(reinterpret_cast<const void*>(f.fn))) {
      throw PluginError(entry + " has no function in the plugin (is function_count right?)");
    }
  }
}

std::atomic<bool> world_writable_allowed{false};

}  // namespace

void allow_world_writable_plugins(bool allow) {
  world_writable_allowed = allow;
}

std::string plugin_path_problem(const fs::path& path, bool allow_world_writable) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "'" + path.string() + "' does not exist";
  if ((st.st_mode & S_IWOTH) != 0 && !allow_world_writable) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return "'" + path.string() + "' is writable by anyone on this host (mode " + mode +
           "), so anyone could run code as the worker's user: refused (chmod o-w it, or "
           "rqworker --allow-world-writable-plugins)";
  }
  return "";
}

bool valid_plugin_name(std::string_view libname) {
  return FunctionRef::is_valid_libname(libname);
}

FunctionRef plugin_function_ref(std::string_view func_name) {
  if (std::string problem = FunctionRef::problem(func_name); !problem.empty()) {
    throw PluginError(problem);
  }
  return FunctionRef::parse(func_name);
}

std::array<fs::path, 2> plugin_file_candidates(const fs::path& plugin_dir,
                                               std::string_view libname) {
  const std::string name(libname);
  return {plugin_dir / ("lib" + name + ".so"), plugin_dir / (name + ".so")};
}

std::string plugin_libname_of(const fs::path& file) {
  std::string stem = file.stem().string();
  return stem.rfind("lib", 0) == 0 ? stem.substr(3) : stem;
}

fs::path resolve_plugin(const fs::path& plugin_dir, std::string_view libname) {
  std::string name(libname);
  if (!valid_plugin_name(name)) {
    throw PluginError("invalid plugin name '" + name + "'");
  }
  std::error_code ec;
  fs::path real_dir = fs::canonical(plugin_dir, ec);
  if (ec || !fs::is_directory(real_dir, ec)) {
    throw PluginError("plugin directory '" + plugin_dir.string() + "' does not exist");
  }
  for (const fs::path& candidate : plugin_file_candidates(plugin_dir, name)) {
    if (!fs::exists(candidate, ec)) continue;  // follows symlinks: dangling ones are skipped
    fs::path real = fs::canonical(candidate, ec);
    if (ec) continue;
    if (!inside(real_dir, real)) {
      throw PluginError("plugin '" + name + "' resolves outside the plugin directory (" +
                        real.string() + "), refused");
    }
    for (const fs::path& p : {real_dir, real}) {
      if (std::string problem = plugin_path_problem(p, world_writable_allowed); !problem.empty()) {
        problem.insert(0, "plugin '" + name + "': ");
        throw PluginError(problem);
      }
    }
    return real;
  }
  throw PluginError("unknown plugin '" + name + "' (no lib" + name + ".so or " + name + ".so in " +
                    plugin_dir.string() + ")");
}

Plugin Plugin::load(const fs::path& plugin_dir, std::string_view libname) {
  Plugin p;
  p.libname_ = std::string(libname);
  p.path_ = resolve_plugin(plugin_dir, libname);
  p.lib_ = std::make_unique<Library>();

  dlerror();  // clear a stale message so the one we report is ours
  boost::dll::fs::error_code ec;
  p.lib_->dll.load(p.path_, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                   ec);
  if (ec || !p.lib_->dll.is_loaded()) {
    const char* why = dlerror();
    throw PluginError("plugin failed to load: " + std::string(why ? why : ec.message()));
  }
  if (!p.lib_->dll.has(RQCPP_MANIFEST_SYMBOL)) {
    throw PluginError("not an rqcpp plugin (no " RQCPP_MANIFEST_SYMBOL " in " + p.path_.string() +
                      ")");
  }
  auto manifest_fn = p.lib_->dll.get<const rqcpp_manifest*()>(RQCPP_MANIFEST_SYMBOL);
  p.manifest_ = manifest_fn();
  if (p.manifest_ == nullptr) {
    throw PluginError("not an rqcpp plugin (" RQCPP_MANIFEST_SYMBOL " returned no manifest)");
  }
  if (p.manifest_->abi_version != RQCPP_ABI_VERSION) {
    throw PluginError("ABI mismatch (plugin " + std::to_string(p.manifest_->abi_version) +
                      ", worker " + std::to_string(RQCPP_ABI_VERSION) + ")");
  }
  check_manifest(*p.manifest_, reinterpret_cast<const void*>(manifest_fn));
  return p;
}

Plugin::Plugin(Plugin&&) noexcept = default;
Plugin& Plugin::operator=(Plugin&&) noexcept = default;
Plugin::~Plugin() = default;

std::vector<std::string> Plugin::function_names() const {
  std::vector<std::string> names;
  for (size_t i = 0; i < manifest_->function_count; ++i) {
    const char* n = manifest_->functions[i].name;
    names.emplace_back(n ? n : "");
  }
  return names;
}

rqcpp_job_fn Plugin::function(std::string_view name) const {
  for (size_t i = 0; i < manifest_->function_count; ++i) {
    const rqcpp_function& f = manifest_->functions[i];
    if (f.name != nullptr && name == f.name && f.fn != nullptr) return f.fn;
  }
  std::string offers;
  for (const std::string& n : function_names()) offers += (offers.empty() ? "" : ", ") + n;
  throw PluginError("no function '" + std::string(name) + "' in plugin '" + libname_ +
                    "' (it offers: " + (offers.empty() ? "nothing" : offers) + ")");
}

}  // namespace rqcpp
