"""The measuring half of bench/run_bench.py: a private redis-server, the
runs of each mode (rqcpp's bench_client and rqworker, Python RQ's workers)
and what they read from /proc and Redis."""
import datetime
import os
import re
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"  # the interpreter that has python3-rq


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
        e0 = self.redis.r.info("commandstats").get("cmdstat_fcall", {"calls": 0, "usec": 0})
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
        e1 = self.redis.r.info("commandstats").get("cmdstat_fcall", {"calls": 0, "usec": 0})
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
