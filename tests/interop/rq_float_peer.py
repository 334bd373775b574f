#!/usr/bin/python3
"""Python RQ 1.13 as the producer and reader of float-fidelity jobs
(tests/interop/float_fidelity_test.cpp).

  rq_float_peer.py enqueue URL QUEUE SERIALIZER FUNC ARGS_EXPR
      enqueues FUNC(*eval(ARGS_EXPR)) with SERIALIZER (msgpack or json, RQ's
      JSONSerializer); ARGS_EXPR is a Python list expression such as
      "[2.0]" or "[float('nan'), 2**70]"; prints the job id
  rq_float_peer.py result URL ID SERIALIZER
      prints one JSON object: the job's status, repr() of its return value,
      the type name of that value (and of each item of a list), exc_info
"""
import json
import math  # noqa: F401  (for ARGS_EXPR)
import os
import sys

from redis import Redis
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples"))
from msgpack_serializer import MsgpackSerializer  # noqa: E402

SERIALIZERS = {"msgpack": MsgpackSerializer, "json": JSONSerializer}


def enqueue(url, queue, serializer, func, args_expr):
    q = Queue(queue, connection=Redis.from_url(url), serializer=SERIALIZERS[serializer])
    job = q.enqueue(func, *eval(args_expr))
    print(job.id)


def result(url, job_id, serializer):
    job = Job.fetch(job_id, connection=Redis.from_url(url), serializer=SERIALIZERS[serializer])
    value = job.return_value()
    types = [type(v).__name__ for v in value] if isinstance(value, list) else []
    print(json.dumps({
        "status": job.get_status(refresh=False),
        "repr": repr(value),
        "type": type(value).__name__,
        "item_types": types,
        "exc_info": job.exc_info,
    }))


def main(argv):
    if len(argv) == 7 and argv[1] == "enqueue":
        enqueue(*argv[2:])
    elif len(argv) == 5 and argv[1] == "result":
        result(*argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
