// Passwords from a file or the environment, and hidden command lines; see
// redis_password.hpp.
#include "rqcpp/redis_password.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "rqcpp/error.hpp"
#include "rqcpp/redis_url.hpp"

namespace rqcpp {

namespace {

std::string read_password_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw UrlError("cannot read the Redis password file '" + path + "': " + std::strerror(errno));
  }
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw UrlError("the Redis password file '" + path + "' is empty");
  return line;
}

}  // namespace

std::string url_with_password(std::string url, const std::string& password_file) {
  std::string password;
  std::string source;
  if (!password_file.empty()) {
    password = read_password_file(password_file);
    source = "--redis-password-file";
  } else if (const char* env = std::getenv(std::string(kRedisPasswordEnv).c_str());
             env != nullptr && *env != '\0') {
    password = env;
    source = "$" + std::string(kRedisPasswordEnv);
  }
  if (source.empty()) return url;
  if (!RedisUrl::parse(url).password.empty()) {
    throw UrlError("the Redis password is given twice, in the URL '" + redact_url(url) +
                   "' and in " + source + ": give it once");
  }
  const size_t scheme_end = url.find("://");
  const size_t authority = scheme_end + 3;
  // A user name, if any, ends at the '@' that ends the authority.
  const size_t end = url.find_first_of("/?", authority);
  const size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  const std::string secret = ":" + percent_encode(password);
  if (at != std::string::npos && at >= authority) {
    url.insert(at, secret);  // redis://user@host -> redis://user:secret@host
  } else {
    url.insert(authority, secret + "@");
  }
  return url;
}

void hide_url_passwords(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg.find("://") == std::string_view::npos) continue;
    const std::string shown = redact_url(arg);
    if (shown == arg) continue;
    std::memset(argv[i], 0, arg.size());
    std::memcpy(argv[i], shown.data(), std::min(arg.size(), shown.size()));
  }
}

}  // namespace rqcpp
