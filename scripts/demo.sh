#!/usr/bin/env bash
# The newcomer's first run: installs what is missing, builds, makes sure a
# Redis answers (starting a throwaway one on a free loopback port if none is
# reachable at RQ_REDIS_URL), then runs a real job three ways:
#   rqctl enqueue -> rqworker --burst -> rqctl job (the result)
#   the C++ producer example and the Python RQ producer example.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

redis_pid=""
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null; true; }
trap cleanup EXIT

url=${RQ_REDIS_URL:-redis://127.0.0.1:6379/0}
if ! redis-cli -u "$url" ping >/dev/null 2>&1; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo "No Redis at $url; starting a throwaway redis-server on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    >/dev/null 2>&1 &
  redis_pid=$!
  url="redis://127.0.0.1:$port/0"
  for _ in $(seq 50); do redis-cli -u "$url" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
export RQ_REDIS_URL=$url
export RQCPP_PLUGIN_DIR=$build/plugins
rqctl=$build/bin/rqctl
rqworker=$build/bin/rqworker

echo "== enqueue from the shell"
id=$("$rqctl" enqueue demo wordcount:count_words '"the quick brown fox jumps over the lazy dog"')
echo "job $id"
echo "== enqueue from Python RQ (msgpack serializer)"
py_id=$(cd "$root/examples" && /usr/bin/python3 python_producer.py --url "$url" --queue demo \
        "rqcpp speaks RQ")
echo "job $py_id"
echo "== work the queue"
"$rqworker" --burst demo
echo "== results"
"$rqctl" job "$id"
"$rqctl" job "$py_id"
echo "== C++ producer example (a worker in the background serves it)"
"$rqworker" demo & worker_pid=$!
"$build/bin/example_producer" --url "$url" --queue demo "one two three four"
kill -TERM "$worker_pid"; wait "$worker_pid" || true
