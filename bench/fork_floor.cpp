// fork_floor: what this machine's kernel charges for the process work a
// forking worker cannot avoid, measured from a small process like
// rqworker's parent. run_bench.py prints it next to the rates.
//   fork_floor N   ->  "fork_exit_wait_us=<p50> handoff_us=<p50> page_fault_us=<p50>"
// fork_exit_wait: fork(), the child _exit(0)s, waitpid().
// handoff: a child forked ahead waits on a pipe; the time from writing one
// byte to it until its one-byte answer arrives (the standby hand-over).
// page_fault: first write to one page of fresh anonymous memory, what every
// page a horse (or the parent, copy-on-write) writes after fork() costs.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double p50(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  std::vector<double> fork_exit, handoff;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) return 1;
    waitpid(pid, nullptr, 0);
    fork_exit.push_back(micros(t0, Clock::now()));
  }
  for (int i = 0; i < n; ++i) {
    int to_child[2], to_parent[2];
    if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) {
      char c;
      if (read(to_child[0], &c, 1) == 1) (void)!write(to_parent[1], &c, 1);
      _exit(0);
    }
    if (pid < 0) return 1;
    close(to_child[0]);
    close(to_parent[1]);
    usleep(200);  // the child is waiting, as a standby horse would be
    const auto t0 = Clock::now();
    char c = 1;
    if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) return 1;
    handoff.push_back(micros(t0, Clock::now()));
    close(to_child[1]);
    close(to_parent[0]);
    waitpid(pid, nullptr, 0);
  }
  std::vector<double> fault;
  constexpr size_t kPages = 1024;
  for (int i = 0; i < 20; ++i) {
    const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* m =
        mmap(nullptr, kPages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 1;
    const auto t0 = Clock::now();
    for (size_t p = 0; p < kPages; ++p) static_cast<volatile char*>(m)[p * page] = 1;
    fault.push_back(micros(t0, Clock::now()) / kPages);
    munmap(m, kPages * page);
  }
  std::printf("fork_exit_wait_us=%.1f handoff_us=%.1f page_fault_us=%.2f\n", p50(fork_exit),
              p50(handoff), p50(fault));
  return 0;
}
