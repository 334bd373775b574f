// RedisServer: a private, non-daemonized redis-server per test.
#include "redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "spawn.hpp"

namespace rqcpp::test {
namespace {

// RQCPP_REDIS_SERVER overrides the binary (e.g. a locally built redis).
std::string redis_server_binary() {
  const char* env = std::getenv("RQCPP_REDIS_SERVER");
  return env && *env ? env : "/usr/bin/redis-server";
}
constexpr auto kStartTimeout = std::chrono::seconds(5);

}  // namespace

int detail::pick_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    throw std::runtime_error(std::string("cannot pick a free port: ") + std::strerror(err));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

namespace {

// The pid reported by the server answering on `port`, or -1 when nothing
// answers PING there (yet).
long long answering_pid(int port) {
  timeval tv{0, 200000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr) return -1;
  long long pid = -1;
  if (!c->err) {
    redisSetTimeout(c, tv);
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    bool pong = r && r->type == REDIS_REPLY_STATUS && std::strcmp(r->str, "PONG") == 0;
    if (r) freeReplyObject(r);
    if (pong) {
      r = static_cast<redisReply*>(redisCommand(c, "INFO server"));
      if (r && r->type == REDIS_REPLY_STRING) {
        const char* p = std::strstr(r->str, "process_id:");
        if (p) pid = std::atoll(p + std::strlen("process_id:"));
      }
      if (r) freeReplyObject(r);
    }
  }
  redisFree(c);
  return pid;
}

}  // namespace

RedisServer::RedisServer(Persistence persistence, std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {
  init(persistence);
}

RedisServer::RedisServer(Tls tls) : tls_(std::move(tls)) {
  init(Persistence::kNone);
}

void RedisServer::init(Persistence persistence) {
  if (persistence == Persistence::kAppendOnly) {
    char dir[] = "/tmp/rqcpp-redis-aof-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    }
    data_dir_ = dir;
  }
  char tmpl[] = "/tmp/rqcpp-redis-XXXXXX.log";
  int fd = mkstemps(tmpl, 4);
  if (fd < 0) throw std::runtime_error(std::string("mkstemps: ") + std::strerror(errno));
  close(fd);
  log_path_ = tmpl;
  for (int attempt = 0; attempt < 10; ++attempt) {
    port_ = detail::pick_free_port();
    if (tls_) {
      do {
        tls_port_ = detail::pick_free_port();
      } while (tls_port_ == port_);
    }
    if (launch()) return;
  }
  std::string log = tail_of(log_path_);
  unlink(log_path_.c_str());
  throw std::runtime_error("redis-server: no free port after 10 attempts; last log:\n" + log);
}

RedisServer::~RedisServer() {
  stop();
  if (!log_path_.empty()) unlink(log_path_.c_str());
  if (!data_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }
}

std::string RedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
}

std::string RedisServer::tls_url(const std::string& query, const std::string& host) const {
  return "rediss://" + host + ":" + std::to_string(tls_port_) + "/0" +
         (query.empty() ? "" : "?" + query);
}

bool RedisServer::launch() {
  // Another process (a server of a parallel test) may already listen there;
  // then the port is not ours to use.
  if (answering_pid(port_) != -1) return false;
  int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path_);
  const std::string port = std::to_string(port_);
  try {
    std::vector<std::string> argv{
        redis_server_binary(), "--port", port, "--bind", "127.0.0.1", "--save", "",
        "--daemonize",         "no"};
    if (tls_) {
      argv.insert(argv.end(),
                  {"--tls-port", std::to_string(tls_port_), "--tls-cert-file", tls_->cert_file,
                   "--tls-key-file", tls_->key_file, "--tls-ca-cert-file", tls_->ca_file,
                   "--tls-auth-clients", tls_->auth_clients ? "yes" : "no"});
    }
    if (data_dir_.empty()) {
      argv.insert(argv.end(), {"--appendonly", "no", "--dir", "/tmp"});
    } else {
      argv.insert(argv.end(),
                  {"--appendonly", "yes", "--appendfsync", "always", "--dir", data_dir_});
    }
    argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
    pid_ = detail::spawn(argv, {}, log_fd, log_fd, SIGTERM);
  } catch (...) {
    close(log_fd);
    throw;
  }
  close(log_fd);

  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::string log = tail_of(log_path_);
      if (log.find("Address already in use") != std::string::npos) return false;
      throw std::runtime_error("redis-server on port " + port + " exited at start; log:\n" + log);
    }
    long long answered = answering_pid(port_);
    if (answered == pid_) return true;
    if (answered != -1) {
      // Someone else's server took the port between our check and our bind.
      stop();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  throw std::runtime_error("redis-server on port " + port +
                           " did not answer PING within 5 s; log:\n" + tail_of(log_path_));
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  // SIGTERM makes redis-server exit promptly without persistence; SIGKILL
  // if it does not within 5 s, so a test never hangs here.
  for (int i = 0; i < 500; ++i) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::crash() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::start() {
  if (pid_ > 0) return;
  // The port was ours a moment ago; retry briefly in case the old socket
  // is still being torn down.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (launch()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("redis-server could not restart on port " + std::to_string(port_) +
                           "; log:\n" + tail_of(log_path_));
}

}  // namespace rqcpp::test
