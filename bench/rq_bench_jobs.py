"""Python RQ side of the benchmark (bench/run_bench.py).

- add / sleep: the job functions RQ's workers run (rqcpp runs builtin:add).
- MsgpackSerializer: examples/msgpack_serializer.py, the serializer of
  docs/redis-layout.md 4.1, so RQ pays for the same encoding as rqcpp.
- Run as a module, it is an RQ worker that counts its Redis round trips
  (one per redis-py send_packed_command: a pipeline is one) in the worker and
  in every work horse, and appends the totals to $RQ_BENCH_COUNT_FILE.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
from msgpack_serializer import MsgpackSerializer  # noqa: E402,F401  (run_bench.py imports it)


def add(a, b):
    return a + b


def sleep(seconds):
    time.sleep(seconds)


_sends = [0]


def _install_counter():
    import redis.connection
    orig = redis.connection.Connection.send_packed_command

    def counted(self, command, check_health=True):
        _sends[0] += 1
        return orig(self, command, check_health)

    redis.connection.Connection.send_packed_command = counted
    # a work horse counts its own sends, not the ones its parent made before fork
    os.register_at_fork(after_in_child=lambda: _sends.__setitem__(0, 0))
    path = os.environ.get("RQ_BENCH_COUNT_FILE")
    if not path:
        return
    real_exit = os._exit

    def dump():
        with open(path, "a") as f:
            f.write("%d\n" % _sends[0])

    def exit_with_dump(code):  # RQ's work horse leaves with os._exit
        try:
            dump()
        finally:
            real_exit(code)

    os._exit = exit_with_dump
    import atexit
    atexit.register(dump)


def main():
    _install_counter()
    from redis import Redis
    from rq import SimpleWorker, Worker
    url, queue, cls = sys.argv[1], sys.argv[2], sys.argv[3]
    conn = Redis.from_url(url)
    worker_cls = SimpleWorker if cls == "simple" else Worker
    w = worker_cls([queue], connection=conn, serializer=MsgpackSerializer)
    w.work(burst=True, logging_level="INFO")


if __name__ == "__main__":
    main()
