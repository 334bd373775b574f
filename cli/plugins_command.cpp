// rqctl plugins: lists each plugin of a plugin directory with its functions.
// Every .so is probed in a forked child (dlopen + manifest check there), so
// a plugin that crashes or hangs while loading costs one error line, not
// rqctl.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <rqcpp/worker/plugin_loader.hpp>

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

// In a child: load, describe as JSON on `fd`. Exits without unwinding.
[[noreturn]] void probe_child(const fs::path& dir, const std::string& libname, int fd) {
  Json out;
  try {
    rqcpp::Plugin p = rqcpp::Plugin::load(dir, libname);
    const rqcpp_manifest& m = p.manifest();
    out["version"] = m.plugin_version ? m.plugin_version : "";
    out["functions"] = Json::array();
    for (size_t i = 0; i < m.function_count; ++i) {
      const rqcpp_function& f = m.functions[i];
      out["functions"].push_back({{"name", libname + ":" + (f.name ? f.name : "")},
                                  {"doc", f.doc ? f.doc : ""}});
    }
  } catch (const std::exception& e) {
    out["error"] = e.what();
  }
  std::string text = out.dump();
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  _exit(0);
}

// Probes one plugin in a child with a timeout; {"error": ...} on any failure.
Json probe(const fs::path& dir, const std::string& libname) {
  int fds[2];
  if (::pipe(fds) != 0) return Json{{"error", "pipe failed"}};
  std::cout.flush();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Json{{"error", "fork failed"}};
  }
  if (pid == 0) {
    ::close(fds[0]);
    probe_child(dir, libname, fds[1]);
  }
  ::close(fds[1]);
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + kProbeTimeout;
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) return Json{{"error", "loading did not finish within 5 s (killed)"}};
  if (WIFSIGNALED(status)) {
    return Json{{"error", "crashed while loading (signal " + std::to_string(WTERMSIG(status)) +
                              ": " + strsignal(WTERMSIG(status)) + ")"}};
  }
  try {
    return Json::parse(text);
  } catch (const std::exception&) {
    return Json{{"error", "the probe gave no answer (exit status " +
                              std::to_string(WEXITSTATUS(status)) + ")"}};
  }
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
      std::cout << row["plugin"].get<std::string>() << " "
                << row["version"].get<std::string>() << " (" << row["file"].get<std::string>()
                << ")\n";
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
