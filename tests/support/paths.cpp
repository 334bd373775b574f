// Paths baked in by tests/support/CMakeLists.txt.
#include "redis_server.hpp"

namespace rqcpp::test {

std::string rqworker_path() {
  return RQCPP_TEST_RQWORKER;
}
std::string rqctl_path() {
  return RQCPP_TEST_RQCTL;
}
std::string plugin_dir() {
  return RQCPP_TEST_PLUGIN_DIR;
}
std::string source_dir() {
  return RQCPP_TEST_SOURCE_DIR;
}
std::string binary_dir() {
  return RQCPP_TEST_BINARY_DIR;
}

}  // namespace rqcpp::test
