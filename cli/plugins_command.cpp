// rqctl plugins: lists each plugin of a plugin directory with its functions
// (rqcpp::list_plugins probes every .so in a forked child, so a plugin that
// crashes or hangs while loading costs one error line, not rqctl).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <rqcpp/defaults.hpp>
#include <rqcpp/worker/plugin_catalog.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "cli_error.hpp"
#include "command.hpp"
#include "render.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace rqctl {
namespace {

constexpr auto kProbeTimeout = std::chrono::seconds(5);

}  // namespace

int run_plugins(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"plugins", "[--plugin-dir DIR] [--json]",
                  "Lists every plugin (*.so) in the plugin directory with its functions, their\n"
                  "documentation and the plugin version. Each plugin is loaded in a separate\n"
                  "child process with a 5 s limit, so one that crashes or hangs while loading\n"
                  "shows an error line. Exits with 1 when any plugin is invalid."};
  const char* env = std::getenv("RQCPP_PLUGIN_DIR");
  cmd.json = true;
  cmd.options.add_options()("plugin-dir",
                            po::value<std::string>()->default_value(
                                env && *env ? env : std::string(rqcpp::defaults::kPluginDir)),
                            ("plugin directory (default: $RQCPP_PLUGIN_DIR, else " +
                             std::string(rqcpp::defaults::kPluginDir) + ")")
                                .c_str());
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const fs::path dir = (*vm)["plugin-dir"].as<std::string>();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw UsageError("plugins: no plugin directory " + dir.string());
  }
  Json all = Json::array();
  bool any_bad = false;
  for (const rqcpp::PluginInfo& p : rqcpp::list_plugins(dir, kProbeTimeout)) {
    Json row{{"plugin", p.libname}, {"file", p.file.filename().string()}};
    if (!p.error.empty()) {
      row["error"] = p.error;
      any_bad = true;
    } else {
      row["version"] = p.version;
      row["functions"] = Json::array();
      for (const rqcpp::PluginFunctionInfo& f : p.functions) {
        row["functions"].push_back({{"name", f.name}, {"doc", f.doc}});
      }
    }
    all.push_back(row);
  }
  if (vm->count("json")) {
    print_json(all);
  } else {
    for (const Json& row : all) {
      if (row.contains("error")) {
        std::cout << row["plugin"].get<std::string>() << " (" << row["file"].get<std::string>()
                  << "): ERROR: " << row["error"].get<std::string>() << '\n';
        continue;
      }
      std::cout << row["plugin"].get<std::string>() << " " << row["version"].get<std::string>()
                << " (" << row["file"].get<std::string>() << ")\n";
      for (const Json& f : row["functions"]) {
        std::cout << "  " << f["name"].get<std::string>();
        std::string doc = f["doc"].get<std::string>();
        if (!doc.empty()) std::cout << "  " << doc;
        std::cout << '\n';
      }
    }
  }
  return any_bad ? kExitFailure : kExitOk;
}

}  // namespace rqctl
