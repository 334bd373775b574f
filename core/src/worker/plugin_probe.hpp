// Loading one plugin in a forked probe child and describing it: the one
// probe behind the worker's tried plugins (tried_plugins.hpp) and the
// plugin catalog (rqcpp/worker/plugin_catalog.hpp).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "rqcpp/worker/plugin_catalog.hpp"
#include "worker/child_process.hpp"

namespace rqcpp {

// Loads `libname` from `plugin_dir` in a child (child_probe.hpp) waited for
// by `supervisor` at most `timeout`. Never throws: every failure (PluginError's
// message, how the child died: "crashed while loading (signal 11: SIGSEGV)",
// a failed fork) is in the result's `error`. `answered` (optional) is set to
// whether the child answered (false: it died, hung or was never forked).
PluginInfo probe_plugin(const std::filesystem::path& plugin_dir, const std::string& libname,
                        std::chrono::milliseconds timeout,
                        const ChildSupervisor& supervisor = ChildSupervisor(),
                        const std::function<Steady::time_point()>& duties = nullptr,
                        bool* answered = nullptr);

}  // namespace rqcpp
