#!/usr/bin/python3
"""A/B of two rqcpp builds on this host, for a change's closing note: the
figures of BENCHMARKS.md drift between hosts and hours, so a change that
must keep them "unchanged or better" is measured against the build before
it, with the two runs interleaved on one private redis-server.

    bench/compare_builds.py BEFORE_BUILD_DIR AFTER_BUILD_DIR [--jobs N] [--reps R]

Each build dir needs bin/bench_client, bin/rqworker and plugins/ (a Release
build: cmake --build DIR --target rqworker bench_client plugin_builtin).
Per repetition and build: N single enqueues (one call per job), then N jobs
enqueued in batches and run by one no-fork worker (--worker-class simple).
Prints the median of each figure as a Markdown table."""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_harness import Redis, run  # noqa: E402


def script_stat(r):
    stats = r.info("commandstats")
    return stats.get("cmdstat_fcall") or stats.get("cmdstat_evalsha") or {"usec_per_call": 0}


def commands(r):
    return sum(v["calls"] for v in r.info("commandstats").values())


def measure(redis, build, n):
    r = redis.r
    r.flushall()
    t0 = time.perf_counter()
    run([os.path.join(build, "bin/bench_client"), redis.url, "bq", "single", str(n)])
    enqueue = n / (time.perf_counter() - t0)
    r.flushall()
    run([os.path.join(build, "bin/bench_client"), redis.url, "bq", "many", str(n), "1000"])
    r.config_resetstat()
    c0 = commands(r)
    t0 = time.perf_counter()
    run([os.path.join(build, "bin/rqworker"), "-u", redis.url, "-P",
         os.path.join(build, "plugins"), "--burst", "--worker-class", "simple", "bq"])
    worker = n / (time.perf_counter() - t0)
    if r.zcard("rq:finished:bq") != n:
        raise SystemExit("%s: not every job finished" % build)
    # The CONFIG RESETSTAT above is counted too.
    return {"enqueue": enqueue, "worker": worker, "script": script_stat(r)["usec_per_call"],
            "commands": (commands(r) - c0 - 1) / n}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--jobs", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        redis = Redis(tmp)
        try:
            runs = {"before": [], "after": []}
            for _ in range(a.reps):
                for side in ("before", "after"):
                    runs[side].append(measure(redis, getattr(a, side), a.jobs))
        finally:
            redis.stop()
    rows = [("enqueue, one call per job", "jobs/s", "enqueue", "%.0f"),
            ("no-fork worker (--worker-class simple)", "jobs/s", "worker", "%.0f"),
            ("Redis time per worker script call", "µs", "script", "%.1f"),
            ("Redis commands per processed job", "", "commands", "%.1f")]
    print("| figure (median of %d, %d jobs) | unit | before | after | change |" % (a.reps, a.jobs))
    print("|---|---|---|---|---|")
    for label, unit, k, fmt in rows:
        b = statistics.median(x[k] for x in runs["before"])
        f = statistics.median(x[k] for x in runs["after"])
        print("| %s | %s | %s | %s | %+.1f%% |" % (label, unit, fmt % b, fmt % f,
                                                   100.0 * (f - b) / b if b else 0.0))


if __name__ == "__main__":
    main()
