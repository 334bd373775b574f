// Reading files the tests and fixtures look at (logs, written outputs).
#include <fstream>
#include <sstream>

#include "redis_server.hpp"

namespace rqcpp::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string tail_of(const std::string& path, size_t max) {
  std::string text = read_file(path);
  if (text.size() > max) text = "..." + text.substr(text.size() - max);
  return text;
}

}  // namespace rqcpp::test
