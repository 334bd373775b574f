// Forked probe children; see child_probe.hpp.
#include "worker/child_probe.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "worker/child_process.hpp"

namespace rqcpp {

std::string ChildProbe::failure_text(std::chrono::milliseconds timeout) const {
  if (timed_out) {
    return "loading did not finish within " + std::to_string(timeout.count() / 1000) +
           " s (killed)";
  }
  if (WIFSIGNALED(wait_status))
    return "crashed while loading (" + wait_status_text(wait_status) + ")";
  return "exited with " + wait_status_text(wait_status) + " without an answer";
}

ChildProbe run_child_probe(const std::function<std::string()>& body,
                           std::chrono::milliseconds timeout, const ChildSupervisor& supervisor,
                           const std::function<Steady::time_point()>& duties) {
  ChildProcess child = ChildProcess::fork();
  if (child.is_child()) {
    const std::string out = body();
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::write(ChildProcess::kOutFd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  ChildWatch watch;
  watch.reachable = false;
  watch.deadline = Steady::now() + timeout;
  watch.duties = duties;
  ChildEnd end = supervisor.wait(child, watch);
  ChildProbe r;
  r.output = child.output();
  r.timed_out = end.timed_out;
  r.wait_status = child.wait_status();
  return r;
}

}  // namespace rqcpp
