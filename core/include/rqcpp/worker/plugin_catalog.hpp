// What a plugin directory offers, for tools such as `rqctl plugins`.
//
// Each plugin is loaded in its own short-lived forked child (dlopen and the
// manifest check happen there), so a plugin that crashes or hangs while
// loading costs one error entry, not the caller. Link rqcpp::runtime.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace rqcpp {

struct PluginFunctionInfo {
  std::string name;  // "libname:function", as jobs name it
  std::string doc;   // the manifest's documentation line, "" when none
};

// One plugin file and what loading it showed.
struct PluginInfo {
  std::string libname;  // what jobs call it ("libx.so" -> "x")
  std::filesystem::path file;
  // Empty when the plugin loaded and its manifest checked out; else one
  // line, e.g. "ABI mismatch (plugin 999, worker 1)", "crashed while loading
  // (signal 11: SIGSEGV)", "loading did not finish within 5 s (killed)".
  std::string error;
  std::string version;                        // the manifest's plugin_version
  std::vector<PluginFunctionInfo> functions;  // in manifest order
};

// Every *.so file directly in `plugin_dir`, sorted by file name, each
// probed with `timeout`. Throws std::invalid_argument when `plugin_dir` is
// not a directory. A probe that cannot be forked is an error entry.
std::vector<PluginInfo> list_plugins(const std::filesystem::path& plugin_dir,
                                     std::chrono::milliseconds timeout);

}  // namespace rqcpp
