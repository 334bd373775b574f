#!/usr/bin/python3
"""Python RQ 1.13 as a test peer of rqcpp (used by tests/interop).

  rq_peer.py enqueue URL QUEUE FUNC [JSON_ARG...]   prints the new job id
  rq_peer.py fetch URL ID                           prints the job as seen by
      Job.fetch(id, serializer=MsgpackSerializer) as one JSON object
  rq_peer.py enqueue-after URL QUEUE FUNC DEP_ID [JSON_ARG...]
      enqueue with depends_on=DEP_ID; prints the new job id
  rq_peer.py stop-job URL ID   send_stop_job_command(ID), as `rq` does

Jobs use examples/msgpack_serializer.py, the serializer rqcpp speaks.
"""
import json
import os
import sys

from redis import Redis
from rq import Queue
from rq.job import Job

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples"))
from msgpack_serializer import MsgpackSerializer  # noqa: E402


def enqueue(url, queue, func, *json_args):
    q = Queue(queue, connection=Redis.from_url(url), serializer=MsgpackSerializer)
    job = q.enqueue(func, *[json.loads(a) for a in json_args])
    print(job.id)


def enqueue_after(url, queue, func, dep_id, *json_args):
    q = Queue(queue, connection=Redis.from_url(url), serializer=MsgpackSerializer)
    job = q.enqueue(func, *[json.loads(a) for a in json_args], depends_on=dep_id)
    print(job.id)


def stop_job(url, job_id):
    from rq.command import send_stop_job_command
    send_stop_job_command(Redis.from_url(url), job_id, serializer=MsgpackSerializer)


def fetch(url, job_id):
    job = Job.fetch(job_id, connection=Redis.from_url(url), serializer=MsgpackSerializer)
    print(json.dumps({
        "status": job.get_status(refresh=False),
        "func_name": job.func_name,
        "args": list(job.args),
        "kwargs": job.kwargs,
        "origin": job.origin,
        "description": job.description,
        "worker_name": job.worker_name,
        "return_value": job.return_value(),
        "exc_info": job.exc_info,
        "meta": job.meta,
        "ended_at": job.ended_at.isoformat() if job.ended_at else None,
    }, sort_keys=True))


def main(argv):
    if len(argv) >= 5 and argv[1] == "enqueue":
        enqueue(*argv[2:])
    elif len(argv) >= 6 and argv[1] == "enqueue-after":
        enqueue_after(*argv[2:])
    elif len(argv) == 4 and argv[1] == "stop-job":
        stop_job(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "fetch":
        fetch(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
