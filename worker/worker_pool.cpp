// rqworker --pool: the supervisor of N forked workers.
#include "worker_pool.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

namespace rqworker {
namespace {

using Steady = std::chrono::steady_clock;

struct Member {
  std::string name;
  int slot = 0;
};

// Blocks the pool's signals for the lifetime of the object (they are taken
// with sigtimedwait) and restores the old mask afterwards.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    for (int s : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set_, s);
    sigprocmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;
  const sigset_t& set() const { return set_; }
  const sigset_t& old() const { return old_; }

 private:
  sigset_t set_;
  sigset_t old_;
};

}  // namespace

int run_pool(const rqcpp::WorkerOptions& options, int size,
             const std::function<int(rqcpp::WorkerOptions)>& run_member) {
  BlockedSignals blocked;
  const pid_t supervisor = getpid();
  std::map<pid_t, Member> members;
  std::map<int, Steady::time_point> last_start;  // per slot
  int serial = 0;
  int stop_signals = 0;
  bool any_started = false;

  auto spawn = [&](int slot) {
    rqcpp::WorkerOptions o = options;
    o.name = options.name + "." + std::to_string(++serial);
    pid_t pid = fork();
    if (pid < 0) {
      spdlog::error("pool: fork failed: {}", std::strerror(errno));
      return;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != supervisor) _exit(0);  // the supervisor is already gone
      sigprocmask(SIG_SETMASK, &blocked.old(), nullptr);
      std::fflush(nullptr);
      _exit(run_member(o));
    }
    any_started = true;
    last_start[slot] = Steady::now();
    members[pid] = Member{o.name, slot};
    spdlog::info("pool: started worker {} (pid {})", o.name, pid);
  };

  spdlog::info("pool {}: starting {} workers (pid {})", options.name, size, supervisor);
  for (int slot = 1; slot <= size; ++slot) spawn(slot);
  std::map<int, Steady::time_point> pending;  // slots waiting for their restart time

  while (!members.empty() || (!pending.empty() && stop_signals == 0)) {
    timespec timeout{0, 200L * 1000 * 1000};
    int sig = sigtimedwait(&blocked.set(), nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) {
      ++stop_signals;
      pending.clear();
      spdlog::info("pool: {} shutdown ({}); stopping {} workers",
                   stop_signals == 1 ? "warm" : "cold", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                   members.size());
      for (const auto& [pid, m] : members) kill(pid, SIGTERM);
    }
    for (;;) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      auto it = members.find(pid);
      if (it == members.end()) continue;
      Member m = it->second;
      members.erase(it);
      bool abnormal = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 1);
      if (WIFSIGNALED(status)) {
        spdlog::warn("pool: worker {} (pid {}) killed by signal {}", m.name, pid, WTERMSIG(status));
      } else {
        spdlog::info("pool: worker {} (pid {}) exited with status {}", m.name, pid,
                     WEXITSTATUS(status));
      }
      if (abnormal && stop_signals == 0) {
        pending[m.slot] = last_start[m.slot] + std::chrono::seconds(1);
      }
    }
    if (stop_signals == 0) {
      for (auto it = pending.begin(); it != pending.end();) {
        if (Steady::now() >= it->second) {
          spawn(it->first);
          it = pending.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  spdlog::info("pool {}: all workers stopped", options.name);
  return any_started ? 0 : 1;
}

}  // namespace rqworker
