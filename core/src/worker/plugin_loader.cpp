// Plugin resolution and loading; see worker/plugin_loader.hpp.
#include "worker/plugin_loader.hpp"

#include <dlfcn.h>

#include <boost/dll/shared_library.hpp>
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

}  // namespace

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
