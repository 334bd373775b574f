// Plugin resolution and loading, in-process (no Redis): every refusal names
// its reason.
#include "worker/plugin_loader.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "redis_server.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using rqcpp::Plugin;
using rqcpp::PluginError;

namespace {

// A scratch directory removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("rqcpp_plugins_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const PluginError& e) {
    return e.what();
  }
  return "no PluginError";
}

}  // namespace

TEST_CASE("plugin names are validated", "[plugin_loader]") {
  CHECK(rqcpp::valid_plugin_name("builtin"));
  CHECK(rqcpp::valid_plugin_name("my-lib_2.0"));
  CHECK_FALSE(rqcpp::valid_plugin_name("."));
  CHECK_FALSE(rqcpp::valid_plugin_name(".."));
  CHECK_FALSE(rqcpp::valid_plugin_name("../x"));
  CHECK_FALSE(rqcpp::valid_plugin_name("a/b"));
  CHECK_FALSE(rqcpp::valid_plugin_name(""));
  CHECK_FALSE(rqcpp::valid_plugin_name("a b"));

  auto ref = rqcpp::plugin_function_ref("builtin:add");
  CHECK(ref.libname == "builtin");
  CHECK(ref.function == "add");
  CHECK_THAT(message_of([] { rqcpp::plugin_function_ref("../x:f"); }),
             Contains("invalid plugin name '../x'"));
  CHECK_THAT(message_of([] { rqcpp::plugin_function_ref("noseparator"); }),
             Contains("expected libname:function"));
  CHECK_THAT(message_of([] { rqcpp::plugin_function_ref("lib:"); }),
             Contains("expected libname:function"));
}

TEST_CASE("resolution prefers lib<name>.so over <name>.so inside the directory",
          "[plugin_loader]") {
  TempDir dir;
  std::ofstream(dir.path / "libboth.so") << "x";
  std::ofstream(dir.path / "both.so") << "x";
  std::ofstream(dir.path / "plain.so") << "x";
  CHECK(rqcpp::resolve_plugin(dir.path, "both") == fs::canonical(dir.path / "libboth.so"));
  CHECK(rqcpp::resolve_plugin(dir.path, "plain") == fs::canonical(dir.path / "plain.so"));
  CHECK_THAT(message_of([&] { rqcpp::resolve_plugin(dir.path, "missing"); }),
             Contains("unknown plugin 'missing' (no libmissing.so or missing.so in " +
                      dir.path.string() + ")"));
  CHECK_THAT(message_of([&] { rqcpp::resolve_plugin(dir.path / "nope", "x"); }),
             Contains("does not exist"));
  CHECK_THAT(message_of([&] { rqcpp::resolve_plugin(dir.path, ".."); }),
             Contains("invalid plugin name '..'"));
}

TEST_CASE("a symlink escaping the plugin directory is refused", "[plugin_loader]") {
  TempDir outside;
  TempDir dir;
  std::ofstream(outside.path / "libevil.so") << "x";
  fs::create_symlink(outside.path / "libevil.so", dir.path / "libevil.so");
  CHECK_THAT(message_of([&] { rqcpp::resolve_plugin(dir.path, "evil"); }),
             Contains("resolves outside the plugin directory"));
  // A symlink that stays inside is fine.
  std::ofstream(dir.path / "libreal.so") << "x";
  fs::create_symlink(dir.path / "libreal.so", dir.path / "libalias.so");
  CHECK(rqcpp::resolve_plugin(dir.path, "alias") == fs::canonical(dir.path / "libreal.so"));
  // The plugin dir itself may be a symlink.
  TempDir holder;
  fs::create_directory_symlink(dir.path, holder.path / "link");
  CHECK(rqcpp::resolve_plugin(holder.path / "link", "real") ==
        fs::canonical(dir.path / "libreal.so"));
}

TEST_CASE("loading checks the manifest and lists only manifest functions", "[plugin_loader]") {
  const std::string dir = rqcpp::test::plugin_dir();
  Plugin builtin = Plugin::load(dir, "builtin");
  auto names = builtin.function_names();
  CHECK(std::find(names.begin(), names.end(), "add") != names.end());
  CHECK(builtin.function("add") != nullptr);
  CHECK_THAT(message_of([&] { builtin.function("nosuch"); }),
             Contains("no function 'nosuch' in plugin 'builtin' (it offers: add"));

  Plugin extra = Plugin::load(dir, "extra");
  CHECK_THAT(message_of([&] { extra.function("unlisted"); }),
             Contains("no function 'unlisted' in plugin 'extra' (it offers: listed)"));

  CHECK_THAT(message_of([&] { Plugin::load(dir, "badabi"); }),
             Contains("ABI mismatch (plugin 999, worker 1)"));
  CHECK_THAT(message_of([&] { Plugin::load(dir, "nomanifest"); }),
             Contains("not an rqcpp plugin (no rqcpp_plugin_manifest"));

  TempDir junk;
  std::ofstream(junk.path / "libjunk.so") << "this is not an ELF file";
  CHECK_THAT(message_of([&] { Plugin::load(junk.path, "junk"); }),
             Contains("plugin failed to load: ") && Contains("libjunk.so"));
}
