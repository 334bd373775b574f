// An in-process host for the SDK tests: loads a plugin .so, finds functions
// through its manifest and calls them with a real rqcpp_context whose
// callbacks record what the plugin did (result, error, meta, save_meta).
#pragma once

#include <rqcpp/plugin.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rqcpp::test {

// What one call did.
struct CallOutcome {
  int rc = -1;                        // RQCPP_OK or RQCPP_ERROR
  std::optional<std::string> result;  // msgpack bytes given to set_result
  std::optional<std::string> error_type;
  std::string error_message;
  std::string meta;                      // msgpack map after the call
  std::vector<std::string> saved_metas;  // meta at each save_meta
};

// The job a call pretends to run.
struct FakeJob {
  std::string id = "job-1";
  std::string origin = "default";
  std::string func_name = "test:fn";
  std::string meta = std::string("\x80", 1);  // msgpack map
  bool save_meta_fails = false;               // save_meta returns RQCPP_ERROR
};

// Calls `fn` with msgpack `args` (array) and `kwargs` (map).
CallOutcome call_job(rqcpp_job_fn fn, const std::string& args,
                     const std::string& kwargs = std::string("\x80", 1), const FakeJob& job = {});

// Finds `name` in `manifest`; nullptr when absent.
rqcpp_job_fn find_function(const rqcpp_manifest& manifest, const std::string& name);

// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL), closed on destruction.
class LoadedPlugin {
 public:
  // Throws std::runtime_error when the file does not load.
  explicit LoadedPlugin(const std::filesystem::path& path);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // The raw symbol, or nullptr.
  void* symbol(const char* name) const;
  // The manifest; throws std::runtime_error when the symbol is missing.
  const rqcpp_manifest& manifest() const;
  // A manifest function; throws std::runtime_error when not listed.
  rqcpp_job_fn function(const std::string& name) const;

 private:
  struct Library;  // boost::dll::shared_library, kept out of this header
  std::unique_ptr<Library> lib_;
};

// The defined dynamic symbols of a shared object (nm -D --defined-only).
std::vector<std::string> exported_symbols(const std::filesystem::path& path);

// <build>/plugins/lib<libname>.so
std::filesystem::path plugin_path(const std::string& libname);

}  // namespace rqcpp::test
