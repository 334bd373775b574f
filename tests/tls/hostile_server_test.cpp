// Issue 10, defect 8: a server that answers every command with an array
// header of 2,147,483,647 elements made rqctl allocate 16.8 GB for 80 s and
// a worker ignore SIGTERM for 34 s. Replies are bounded now
// (defaults::kMaxReplyElements); these run against a fake server socket.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "rqcpp/defaults.hpp"
#include "rqcpp/error.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;
using Clock = std::chrono::steady_clock;

namespace {

// Listens on a free 127.0.0.1 port and answers whatever a client sends with
// `answer`, keeping every connection open, until destroyed.
class FakeServer {
 public:
  explicit FakeServer(std::string answer) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe2(stop_, O_CLOEXEC) != 0) {
      throw std::runtime_error("FakeServer: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeServer() {
    (void)!::write(stop_[1], "x", 1);
    thread_.join();
    for (int fd : {listener_, stop_[0], stop_[1]}) ::close(fd);
  }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  int answered() const { return answered_; }

 private:
  void serve() {
    std::vector<pollfd> fds{{stop_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
    for (;;) {
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents != 0) break;
      if (fds[1].revents & POLLIN) {
        int c = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) fds.push_back(pollfd{c, POLLIN, 0});
      }
      for (size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0 || fds[i].fd < 0) continue;
        char buf[4096];
        if (::recv(fds[i].fd, buf, sizeof buf, 0) <= 0) {
          ::close(fds[i].fd);
          fds[i].fd = -1;  // poll() ignores it from now on
          continue;
        }
        (void)!::send(fds[i].fd, answer_.data(), answer_.size(), MSG_NOSIGNAL);
        ++answered_;
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].fd >= 0) ::close(fds[i].fd);
    }
  }

  std::string answer_;
  int listener_ = -1;
  int stop_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> answered_{0};
  std::thread thread_;
};

constexpr const char* kHugeArray = "*2147483647\r\n";

}  // namespace

TEST_CASE("hostile server: a huge array header is a RedisError at once", "[tls][hostile]") {
  FakeServer fake(kHugeArray);
  Connection conn = Connection::open(fake.url());
  const auto start = Clock::now();
  CHECK_THROWS_WITH(conn.command({"PING"}),
                    Contains("announces an array of 2147483647 elements") &&
                        Contains(std::to_string(defaults::kMaxReplyElements)));
  CHECK(Clock::now() - start < std::chrono::seconds(2));
  CHECK(conn.broken());

  // Nested: the limit is for one reply, not only for one array.
  FakeServer nested("*1\r\n*" + std::to_string(defaults::kMaxReplyElements) + "\r\n");
  Connection conn2 = Connection::open(nested.url());
  CHECK_THROWS_WITH(conn2.command({"PING"}), Contains("announces an array"));
  // Just under the limit, but only 2 elements sent: nothing like its size
  // is allocated, and the reply times out instead.
  FakeServer partial("*16000000\r\n:1\r\n:2\r\n");
  Connection conn3 = Connection::open(partial.url(), std::chrono::milliseconds(300));
  CHECK_THROWS_WITH(conn3.command({"PING"}), Contains("timed out"));
}

TEST_CASE("hostile server: rqctl fails fast with exit 3", "[tls][hostile]") {
  FakeServer fake(kHugeArray);
  const auto start = Clock::now();
  RunResult r = run({rqctl_path(), "--url", fake.url(), "info"}, std::chrono::seconds(60));
  CHECK(Clock::now() - start < std::chrono::seconds(5));
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Contains("2147483647"));
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
}

TEST_CASE("hostile server: a worker pointed at it stops promptly", "[tls][hostile]") {
  FakeServer fake(kHugeArray);
  const std::string log =
      binary_dir() + "/tests/tls/hostile_worker_" + std::to_string(::getpid()) + ".log";
  const auto start = Clock::now();
  Process worker({rqworker_path(), "--url", fake.url(), "--plugin-dir", plugin_dir(), "default"},
                 {}, log);
  // It meets the hostile reply at start-up and exits with the error, or, if
  // it were to go on, SIGTERM stops it: either way within seconds (it used
  // to allocate gigabytes and ignore SIGTERM for 34 s).
  while (fake.answered() < 1 && Clock::now() - start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(fake.answered() >= 1);
  // SIGTERM only if it is still there after 5 s (by then its handlers are
  // long installed; one sent at once could beat them and kill it outright).
  int status = worker.wait(std::chrono::seconds(5));
  if (status == -1) {
    worker.signal(SIGTERM);
    status = worker.wait(std::chrono::seconds(5));
  }
  REQUIRE(status != -1);
  CHECK(Clock::now() - start < std::chrono::seconds(10));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) != 0);
  const std::string text = read_file(log);
  CHECK_THAT(text, Contains("announces an array of 2147483647 elements"));
  std::remove(log.c_str());
}
