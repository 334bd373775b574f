"""Python RQ 1.13 peer for tests/core/python_peer_test.cpp.

    rq_core_peer.py read URL JOB_ID      -> prints the job as JSON
    rq_core_peer.py enqueue URL QUEUE    -> enqueues mylib.add(2, 3) with meta,
                                            prints the job id
    rq_core_peer.py exc_info URL JOB_ID  -> prints Job.exc_info
    rq_core_peer.py scheduled URL QUEUE  -> prints the queue's scheduled jobs
                                            and scheduler pid as JSON

Uses the MsgpackSerializer of docs/redis-layout.md section 4.1.
"""
import json
import os
import sys

from redis import Redis
from rq import Queue
from rq.job import Job

# The serializer a user copies (examples/), so the test proves that one.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples"))
from msgpack_serializer import MsgpackSerializer  # noqa: E402


def main():
    mode, url, arg = sys.argv[1:4]
    r = Redis.from_url(url)
    if mode == "read":
        job = Job.fetch(arg, connection=r, serializer=MsgpackSerializer)
        print(json.dumps({
            "func_name": job.func_name,
            "args": list(job.args),
            "kwargs": job.kwargs,
            "status": job.get_status(),
            "origin": job.origin,
            "description": job.description,
            "timeout": job.timeout,
            "meta": job.meta,
            "enqueued_at": job.enqueued_at.isoformat() if job.enqueued_at else None,
            "in_queues": [q.name for q in Queue.all(connection=r)],
            "queue_job_ids": Queue(job.origin, connection=r).job_ids,
        }))
    elif mode == "enqueue":
        q = Queue(arg, connection=r, serializer=MsgpackSerializer)
        job = q.enqueue("mylib.add", 2, 3, meta={"k": "v"}, job_timeout=60, kw="x")
        print(job.id)
    elif mode == "exc_info":
        job = Job.fetch(arg, connection=r, serializer=MsgpackSerializer)
        print(job.exc_info)
    elif mode == "scheduled":
        from rq.registry import ScheduledJobRegistry
        q = Queue(arg, connection=r, serializer=MsgpackSerializer)
        registry = ScheduledJobRegistry(queue=q)
        jobs = []
        for job_id in registry.get_job_ids():
            job = Job.fetch(job_id, connection=r, serializer=MsgpackSerializer)
            jobs.append({
                "id": job_id,
                "status": job.get_status(),
                "at": registry.get_scheduled_time(job_id).timestamp(),
                "enqueue_at_front": bool(job.enqueue_at_front),
            })
        print(json.dumps({"jobs": jobs, "scheduler_pid": q.scheduler_pid,
                          "queues": [x.name for x in Queue.all(connection=r)]}))
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
