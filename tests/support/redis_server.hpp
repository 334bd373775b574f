// Test fixture: a private redis-server for one test, and child processes.
//
// Every test that touches Redis creates a RedisServer; it is never one that
// was already running on the port (the port is checked free first).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rqcpp::test {

// Paths baked in by CMake (see tests/support/CMakeLists.txt).
std::string rqworker_path();  // <build>/bin/rqworker
std::string rqctl_path();     // <build>/bin/rqctl
std::string plugin_dir();     // <build>/plugins (builtin, wordcount, test plugins)
std::string source_dir();     // the repository root
std::string binary_dir();     // the build directory

// The whole file at `path` ("" when it cannot be read).
std::string read_file(const std::string& path);
// Its last `max` characters, with "..." in front when cut: logs for messages.
std::string tail_of(const std::string& path, size_t max = 2000);

// A redis-server child on a free 127.0.0.1 port, no persistence. Started by
// the constructor (throws std::runtime_error when it does not answer PING
// within 5 s; a port that turns out to be taken is retried with another one),
// stopped (SIGTERM + waitpid) by the destructor. The server is not
// daemonized, so its pid is ours; it also gets SIGTERM if the test process
// dies (more exactly: when the thread that created it exits). The binary is
// /usr/bin/redis-server unless RQCPP_REDIS_SERVER names another. Its log goes
// to a temporary file that is removed with the object and
// quoted in start-up errors.
class RedisServer {
 public:
  // kAppendOnly: appendonly yes + appendfsync always in a private temporary
  // directory (removed with the object), so data survives stop()/start() —
  // for outage tests that must not lose the queues themselves.
  enum class Persistence { kNone, kAppendOnly };
  RedisServer() : RedisServer(Persistence::kNone) {}
  // `extra_args` are added after the fixture's own (a later one wins), e.g.
  // {"--replicaof", "127.0.0.1", "<port>"}.
  explicit RedisServer(Persistence persistence, std::vector<std::string> extra_args = {});
  // For rediss:// tests: the server also listens with TLS on tls_port()
  // (another free loopback port) with these PEM files. Its plain port stays
  // open for the fixture's own start-up check; tests that mean TLS use
  // tls_url().
  struct Tls {
    std::string cert_file, key_file, ca_file;
    bool auth_clients = false;  // tls-auth-clients: a client certificate from ca_file required
  };
  explicit RedisServer(Tls tls);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url() const;                    // redis://127.0.0.1:<port>/0
  int tls_port() const { return tls_port_; }  // 0 without Tls
  // rediss://<host>:<tls_port>/0, then "?" + query when one is given.
  std::string tls_url(const std::string& query = "", const std::string& host = "127.0.0.1") const;

  // For outage tests: stop() kills the server and waits for it to exit;
  // start() brings it back on the same port (data lost unless kAppendOnly).
  // start() throws std::runtime_error when it cannot come back on that port.
  void stop();
  void start();
  // SIGKILL, as a crash: no shutdown work (a master's SIGTERM would first
  // wait for its replicas to catch up). Waits for the exit.
  void crash();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  // Starts redis-server on port_; false when the port was taken (retry with
  // another), throws when the server fails for another reason.
  bool launch();
  void init(Persistence persistence);
  int port_ = 0;
  int tls_port_ = 0;
  std::optional<Tls> tls_;
  pid_t pid_ = -1;
  std::string log_path_;
  std::string data_dir_;  // kAppendOnly only: the AOF's private directory
  std::vector<std::string> extra_args_;
};

// A child process (fork + execv of argv[0], a path), killed with SIGKILL and
// reaped by the destructor if still running. extra_env is added to (or
// overrides) the current environment. stdout and stderr go to output_file
// (created/truncated; "" = inherit). The constructor throws
// std::runtime_error when the program cannot be executed.
class Process {
 public:
  Process(std::vector<std::string> argv, std::map<std::string, std::string> extra_env = {},
          std::string output_file = "");
  ~Process();
  Process(Process&&) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` to the child (no-op once it has been reaped).
  void signal(int sig);
  // Waits up to `timeout` for exit; returns the raw wait status (use
  // WIFEXITED/WEXITSTATUS...), or -1 on timeout. After the child was reaped it
  // returns the same status again.
  int wait(std::chrono::milliseconds timeout);
  // True until the child has exited (reaps it when it has).
  bool running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// Runs a command (argv[0] is a path) to completion, capturing stdout and
// stderr separately. Throws std::runtime_error on timeout (the child is
// killed first) or when it cannot be executed (exit_code would be 127).
struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};
RunResult run(const std::vector<std::string>& argv,
              std::chrono::milliseconds timeout = std::chrono::seconds(60),
              const std::map<std::string, std::string>& extra_env = {});

}  // namespace rqcpp::test
