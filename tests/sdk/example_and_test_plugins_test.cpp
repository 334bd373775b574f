// The wordcount example plugin and the test-only plugins (badabi,
// nomanifest, extra), loaded from <build>/plugins like the worker loads them.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <rqcpp/sdk.hpp>
#include <string>
#include <vector>

#include "msgpack_helpers.hpp"
#include "plugin_host.hpp"

using rqcpp::test::args;
using rqcpp::test::call_job;
using rqcpp::test::CallOutcome;
using rqcpp::test::exported_symbols;
using rqcpp::test::LoadedPlugin;
using rqcpp::test::plugin_path;
using rqcpp::test::unpacked;

namespace {

const LoadedPlugin& wordcount() {
  static const LoadedPlugin plugin(plugin_path("wordcount"));
  return plugin;
}

CallOutcome count(const std::string& fn, const std::string& a) {
  return call_job(wordcount().function(fn), a);
}

// A file with `text` under the temp dir, removed on destruction.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text) {
    std::string templ = (std::filesystem::temp_directory_path() / "rqcpp-wc-XXXXXX").string();
    int fd = ::mkstemp(templ.data());
    REQUIRE(fd >= 0);
    ::close(fd);
    path = templ;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("wordcount:count_words counts white-space separated words", "[sdk][wordcount]") {
  REQUIRE(unpacked<std::int64_t>(
              *count("count_words", args(std::string("the quick brown fox"))).result) == 4);
  REQUIRE(unpacked<std::int64_t>(
              *count("count_words", args(std::string("  a\t\tb\n c  "))).result) == 3);
  REQUIRE(unpacked<std::int64_t>(*count("count_words", args(std::string(""))).result) == 0);
  REQUIRE(unpacked<std::int64_t>(*count("count_words", args(std::string(" \n "))).result) == 0);
  auto wrong = count("count_words", args(5));
  REQUIRE(wrong.error_type == std::optional<std::string>("TypeError"));
  REQUIRE(wrong.error_message == "count_words() argument 1: expected str, got int");
}

TEST_CASE("wordcount:count_words_in_file reads a file and names a missing one",
          "[sdk][wordcount]") {
  TempFile file("one two\nthree\n\nfour five six\n");
  REQUIRE(unpacked<std::int64_t>(*count("count_words_in_file", args(file.path.string())).result) ==
          6);

  const std::string missing = file.path.string() + ".missing";
  auto out = count("count_words_in_file", args(missing));
  REQUIRE(out.rc == RQCPP_ERROR);
  REQUIRE(out.error_type == std::optional<std::string>("FileNotFoundError"));
  REQUIRE_THAT(out.error_message, Catch::Contains(missing) && Catch::Contains("No such file"));
}

TEST_CASE("wordcount exports only the manifest symbol", "[sdk][wordcount]") {
  REQUIRE(exported_symbols(plugin_path("wordcount")) ==
          std::vector<std::string>{"rqcpp_plugin_manifest"});
  const rqcpp_manifest& m = wordcount().manifest();
  REQUIRE(m.function_count == 2);
  REQUIRE(std::string(m.functions[0].name) == "count_words");
  REQUIRE(std::string(m.functions[1].name) == "count_words_in_file");
}

TEST_CASE("test plugin badabi carries a foreign ABI version", "[sdk][test_plugins]") {
  LoadedPlugin badabi(plugin_path("badabi"));
  REQUIRE(badabi.manifest().abi_version == 999u);
  REQUIRE(badabi.manifest().abi_version != RQCPP_ABI_VERSION);
}

TEST_CASE("test plugin nomanifest loads but has no manifest symbol", "[sdk][test_plugins]") {
  LoadedPlugin nomanifest(plugin_path("nomanifest"));
  REQUIRE(nomanifest.symbol(RQCPP_MANIFEST_SYMBOL) == nullptr);
  REQUIRE(nomanifest.symbol("nomanifest_answer") != nullptr);
}

TEST_CASE("test plugin extra exports an unlisted job-shaped symbol", "[sdk][test_plugins]") {
  LoadedPlugin extra(plugin_path("extra"));
  const rqcpp_manifest& m = extra.manifest();
  REQUIRE(m.abi_version == RQCPP_ABI_VERSION);
  REQUIRE(m.function_count == 1);
  REQUIRE(std::string(m.functions[0].name) == "listed");
  REQUIRE(rqcpp::test::find_function(m, "unlisted") == nullptr);
  void* unlisted = extra.symbol("unlisted");
  REQUIRE(unlisted != nullptr);  // reachable by dlsym, so only the manifest check protects it
  auto out = call_job(reinterpret_cast<rqcpp_job_fn>(unlisted), args());
  REQUIRE(unpacked<std::string>(*out.result) == "unlisted");
  REQUIRE(unpacked<std::string>(*call_job(extra.function("listed"), args()).result) == "listed");
  auto symbols = exported_symbols(plugin_path("extra"));
  std::sort(symbols.begin(), symbols.end());
  REQUIRE(symbols == std::vector<std::string>{"rqcpp_plugin_manifest", "unlisted"});
}
