// Python RQ 1.13 itself reads what rqworker writes: the worker record (as
// Worker.find_by_key and `rq info` parse it), results and failures.
#include <sys/stat.h>

#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

bool python_rq_available() {
  struct stat st;
  if (stat(kPython, &st) != 0) return false;
  return run({kPython, "-c", "import rq, msgpack"}, std::chrono::seconds(30)).exit_code == 0;
}

const char* kScript = R"PY(
import sys, msgpack
from redis import Redis
from rq import Worker
from rq.job import Job

class MsgpackSerializer:
    dumps = staticmethod(lambda o: msgpack.packb(o, use_bin_type=True))
    loads = staticmethod(lambda b: msgpack.unpackb(b, raw=False))

r = Redis(port=int(sys.argv[1]))
w = Worker.find_by_key('rq:worker:py-w', connection=r)
print('worker', w.name, w.state, ','.join(w.queue_names()), w.pid, w.ip_address,
      w.birth_date.year, w.last_heartbeat.year, w.get_current_job_id(),
      w.successful_job_count, w.failed_job_count, w.version, sep='|')
ok = Job.fetch(sys.argv[2], connection=r, serializer=MsgpackSerializer)
print('ok', ok.get_status(), ok.return_value(), ok.worker_name, ok.ended_at is not None, sep='|')
bad = Job.fetch(sys.argv[3], connection=r, serializer=MsgpackSerializer)
print('bad', bad.get_status(), bad.exc_info.splitlines()[-1], sep='|')
)PY";

}  // namespace

TEST_CASE("Python RQ parses the worker record and the outcomes", "[worker][python]") {
  if (!python_rq_available()) {
    WARN("python3-rq / python3-msgpack not installed: skipped");
    return;
  }
  WorkerFixture f;
  Queue q(f.conn, "py");
  std::string ok = q.enqueue("builtin:add", 2, 3).id();
  std::string bad = q.enqueue("builtin:fail", std::string("boom")).id();
  std::string busy = q.enqueue("builtin:sleep", 30.0).id();
  Process w(f.worker_argv({"--name", "py-w", "py"}), {}, log_path("python"));
  REQUIRE(f.eventually([&] { return f.status(busy) == "started"; }));

  RunResult py = run({kPython, "-c", kScript, std::to_string(f.redis.port()), ok, bad});
  INFO(py.out << py.err);
  REQUIRE(py.exit_code == 0);
  CHECK_THAT(py.out, Contains("worker|py-w|busy|py|" + std::to_string(w.pid()) + "|127.0.0.1:"));
  CHECK_THAT(py.out, Contains("|" + busy + "|1|1|1.13.0\n"));
  CHECK_THAT(py.out, Contains("ok|finished|5|py-w|True\n"));
  CHECK_THAT(py.out, Contains("bad|failed|ValueError: boom\n"));

  RunResult info = run({"/usr/bin/rq", "info", "-u", f.redis.url()});
  INFO(info.out << info.err);
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.out, Contains("py-w (") && Contains(std::to_string(w.pid()) + "): busy py"));
}
