// An out-of-tree plugin: jobs "greeter:greet" and "greeter:total".
#include <cstdint>
#include <rqcpp/sdk.hpp>
#include <string>
#include <vector>

namespace {

std::string greet(const std::string& name) {
  return "hello, " + name;
}

std::int64_t total(const std::vector<std::int64_t>& values) {
  std::int64_t sum = 0;
  for (std::int64_t v : values) sum += v;
  return sum;
}

}  // namespace

RQCPP_JOB(greet, "Greets `name`");
RQCPP_JOB(total, "Sums a list of integers");
RQCPP_PLUGIN("greeter", "1.0.0");
