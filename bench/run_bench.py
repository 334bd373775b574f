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
import datetime
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"  # the interpreter that has python3-rq
sys.path.insert(0, HERE)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Redis:
    """A private redis-server plus a redis-py client to it."""

    def __init__(self, workdir):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = "redis://127.0.0.1:%d/0" % self.port
        import redis
        self.r = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                self.r.ping()
                break
            except Exception:
                time.sleep(0.025)
        else:
            raise SystemExit("redis-server did not start")

    def commands(self):
        total = 0
        for v in self.r.info("commandstats").values():
            total += v["calls"]
        return total

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit("command failed: %s\n%s" % (" ".join(cmd), r.stderr[-2000:]))
    return r.stdout


class Bench:
    def __init__(self, a, redis, tmp):
        self.a, self.redis, self.tmp = a, redis, tmp
        self.client = os.path.join(a.build_dir, "bin", "bench_client")
        self.rqworker = os.path.join(a.build_dir, "bin", "rqworker")
        self.plugins = os.path.join(a.build_dir, "plugins")
        self.env = dict(os.environ, PYTHONPATH=HERE)
        self.script_usec = {}  # worker class -> Redis µs per script call (last run)

    def rq_queue(self, name="bq"):
        from rq import Queue
        from rq_bench_jobs import MsgpackSerializer
        return Queue(name, connection=self.redis.r, serializer=MsgpackSerializer)

    # ---- (1) enqueue
    def enqueue_cpp(self, mode, n):
        self.redis.r.flushall()
        extra = ["1000"] if mode.startswith("many") else []
        out = run([self.client, self.redis.url, "bq", mode, str(n)] + extra)
        return n / float(re.search(r"seconds=([0-9.]+)", out).group(1))

    def enqueue_rq(self, mode, n):
        self.redis.r.flushall()
        from rq import Queue
        q = self.rq_queue()
        t0 = time.perf_counter()
        distinct = mode.endswith("-distinct")
        if mode.startswith("single"):
            for i in range(n):
                q.enqueue("rq_bench_jobs.add", i if distinct else 1, 1 if distinct else 2)
        else:
            for done in range(0, n, 1000):
                q.enqueue_many([Queue.prepare_data("rq_bench_jobs.add",
                                                   (i, 1) if distinct else (1, 2))
                                for i in range(done, min(done + 1000, n))])
        return n / (time.perf_counter() - t0)

    def fill(self, system, n):
        self.redis.r.flushall()
        if system == "rqcpp":
            run([self.client, self.redis.url, "bq", "many", str(n), "1000"])
        else:
            self.enqueue_rq("many", n)

    # ---- workers
    def worker_cmd(self, system, cls, i):
        if system == "rqcpp":
            return [self.rqworker, "-u", self.redis.url, "-P", self.plugins, "--burst",
                    "--worker-class", cls, "bq"]
        return [PY, "-m", "rq_bench_jobs", self.redis.url, "bq", cls]

    def burst(self, system, cls, nworkers, njobs):
        """Processes njobs queued jobs with nworkers burst workers; returns
        (jobs/s, parent peak RSS kB, commands/job, round trips/job)."""
        self.fill(system, njobs)
        c0 = self.redis.commands()
        e0 = self.redis.r.info("commandstats").get("cmdstat_evalsha", {"calls": 0, "usec": 0})
        countfile = os.path.join(self.tmp, "sends.txt")
        if os.path.exists(countfile):
            os.unlink(countfile)
        env = dict(self.env, RQ_BENCH_COUNT_FILE=countfile)
        logs = [open(os.path.join(self.tmp, "w%d.log" % i), "w+") for i in range(nworkers)]
        t0 = time.perf_counter()
        procs = [subprocess.Popen(self.worker_cmd(system, cls, i), env=env, cwd=self.tmp,
                                  stdout=subprocess.DEVNULL, stderr=logs[i])
                 for i in range(nworkers)]
        hwm = 0
        while any(p.poll() is None for p in procs):
            for p in procs:
                hwm = max(hwm, vm_hwm(p.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - t0
        for p in procs:
            if p.returncode != 0:
                raise SystemExit("%s worker failed (exit %d)" % (system, p.returncode))
        done = self.redis.r.zcard("rq:finished:bq")
        if done != njobs:
            raise SystemExit("%s %s: %d of %d jobs finished" % (system, cls, done, njobs))
        commands = (self.redis.commands() - c0 - 1) / njobs
        e1 = self.redis.r.info("commandstats").get("cmdstat_evalsha", {"calls": 0, "usec": 0})
        if system == "rqcpp" and e1["calls"] > e0["calls"]:
            self.script_usec[cls] = (e1["usec"] - e0["usec"]) / (e1["calls"] - e0["calls"])
        trips = 0
        if system == "rqcpp":
            for f in logs:
                f.seek(0)
                m = re.findall(r"(\d+) Redis round trips", f.read())
                trips += int(m[-1]) if m else 0
        elif os.path.exists(countfile):
            trips = sum(int(x) for x in open(countfile).read().split())
        for f in logs:
            f.close()
        return njobs / elapsed, hwm, commands, trips / njobs

    def floors(self):
        """Machine floors: fork+exit+wait and the standby hand-over (p50 µs,
        bench/fork_floor.cpp), one client's Redis round trips per second
        (redis-benchmark -c 1 PING) and Redis's own time per finish+take
        script call of the no-fork worker (commandstats, µs)."""
        n = 200 if self.a.quick else 1000
        out = run([os.path.join(self.a.build_dir, "bin", "fork_floor"), str(n)])
        f = {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", out)}
        rb = run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(self.redis.port), "-c", "1",
                  "-n", str(n * 20), "-q", "-t", "ping"])
        rates = [float(x) for x in re.findall(r"([0-9.]+) requests per second", rb)]
        f["one_client_round_trips_per_s"] = max(rates) if rates else float("nan")
        return f

    def horse_rss(self, system):
        """Peak RSS (kB) of a work horse: one 1-second sleep job, sampled."""
        self.redis.r.flushall()
        # RQ enqueues rqcpp jobs verbatim too (docs/redis-layout.md 4.1).
        func = "builtin:sleep" if system == "rqcpp" else "rq_bench_jobs.sleep"
        self.rq_queue().enqueue(func, 1.0)
        p = subprocess.Popen(self.worker_cmd(system, "fork", 0), env=self.env, cwd=self.tmp,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        hwm = 0
        while p.poll() is None:
            for child in children(p.pid):
                hwm = max(hwm, vm_hwm(child))
            time.sleep(0.02)
        return hwm

    def latency(self, system, cls, n):
        """enqueue->started and enqueue->finished in ms, from the job hashes."""
        self.redis.r.flushall()
        args = self.worker_cmd(system, cls, 0)
        if system == "rqcpp":
            args.remove("--burst")
        else:
            args = [PY, "-c", "import rq_bench_jobs as m, sys; sys.argv=['x']+sys.argv[1:];"
                    "m._install_counter();"
                    "from redis import Redis; from rq import Worker, SimpleWorker;"
                    "W = SimpleWorker if sys.argv[3]=='simple' else Worker;"
                    "W([sys.argv[2]], connection=Redis.from_url(sys.argv[1]),"
                    " serializer=m.MsgpackSerializer).work(logging_level='INFO')",
                    self.redis.url, "bq", cls]
        w = subprocess.Popen(args, env=self.env, cwd=self.tmp, stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(self.tmp, "lat.log"), "w"))
        time.sleep(1.5)  # idle and waiting
        if system == "rqcpp":
            run([self.client, self.redis.url, "bq", "paced", str(n), "10"])
        else:
            q = self.rq_queue()
            nxt = time.perf_counter()
            for _ in range(n):
                d = nxt - time.perf_counter()
                if d > 0:
                    time.sleep(d)
                q.enqueue("rq_bench_jobs.add", 1, 2)
                nxt += 0.010
        deadline = time.time() + 180
        while self.redis.r.zcard("rq:finished:bq") < n and time.time() < deadline:
            time.sleep(0.05)
        w.terminate()
        w.wait()
        started, finished = [], []
        for key in self.redis.r.scan_iter("rq:job:*"):
            h = self.redis.r.hmget(key, "enqueued_at", "started_at", "ended_at")
            if not all(h):
                continue
            e, s, f = (ts(x) for x in h)
            started.append((s - e) * 1000)
            finished.append((f - e) * 1000)
        return pct(started), pct(finished)


def ts(b):
    s = b.decode().rstrip("Z")
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def pct(v):
    v = sorted(v)
    if not v:
        return (float("nan"),) * 3
    return tuple(v[min(len(v) - 1, int(len(v) * q))] for q in (0.50, 0.95, 0.99))


def vm_hwm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def med(xs):
    return statistics.median(xs), min(xs), max(xs)


def fmt(m, digits=0):
    f = "{:,.%df}" % digits
    return "%s (%s–%s)" % (f.format(m[0]), f.format(m[1]), f.format(m[2]))


def ratio(a, b):
    return "%.2f×" % (a / b) if b else "–"


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


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except Exception:
        return "?"


def write_report(a, rows, lat, rss, traffic, floors, load0, load1, seconds):
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = open("/proc/meminfo").readline().split()[1]
    import redis as redis_py
    import rq
    git = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])

    def val(prefix):
        for r in rows:
            if r[0].startswith(prefix):
                return float(r[2].split(" ")[0].replace(",", ""))
        return float("nan")

    def valrq(prefix):
        for r in rows:
            if r[0].startswith(prefix):
                return float(r[3].split(" ")[0].replace(",", ""))
        return float("nan")

    targets = [
        ("forking worker ≥ 2,000 jobs/s on one worker",
         val("processing, forking worker") >= 2000,
         "%.0f jobs/s" % val("processing, forking worker")),
        ("forking worker p50 enqueue→finished ≤ 1 ms", lat[("fork", 1, 0)] <= 1.0,
         "%.2f ms" % lat[("fork", 1, 0)]),
        ("no-fork ≥ 20,000 jobs/s on one worker", val("processing, no-fork") >= 20000,
         "%.0f jobs/s" % val("processing, no-fork")),
        ("no-fork p50 enqueue→finished ≤ 0.5 ms", lat[("simple", 1, 0)] <= 0.5,
         "%.2f ms" % lat[("simple", 1, 0)]),
        ("enqueue ≥ 3× RQ per call", val("enqueue, one call per job (") >=
         3 * valrq("enqueue, one call per job ("),
         "%.2f×" % (val("enqueue, one call per job (") / valrq("enqueue, one call per job ("))),
        ("enqueue ≥ 3× RQ per call, distinct args",
         val("enqueue, one call per job, distinct") >= 3 * valrq("enqueue, one call per job, distinct"),
         "%.2f×" % (val("enqueue, one call per job, distinct") /
                    valrq("enqueue, one call per job, distinct"))),
        ("enqueue_many ≥ 150,000 jobs/s", val("enqueue_many, 1000") >= 150000,
         "%.0f jobs/s" % val("enqueue_many, 1000")),
        ("enqueue_many ≥ 150,000 jobs/s, distinct args",
         val("enqueue_many, distinct") >= 150000,
         "%.0f jobs/s" % val("enqueue_many, distinct")),
        ("≤ 2 Redis round trips per processed job",
         max(traffic["fork"][1][0], traffic["simple"][1][0]) <= 2,
         "fork %.2f, simple %.2f" % (traffic["fork"][1][0], traffic["simple"][1][0])),
        ("worker parent RSS ≤ 8 MB", rss["fork"][0] <= 8192, "%d kB" % rss["fork"][0]),
    ]
    out = []
    out.append("# Benchmarks: rqcpp vs Python RQ\n")
    out.append("Generated by `bench/run_bench.py%s` on %s UTC in %.0f s — do not edit by hand; "
               "rerun the script (see README, \"Benchmarks\"; what each job costs: "
               "docs/hot-path.md).\n" % (" --quick" if a.quick else "",
                                         datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
                                         seconds))
    out.append("## Machine and versions\n")
    out.append("- CPU: %s, %d cores; RAM %d MiB; kernel %s" % (cpu, os.cpu_count(),
                                                             int(mem) // 1024, platform.release()))
    out.append("- load average (1 min) at start %.2f, at end %.2f%s" % (
        load0[0], load1[0], " — **the machine was busy** (other builds/tests ran "
        "concurrently): absolute figures are low and noisy; the ratios are the "
        "meaningful part" if max(load0[0], load1[0]) > 1.5 else ""))
    proj = re.search(r"project\(rqcpp VERSION ([0-9.]+)", open(os.path.join(ROOT, "CMakeLists.txt")).read())
    out.append("- rqcpp %s (git %s + working tree), Release build in %s" % (
        proj.group(1) if proj else "?", git,
        os.path.relpath(a.build_dir, ROOT) if a.build_dir.startswith(ROOT) else a.build_dir))
    out.append("- %s; Python RQ %s, redis-py %s, Python %s (/usr/bin/python3)" % (
        version(["redis-server", "--version"]), rq.VERSION, redis_py.__version__,
        platform.python_version()))
    out.append("- each figure: median of %d run%s, (min–max); RQ uses the msgpack serializer "
               "of docs/redis-layout.md 4.1 and a Python add(a, b) (bench/rq_bench_jobs.py); "
               "rqcpp runs builtin:add(1, 2)\n" % (a.runs, "s" if a.runs > 1 else ""))
    if len({a.jobs, a.fork_jobs, a.rq_fork_jobs, a.rq_jobs}) > 1 or \
            a.rq_fork_latency_jobs != a.latency_jobs:
        out.append("**Reduced sizes in this run:** jobs per processing run: rqcpp no-fork %s, "
                   "RQ SimpleWorker %s, rqcpp forking %s, RQ Worker %s (the sizes are in each "
                   "row); latency jobs for RQ Worker %s; so that the whole run fits the time "
                   "available on this loaded machine. The script's defaults are %s jobs per "
                   "processing run and %s latency jobs for all.\n" % (
                       f"{a.jobs:,}", f"{a.rq_jobs:,}", f"{a.fork_jobs:,}", f"{a.rq_fork_jobs:,}",
                       a.rq_fork_latency_jobs, f"{20000:,}", 500))
    out.append("## Results\n")
    out.append("| measure | unit | rqcpp | Python RQ | rqcpp/RQ |")
    out.append("|---|---|---|---|---|")
    for r in rows:
        out.append("| %s | %s | %s | %s | %s |" % r)
    out.append("\nRates include worker start-up (process start to exit of the last burst "
               "worker). Round trips: rqcpp's worker counts its own Redis calls; RQ's are "
               "redis-py sends counted in the worker and its horses (a pipeline is one).\n")
    out.append("## Machine floors\n")
    out.append("Measured in the same run; no job queue can beat them on this machine "
               "(docs/hot-path.md).\n")
    out.append("| floor | value |")
    out.append("|---|---|")
    out.append("| fork() + child _exit(0) + waitpid(), from a small process (p50, "
               "bench/fork_floor.cpp) | %.0f µs |" % floors.get("fork_exit_wait_us", float("nan")))
    out.append("| hand-over to a child forked ahead: one byte there and back over pipes (p50) "
               "| %.0f µs |" % floors.get("handoff_us", float("nan")))
    out.append("| first write to a page of fresh memory (p50; every page a horse writes, and "
               "every page the parent writes while a horse lives, copy-on-write) | %.2f µs |" %
               floors.get("page_fault_us", float("nan")))
    out.append("| one Redis client's round trips per second (redis-benchmark -c 1 PING) | "
               "%s /s |" % f"{floors.get('one_client_round_trips_per_s', 0):,.0f}")
    out.append("| Redis's own time per finish+take script call, no-fork worker "
               "(commandstats evalsha usec_per_call) | %.0f µs |" % floors.get(
                   "finish_take_script_us", float("nan")))
    out.append("")
    out.append("## Targets\n")
    out.append("| target | measured | met |")
    out.append("|---|---|---|")
    for t, ok, m in targets:
        out.append("| %s | %s | %s |" % (t, m, "yes" if ok else "**no**"))
    notes = os.path.join(HERE, "analysis.md")
    if os.path.exists(notes):
        out.append("\n" + open(notes).read().strip() + "\n")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    log("wrote %s" % a.out)


if __name__ == "__main__":
    main()
