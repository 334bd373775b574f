// Plugin probes and the plugin catalog; see plugin_probe.hpp and
// rqcpp/worker/plugin_catalog.hpp.
#include "worker/plugin_probe.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

#include "worker/child_probe.hpp"
#include "worker/plugin_loader.hpp"

namespace rqcpp {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// In the probe child: the plugin's description, or {"error": ...}.
std::string describe(const fs::path& dir, const std::string& libname) {
  Json out;
  try {
    Plugin p = Plugin::load(dir, libname);  // the manifest check is part of load
    const rqcpp_manifest& m = p.manifest();
    out["version"] = m.plugin_version ? m.plugin_version : "";
    out["functions"] = Json::array();
    for (size_t i = 0; i < m.function_count; ++i) {
      const rqcpp_function& f = m.functions[i];
      out["functions"].push_back(
          {{"name", libname + ":" + (f.name ? f.name : "")}, {"doc", f.doc ? f.doc : ""}});
    }
  } catch (const std::exception& e) {
    out["error"] = *e.what() ? e.what() : "plugin failed to load";
  } catch (...) {
    out["error"] = "plugin failed to load (non-standard exception)";
  }
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

PluginInfo probe_plugin(const fs::path& plugin_dir, const std::string& libname,
                        std::chrono::milliseconds timeout, const ChildSupervisor& supervisor,
                        const std::function<Steady::time_point()>& duties, bool* answered) {
  if (answered) *answered = false;
  PluginInfo info;
  info.libname = libname;
  ChildProbe r;
  try {
    r = run_child_probe([&] { return describe(plugin_dir, libname); }, timeout, supervisor, duties);
  } catch (const std::system_error& e) {
    info.error = std::string("cannot probe plugin: ") + e.what();
    return info;
  }
  Json j = r.timed_out ? Json() : Json::parse(r.output, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    info.error = r.failure_text(timeout);
    return info;
  }
  if (answered) *answered = true;
  if (j.contains("error")) {
    info.error = j["error"].get<std::string>();
    return info;
  }
  info.version = j.value("version", "");
  for (const Json& f : j.value("functions", Json::array())) {
    info.functions.push_back({f.value("name", ""), f.value("doc", "")});
  }
  return info;
}

std::vector<PluginInfo> list_plugins(const fs::path& plugin_dir,
                                     std::chrono::milliseconds timeout) {
  std::error_code ec;
  if (!fs::is_directory(plugin_dir, ec)) {
    throw std::invalid_argument("no plugin directory " + plugin_dir.string());
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(plugin_dir, ec)) {
    if (e.path().extension() == ".so") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<PluginInfo> out;
  for (const fs::path& file : files) {
    PluginInfo info = probe_plugin(plugin_dir, plugin_libname_of(file), timeout);
    info.file = file;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace rqcpp
