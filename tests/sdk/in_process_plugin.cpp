#include "in_process_plugin.hpp"

#include <rqcpp/sdk.hpp>
#include <stdexcept>

#include "plugin_host.hpp"

RQCPP_PLUGIN("sdk_test", "0.0.1");

namespace rqcpp::test {

const rqcpp_manifest& in_process_manifest() {
  return *rqcpp_plugin_manifest();
}

rqcpp_job_fn in_process_function(const std::string& name) {
  rqcpp_job_fn fn = find_function(in_process_manifest(), name);
  if (!fn) throw std::runtime_error("sdk_test manifest does not list " + name);
  return fn;
}

}  // namespace rqcpp::test
