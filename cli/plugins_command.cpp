// rqctl plugins: lists each plugin of a plugin directory with its functions.
// Every .so is probed in a forked child (dlopen + manifest check there), so
// a plugin that crashes or hangs while loading costs one error line, not
// rqctl.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <rqcpp/worker/child_probe.hpp>
#include <rqcpp/worker/plugin_loader.hpp>
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

// The libname a file in the plugin dir is reached by ("libx.so" -> "x").
std::string libname_of(const fs::path& file) {
  std::string stem = file.stem().string();
  return stem.rfind("lib", 0) == 0 ? stem.substr(3) : stem;
}

// Loads one plugin in a probe child with a timeout and describes it;
// {"error": ...} on any failure.
Json probe(const fs::path& dir, const std::string& libname) {
  rqcpp::ChildProbe r;
  try {
    r = rqcpp::run_child_probe(
        [&] {
          Json out;
          try {
            rqcpp::Plugin p = rqcpp::Plugin::load(dir, libname);
            const rqcpp_manifest& m = p.manifest();
            out["version"] = m.plugin_version ? m.plugin_version : "";
            out["functions"] = Json::array();
            for (size_t i = 0; i < m.function_count; ++i) {
              const rqcpp_function& f = m.functions[i];
              out["functions"].push_back(
                  {{"name", libname + ":" + (f.name ? f.name : "")}, {"doc", f.doc ? f.doc : ""}});
            }
          } catch (const std::exception& e) {
            out["error"] = e.what();
          }
          return out.dump();
        },
        kProbeTimeout);
  } catch (const std::system_error& e) {
    return Json{{"error", std::string("cannot probe: ") + e.what()}};
  }
  if (!r.timed_out) {
    try {
      return Json::parse(r.output);
    } catch (const std::exception&) {
      // no (whole) answer: say how the child ended
    }
  }
  return Json{{"error", r.failure_text(kProbeTimeout)}};
}

}  // namespace

int run_plugins(GlobalOptions& global, const std::vector<std::string>& args) {
  CommandLine cmd{"plugins", "[--plugin-dir DIR] [--json]",
                  "Lists every plugin (*.so) in the plugin directory with its functions, their\n"
                  "documentation and the plugin version. Each plugin is loaded in a separate\n"
                  "child process with a 5 s limit, so one that crashes or hangs while loading\n"
                  "shows an error line. Exits with 1 when any plugin is invalid."};
  const char* env = std::getenv("RQCPP_PLUGIN_DIR");
  cmd.json = true;
  cmd.options.add_options()(
      "plugin-dir", po::value<std::string>()->default_value(env && *env ? env : "./plugins"),
      "plugin directory (default: $RQCPP_PLUGIN_DIR, else ./plugins)");
  auto vm = parse_command_line(cmd, global, args);
  if (!vm) return kExitOk;
  const fs::path dir = (*vm)["plugin-dir"].as<std::string>();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw UsageError("plugins: no plugin directory " + dir.string());
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".so") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  Json all = Json::array();
  bool any_bad = false;
  for (const fs::path& file : files) {
    Json one = probe(dir, libname_of(file));
    Json row{{"plugin", libname_of(file)}, {"file", file.filename().string()}};
    for (auto it = one.begin(); it != one.end(); ++it) row[it.key()] = it.value();
    if (row.contains("error")) any_bad = true;
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
