#!/usr/bin/python3
"""rqcpp vs Python RQ 1.x, side by side; writes BENCHMARKS.md from its own output.

Usage: bench/run_bench.py [--build-dir DIR] [--out FILE] [--quick] [--runs N]
                          [--jobs N] [--fork-jobs N] [--rq-fork-jobs N]
                          [--enqueue-jobs N] [--latency-jobs N]
Starts its own redis-server (no persistence) on a free loopback port. Every
job is a no-op add: builtin:add(1, 2) for rqcpp, rq_bench_jobs.add(1, 2) for
RQ (msgpack serializer, docs/redis-layout.md 4.1). See docs/hot-path.md.
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bench_harness import Bench, Redis, log, med  # noqa: E402
from bench_report import fmt, ratio, write_report  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--quick", action="store_true", help="small sizes, one run (<1 min)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=20000, help="jobs per processing run")
    ap.add_argument("--fork-jobs", type=int, default=None,
                    help="jobs per forking-worker run (default --jobs)")
    ap.add_argument("--rq-fork-jobs", type=int, default=None,
                    help="jobs per RQ forking Worker run (default --fork-jobs)")
    ap.add_argument("--rq-jobs", type=int, default=None,
                    help="jobs per RQ SimpleWorker run (default --jobs)")
    ap.add_argument("--enqueue-jobs", type=int, default=20000)
    ap.add_argument("--latency-jobs", type=int, default=500)
    ap.add_argument("--rq-fork-latency-jobs", type=int, default=None,
                    help="latency jobs for RQ's forking Worker (default --latency-jobs)")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.jobs, a.enqueue_jobs, a.latency_jobs = 1, 200, 200, 20
        a.fork_jobs = a.rq_fork_jobs = 50
        a.rq_jobs = 100
        a.rq_fork_latency_jobs = 20
    a.fork_jobs = a.fork_jobs or a.jobs
    a.rq_fork_jobs = a.rq_fork_jobs or a.fork_jobs
    a.rq_jobs = a.rq_jobs or a.jobs
    a.rq_fork_latency_jobs = a.rq_fork_latency_jobs or a.latency_jobs
    a.build_dir = os.path.abspath(a.build_dir)

    tmp = tempfile.mkdtemp(prefix="rqcpp-bench-")
    redis = Redis(tmp)
    b = Bench(a, redis, tmp)
    rows = []
    load0 = os.getloadavg()
    t_start = time.time()
    try:
        def both(label, unit, cpp_fn, rq_fn, digits=0):
            c = [cpp_fn() for _ in range(a.runs)]
            r = [rq_fn() for _ in range(a.runs)]
            rows.append((label, unit, fmt(med(c), digits), fmt(med(r), digits),
                         ratio(med(c)[0], med(r)[0])))
            log("%-50s rqcpp %s | RQ %s" % (label, rows[-1][2], rows[-1][3]))
            return med(c), med(r)

        # Machine floors: what the kernel and a single Redis connection
        # charge at the least, measured now, so a missed target can be read
        # against them.
        floors = b.floors()
        log("floors: %s" % floors)

        # (1) enqueue
        both("enqueue, one call per job (%d jobs)" % a.enqueue_jobs, "jobs/s",
             lambda: b.enqueue_cpp("single", a.enqueue_jobs),
             lambda: b.enqueue_rq("single", a.enqueue_jobs))
        both("enqueue_many, 1000 jobs per round trip (%d jobs)" % a.enqueue_jobs, "jobs/s",
             lambda: b.enqueue_cpp("many", a.enqueue_jobs),
             lambda: b.enqueue_rq("many", a.enqueue_jobs))
        # The same with every job's arguments different: no encoding is
        # shared between jobs, as with real work.
        both("enqueue, one call per job, distinct args add(i, 1) (%d jobs)" % a.enqueue_jobs,
             "jobs/s", lambda: b.enqueue_cpp("single-distinct", a.enqueue_jobs),
             lambda: b.enqueue_rq("single-distinct", a.enqueue_jobs))
        both("enqueue_many, distinct args add(i, 1) (%d jobs)" % a.enqueue_jobs, "jobs/s",
             lambda: b.enqueue_cpp("many-distinct", a.enqueue_jobs),
             lambda: b.enqueue_rq("many-distinct", a.enqueue_jobs))

        # (2) processing rate, (4) parent RSS, (5) commands and round trips
        rss, traffic = {}, {}
        for cls, rq_name in (("fork", "Worker"), ("simple", "SimpleWorker")):
            for n in (1, 2):
                cj = a.fork_jobs if cls == "fork" else a.jobs
                rj = a.rq_fork_jobs if cls == "fork" else a.rq_jobs
                res = {"rqcpp": [], "rq": []}
                for _ in range(a.runs):
                    res["rqcpp"].append(b.burst("rqcpp", cls, n, cj))
                for _ in range(a.runs):
                    res["rq"].append(b.burst("rq", cls, n, rj))
                c = med([x[0] for x in res["rqcpp"]])
                r = med([x[0] for x in res["rq"]])
                label = "processing, %s vs RQ %s, %d worker%s (%s / %s jobs)" % (
                    "forking worker" if cls == "fork" else "no-fork (--worker-class simple)",
                    rq_name, n, "s" if n > 1 else "", f"{cj:,}", f"{rj:,}")
                rows.append((label, "jobs/s", fmt(c), fmt(r), ratio(c[0], r[0])))
                log("%-50s rqcpp %s | RQ %s" % (label, rows[-1][2], rows[-1][3]))
                if n == 1:
                    rss[cls] = (max(x[1] for x in res["rqcpp"]), max(x[1] for x in res["rq"]))
                    traffic[cls] = (med([x[2] for x in res["rqcpp"]]),
                                    med([x[3] for x in res["rqcpp"]]),
                                    med([x[2] for x in res["rq"]]),
                                    med([x[3] for x in res["rq"]]))

        # (3) latency with one idle worker
        lat = {}
        for cls, rq_name in (("fork", "Worker"), ("simple", "SimpleWorker")):
            c = [b.latency("rqcpp", cls, a.latency_jobs) for _ in range(a.runs)]
            rn = a.rq_fork_latency_jobs if cls == "fork" else a.latency_jobs
            r = [b.latency("rq", cls, rn) for _ in range(a.runs)]
            for which, name in ((0, "enqueue→started"), (1, "enqueue→finished")):
                for qi, qn in ((0, "p50"), (1, "p95"), (2, "p99")):
                    cm = med([x[which][qi] for x in c])
                    rm = med([x[which][qi] for x in r])
                    label = "latency %s %s, %s vs RQ %s (%d / %d jobs, 10 ms apart)" % (
                        name, qn, cls, rq_name, a.latency_jobs, rn)
                    rows.append((label, "ms", fmt(cm, 2), fmt(rm, 2), ratio(cm[0], rm[0])))
                    lat[(cls, which, qi)] = cm[0]
            log("latency %s done" % cls)

        # (4) RSS
        for cls in ("fork", "simple"):
            rows.append(("peak RSS (VmHWM) of the worker parent, %s" % cls, "kB",
                         f"{rss[cls][0]:,}", f"{rss[cls][1]:,}", ratio(rss[cls][0], rss[cls][1])))
        h = (b.horse_rss("rqcpp"), b.horse_rss("rq"))
        rows.append(("peak RSS (VmHWM) of a work horse", "kB", f"{h[0]:,}", f"{h[1]:,}",
                     ratio(h[0], h[1])))
        # (5) traffic
        for cls in ("fork", "simple"):
            t = traffic[cls]
            rows.append(("Redis commands per processed job, %s (commandstats, incl. "
                         "script-internal)" % cls, "commands", fmt(t[0], 1), fmt(t[2], 1),
                         ratio(t[0][0], t[2][0])))
            rows.append(("Redis round trips per processed job, %s" % cls, "round trips",
                         fmt(t[1], 2), fmt(t[3], 2), ratio(t[1][0], t[3][0])))
    finally:
        redis.stop()
    load1 = os.getloadavg()
    floors["finish_take_script_us"] = b.script_usec.get("simple", float("nan"))
    write_report(a, rows, lat, rss, traffic, floors, load0, load1, time.time() - t_start)


if __name__ == "__main__":
    main()
