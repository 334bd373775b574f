#!/usr/bin/python3
"""Enqueue wordcount:count_words(TEXT) from Python RQ for an rqcpp worker.

The job names the plugin function by string ("libname:function"), so no
Python code is imported; the msgpack serializer makes the job readable by
rqworker. Prints the job id; with --wait, also waits (bounded) for the
worker and prints the result as JSON on a second line.

    /usr/bin/python3 python_producer.py --url redis://127.0.0.1:6379/0 \
        --queue default --wait "the quick brown fox"

Exit codes: 0 done, 1 the job failed (its error text goes to stderr),
2 timed out waiting, 3 Redis unreachable.
"""
import argparse
import json
import os
import sys
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from rq.job import JobStatus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from msgpack_serializer import MsgpackSerializer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("RQ_REDIS_URL", "redis://127.0.0.1:6379/0"),
                        help="Redis URL (default: $RQ_REDIS_URL or redis://127.0.0.1:6379/0)")
    parser.add_argument("--queue", default="default", help="queue name (default: default)")
    parser.add_argument("--wait", action="store_true", help="wait for the result and print it")
    parser.add_argument("--wait-timeout", type=float, default=30.0,
                        help="seconds to wait with --wait (default: 30)")
    parser.add_argument("text", help="the text whose words are counted")
    args = parser.parse_args()

    try:
        redis = Redis.from_url(args.url)
        queue = Queue(args.queue, connection=redis, serializer=MsgpackSerializer)
        job = queue.enqueue("wordcount:count_words", args.text)
        print(job.id, flush=True)
        if not args.wait:
            return 0
        deadline = time.monotonic() + args.wait_timeout
        while True:
            status = job.get_status(refresh=True)
            if status == JobStatus.FINISHED:
                print(json.dumps(job.return_value(), sort_keys=True))
                return 0
            if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                print(f"job {job.id} {status}:\n{job.exc_info or ''}", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"timed out after {args.wait_timeout:g} s waiting for job {job.id} "
                      f"(status {status})", file=sys.stderr)
                return 2
            time.sleep(0.05)
    except RedisConnectionError as e:
        print(f"python_producer: cannot reach Redis at {args.url}: {e}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
