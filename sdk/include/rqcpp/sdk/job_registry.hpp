// The list of job functions a plugin offers, filled by RQCPP_JOB at load time
// and frozen into the manifest by RQCPP_PLUGIN. SDK internals.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "rqcpp/plugin.h"
#include "rqcpp/sdk/visibility.hpp"

namespace rqcpp {
namespace RQCPP_SDK_HIDDEN sdk_detail {

class Registry {
 public:
  // Adds one function; called from static initializers (single-threaded:
  // they run inside dlopen before the manifest can be asked for).
  void add(const rqcpp_function& fn) { functions_.push_back(fn); }

  // The manifest over everything registered, sorted by name; of duplicate
  // names only one (unspecified which) is kept. Call once, after loading:
  // the result points into this registry, which must not change afterwards.
  rqcpp_manifest build_manifest(const char* plugin_name, const char* plugin_version) {
    auto by_name = [](const rqcpp_function& a, const rqcpp_function& b) {
      return std::strcmp(a.name, b.name) < 0;
    };
    std::stable_sort(functions_.begin(), functions_.end(), by_name);
    auto same = [](const rqcpp_function& a, const rqcpp_function& b) {
      return std::strcmp(a.name, b.name) == 0;
    };
    functions_.erase(std::unique(functions_.begin(), functions_.end(), same), functions_.end());
    return rqcpp_manifest{RQCPP_ABI_VERSION, plugin_name, plugin_version, functions_.size(),
                          functions_.data()};
  }

 private:
  std::vector<rqcpp_function> functions_;
};

// This plugin's registry (one per shared object: the namespace is hidden).
inline Registry& registry() {
  static Registry instance;
  return instance;
}

// Registers one function when constructed (a namespace-scope static made by
// RQCPP_JOB).
struct Registrar {
  Registrar(const char* name, const char* doc, rqcpp_job_fn fn) {
    registry().add(rqcpp_function{name, doc ? doc : "", fn});
  }
};

}  // namespace sdk_detail
}  // namespace rqcpp
