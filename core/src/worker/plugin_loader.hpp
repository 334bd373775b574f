// Finding, loading and checking job plugins (docs/design.md, "Plugins").
// Internal to the worker runtime (rqcpp_runtime); tools list plugins through
// rqcpp/worker/plugin_catalog.hpp.
//
// A job names its function "libname:function" (rqcpp/function_ref.hpp says
// which strings are valid). libname resolves to
// <plugin-dir>/lib<libname>.so, else <plugin-dir>/<libname>.so; the resolved
// real path (symlinks followed) must lie inside the real plugin directory. The
// library must export rqcpp_plugin_manifest with abi_version ==
// RQCPP_ABI_VERSION, and only functions listed in that manifest are callable.
//
// rqworker loads a plugin file into its own process only after a forked
// child (a work horse, or a probe) loaded it (a plugin that crashes while
// loading fails one job, not the worker); docs/design.md, "Plugins". Tools
// such as rqctl may load one in-process to list its functions.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rqcpp/error.hpp"
#include "rqcpp/function_ref.hpp"
#include "rqcpp/plugin.h"

namespace rqcpp {

// Why a plugin function could not be reached. what() is one line naming the
// problem, e.g. "unknown plugin 'x' (no libx.so or x.so in /plugins)",
// "ABI mismatch (plugin 999, worker 1)". A job failing this way reports the
// exception type "PluginError".
class PluginError : public Error {
 public:
  using Error::Error;
};

// FunctionRef::parse (rqcpp/function_ref.hpp, the one libname:function
// rule), throwing PluginError with the same message, as a job fails with.
FunctionRef plugin_function_ref(std::string_view func_name);

// FunctionRef::is_valid_libname.
bool valid_plugin_name(std::string_view libname);

// The files `libname` may be in, in lookup order: <plugin_dir>/lib<libname>.so,
// then <plugin_dir>/<libname>.so (the one rule every lookup uses).
std::array<std::filesystem::path, 2> plugin_file_candidates(const std::filesystem::path& plugin_dir,
                                                            std::string_view libname);

// The libname a plugin file is reached by: "libx.so" and "x.so" -> "x".
std::string plugin_libname_of(const std::filesystem::path& file);

// Whether plugins may be loaded from a directory or file that anyone on the
// host may write (anyone could then run code as the worker's user). Off by
// default; a process-wide policy, set once at start (rqworker
// --allow-world-writable-plugins) before any fork, so horses and probes
// inherit it.
void allow_world_writable_plugins(bool allow);

// "" when `path` (a plugin directory or file) may be used, else why not:
// it does not exist, or it is writable by anyone on the host (mode o+w)
// and `allow_world_writable` is false. The one rule for both.
std::string plugin_path_problem(const std::filesystem::path& path, bool allow_world_writable);

// The file lib<libname>.so or <libname>.so in `plugin_dir`, as a real path.
// Throws PluginError: "invalid plugin name", "plugin directory ... does not
// exist", "unknown plugin ..." (neither file exists), "... resolves
// outside the plugin directory" (a symlink escaping it), or the directory's
// or file's plugin_path_problem (writable by anyone).
std::filesystem::path resolve_plugin(const std::filesystem::path& plugin_dir,
                                     std::string_view libname);

// A loaded plugin library whose manifest has been checked. Owns the dl
// handle (dlclose on destruction); function pointers and the manifest it
// hands out are valid only while it lives. Move-only.
class Plugin {
 public:
  // Resolves and dlopens `libname` (RTLD_NOW | RTLD_LOCAL), then checks the
  // manifest. Throws PluginError: any resolve_plugin error, "plugin failed to
  // load: <dlerror>", "not an rqcpp plugin (no rqcpp_plugin_manifest)",
  // "ABI mismatch (plugin N, worker M)", "bad manifest: ..." (a
  // function_count over 65536, or an entry, name or function pointer
  // outside the plugin's mapping: a wrong function_count).
  static Plugin load(const std::filesystem::path& plugin_dir, std::string_view libname);

  Plugin(Plugin&&) noexcept;
  Plugin& operator=(Plugin&&) noexcept;
  ~Plugin();

  const std::string& libname() const { return libname_; }
  const std::filesystem::path& path() const { return path_; }
  const rqcpp_manifest& manifest() const { return *manifest_; }
  // Names of the manifest's functions, in manifest order.
  std::vector<std::string> function_names() const;

  // The manifest entry called `name`; exported symbols that are not in the
  // manifest are never considered. Throws PluginError "no function 'f' in
  // plugin 'x' (it offers: a, b)".
  rqcpp_job_fn function(std::string_view name) const;

 private:
  struct Library;  // the Boost.DLL handle, kept out of this header
  Plugin() = default;
  std::unique_ptr<Library> lib_;
  std::string libname_;
  std::filesystem::path path_;
  const rqcpp_manifest* manifest_ = nullptr;
};

}  // namespace rqcpp
