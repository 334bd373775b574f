#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (docs/fuzzing.md) into
tests/fuzz/corpus/<target>/.

  tests/fuzz/make_seeds.py [--rqctl PATH] [--rqworker PATH] [--plugins DIR]

Static seeds (URLs, literals, worker commands, SDK arguments) are written from
the lists below. Job hashes are real: a redis-server of its own (Unix socket
in a temporary directory) gets jobs from Python RQ 1.x (msgpack serializer of
examples/msgpack_serializer.py, and RQ's JSONSerializer), run by an RQ
SimpleWorker to finished and failed, and, with --rqctl, jobs enqueued by
rqctl (msgpack and json, with meta, dependencies, retries, schedule);
--rqworker and --plugins also run those through rqworker. Each hash and its
newest results-stream entry is written in job_hash_fuzz's framing
(tests/fuzz/fuzz_input.hpp). Needs python3-rq, python3-msgpack, redis-server.
Re-running overwrites the seeds of the same name; minimize afterwards with
scripts/fuzz.sh --merge.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples"))

# Must match kJobFields in fuzz_input.hpp.
JOB_FIELDS = [
    "data", "meta", "status", "created_at", "enqueued_at", "started_at", "ended_at", "timeout",
    "result_ttl", "failure_ttl", "ttl", "retries_left", "dependency_ids", "dependency_id",
    "exc_info", "result", "origin", "description", "worker_name", "return_value", "exc_string",
    "allow_dependency_failures",
]


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def frame(fields):
    out = b""
    for name, value in fields.items():
        if isinstance(name, bytes):
            name = name.decode()
        if name not in JOB_FIELDS:
            continue
        value = value[:0xFFFF]
        out += bytes([JOB_FIELDS.index(name)]) + struct.pack("<H", len(value)) + value
    return out


def static_seeds():
    urls = [
        "redis://127.0.0.1:6379/0", "redis://localhost", "redis://h:1/15",
        "redis://:secret@host:6380/2", "redis://user:p%40ss%2Fw@host:6379/1",
        "redis://user@host", "redis://[::1]:6379/3", "redis://[fe80::1]",
        "redis://host/4?db=5&password=p%3Fx", "unix:///tmp/redis.sock",
        "unix:///var/run/redis/redis.sock?db=3", "unix://:pw@/run/redis.sock?db=1",
        "unix://user:pw@/run/redis.sock", "rediss://host:6380", "http://host",
        "redis://host:99999", "redis://host:%zz", "redis://u:p@:1",
    ]
    for i, u in enumerate(urls):
        write("redis_url", "url%02d" % i, u)

    literals = [
        "3", "-2.5", '"x"', '"3"', "[1,2]", '{"a":1}', "true", "null", "hello", "1e400",
        "NaN", "-Infinity", "18446744073709551615", "-9223372036854775808",
        "99999999999999999999", '{"a":[{"b":null}],"c":"\\u00e9"}', "caf\xc3\xa9", "\xff\xfe",
        "2026-11-28T20:15:19.972214Z", "2026-11-28T20:00:00Z", "1970-01-01T00:00:00.5Z",
        "2262-04-11T23:47:16Z", "5m", "1h", "2d", "90", "+3s", "-1", "9223372036854775807d",
        '{"progress": 0.5, "tags": ["x"]}', "[[[[[]]]]]", "",
    ]
    for i, t in enumerate(literals):
        write("rqctl_literal", "lit%02d" % i, t.encode("latin-1"))

    commands = [
        '{"command": "shutdown"}', '{"command": "kill-horse"}',
        '{"command": "stop-job", "job_id": "9f3c1c4e-7d2a-4b7e-8c59-3a1d2b0e5f6a"}',
        '{"command": "stop-job"}', '{"command": 1}', '["shutdown"]', "shutdown", "",
        '{"command": "stop-job", "job_id": "\\u00e9\\ud83d\\ude00"}',
    ]
    for i, c in enumerate(commands):
        write("worker_command", "cmd%02d" % i, c)

    def sdk(selector, args, kwargs=b""):
        return bytes([selector]) + struct.pack("<H", len(args)) + args + kwargs

    p = lambda v: msgpack.packb(v, use_bin_type=True)  # noqa: E731
    # Selectors index the manifest, which lists functions sorted by name
    # (sdk_args_fuzz.cpp): 0 anything, 1 containers, 2 nothing, 3 scalars.
    sdk_seeds = [
        sdk(3, p([True, -5, 2**64 - 1, 1.5, "text", 7])),
        sdk(3, p([False, 127, 0, 3, b"bytes"])),
        sdk(3, p([1, 200, -1, "x", None, 2**40])),
        sdk(1, p([b"\x00\x01", [[1, 2], [-3]], {"w": 0.5, "z": None}, [True, "s"], {"a": 1},
                  None])),
        sdk(1, p(["str as bytes", [], {}, [False, ""], {"big": 40000}, None])),
        sdk(0, p([{"nested": [1, 2.5, None, b"\xff"]}]), p({"k": 1, "l": "v"})),
        sdk(0, p([msgpack.ExtType(5, b"ext"), ["k"]]), p({"k": [1]})),
        sdk(0, p([1]), p({1: 2})),
        sdk(2, p([])), sdk(2, p([]), p({"unexpected": 1})), sdk(3, b"\xdd\xff\xff\xff\xff"),
    ]
    for i, s in enumerate(sdk_seeds):
        write("sdk_args", "args%02d" % i, s)


class Redis:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rqcpp-seeds-")
        self.sock = os.path.join(self.dir, "redis.sock")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock, "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if time.time() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        self.url = "unix://" + self.sock

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def job_seeds(args):
    from redis import Redis as Client
    from rq import Queue, SimpleWorker
    from rq.serializers import JSONSerializer
    from msgpack_serializer import MsgpackSerializer

    server = Redis()
    try:
        r = Client(unix_socket_path=server.sock)
        names = {}
        for tag, ser in (("py_msgpack", MsgpackSerializer), ("py_json", JSONSerializer)):
            q = Queue("seeds_" + tag, connection=r, serializer=ser)
            names[q.enqueue("operator.add", 2, 3, meta={"p": 1}).id] = tag + "_finished"
            names[q.enqueue("operator.truediv", 1, 0).id] = tag + "_failed"
            names[q.enqueue("builtins.sorted", [3.5, -1, 2], reverse=True).id] = tag + "_kwargs"
            parent = q.enqueue("operator.neg", 1, job_timeout="1h")
            names[q.enqueue("operator.neg", 2, depends_on=parent).id] = tag + "_deferred"
            SimpleWorker([q], connection=r, serializer=ser).work(burst=True, logging_level="WARNING")
            names[q.enqueue("builtins.len", "caf\u00e9 \U0001f600").id] = tag + "_queued"
        if args.rqctl:
            def rqctl(*a):
                out = subprocess.run([args.rqctl, "--url", server.url, *a], check=True,
                                     capture_output=True, text=True).stdout
                return out.strip().splitlines()[-1]
            for s in ("msgpack", "json"):
                tag = "rqcpp_" + s
                names[rqctl("enqueue", "seeds_rq", "builtin:add", "2", "3", "--serializer", s,
                            "--meta", '{"progress": 0.5}', "--retry", "3,10,60")] = tag + "_add"
                parent = rqctl("enqueue", "seeds_rq", "builtin:echo", '{"a": [1, null]}',
                               "--serializer", s, "--kwarg", "k=text", "--timeout", "5m")
                names[parent] = tag + "_echo"
                names[rqctl("enqueue", "seeds_rq", "builtin:add", "1", "1.5", "--serializer", s,
                            "--depends-on", parent, "--allow-failure")] = tag + "_deferred"
                names[rqctl("enqueue", "seeds_rq", "builtin:fail", "boom", "--serializer", s,
                            "--in", "1h", "--ttl", "90")] = tag + "_scheduled"
                names[rqctl("enqueue", "seeds_rq", "builtin:echo", "x", "--serializer", s)] = (
                    tag + "_run")
            if args.rqworker:
                subprocess.run([args.rqworker, "--url", server.url, "--burst", "--plugin-dir",
                                args.plugins, "seeds_rq"], check=True, capture_output=True)
        for job_id, name in names.items():
            fields = r.hgetall("rq:job:" + job_id)
            entry = r.xrevrange("rq:results:" + job_id, count=1)
            if entry:
                fields.update(entry[0][1])
            write("job_hash", name, frame(fields))
        # The same call, zlib-compressed and raw (RQ accepts both).
        plain = msgpack.packb(["builtin:add", None, [1, 2], {}], use_bin_type=True)
        write("job_hash", "raw_msgpack", frame({"data": plain}))
        write("job_hash", "zlib_msgpack", frame({"data": zlib.compress(plain)}))
        write("job_hash", "raw_json", frame({"data": b'["m.f", null, [1, NaN], {"k": "v"}]'}))
    finally:
        server.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rqctl")
    ap.add_argument("--rqworker")
    ap.add_argument("--plugins")
    args = ap.parse_args()
    static_seeds()
    job_seeds(args)


if __name__ == "__main__":
    main()
