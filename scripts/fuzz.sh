#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, docs/fuzzing.md) with clang into
# ./build-fuzz (BUILD_DIR) and runs each one for N seconds on a copy of its
# seed corpus (tests/fuzz/corpus/<target>; the repository is never written).
# Any crash, leak, sanitizer report, timeout (one input > 10 s, --timeout)
# or memory blow-up (> 2048 MB) fails the run; the input that caused it is kept under
# <build>/fuzz-run/<target>/artifacts/ (docs/fuzzing.md: reproducing).
#
# Usage: scripts/fuzz.sh [--seconds N] [--report FILE] [--build-only] [TARGET...]
#   --seconds N    time per target (default 30; -max_total_time)
#   --timeout S    one input running longer than S seconds is a finding
#                  (default 10). libFuzzer measures wall time: under
#                  `nice -n 19` on a loaded machine a fast input can wait
#                  that long for a CPU, so long runs there use e.g. 60
#   --report FILE  also rewrite the rows of the targets run in the table
#                  between the fuzz-report markers in FILE (docs/fuzzing.md;
#                  scripts/fuzz_report.py)
#   --build-only   configure and build, run nothing
#   --merge        instead of fuzzing: minimize each target's seed corpus
#                  in the repository (-merge=1), to run after adding seeds
#   TARGET         job_hash, sdk_args, redis_url, rqctl_literal,
#                  worker_command (default: all, one after the other)
# Prints per target: executions, duration, exec/s, corpus, coverage, peak
# RSS and crashes. Needs clang and libclang-rt-14-dev (scripts/install-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${BUILD_DIR:-$root/build-fuzz}
all_targets=(job_hash sdk_args redis_url rqctl_literal worker_command)
seconds=30 timeout=10 report="" build_only=0 merge=0 targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --merge) merge=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *)
      [[ " ${all_targets[*]} " == *" $1 "* ]] || { echo "fuzz.sh: unknown target $1" >&2; exit 2; }
      targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# The commit the report names: what was built, even if HEAD moves meanwhile.
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$root" status --porcelain -- '*.cpp' '*.hpp' '*.h' 2>/dev/null)" ] &&
  commit="$commit+changes"

# -O1 -g1: what ASan recommends, and the cheapest build that still names
# file and line in a report. Only the core library and the targets are built.
start=$SECONDS
CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRQCPP_WERROR=ON -DRQCPP_FUZZ=ON -DRQCPP_BUILD_TESTS=OFF \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz
build_time=$((SECONDS - start))
echo "fuzz build: ${build_time} s"
[ "$build_only" -eq 1 ] && exit 0

# A UBSan report ends the process (-fno-sanitize-recover=all at compile
# time); LeakSanitizer runs after every input that allocated (-detect_leaks).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:report_error_type=1}
limits=(-timeout="$timeout" -rss_limit_mb=2048 -malloc_limit_mb=2048)

dict_args() {
  local d=$root/tests/fuzz/dict/$1.dict
  [ -f "$d" ] && echo "-dict=$d"
  return 0
}

if [ "$merge" -eq 1 ]; then
  for t in "${targets[@]}"; do
    seeds=$root/tests/fuzz/corpus/$t tmp=$dir/fuzz-merge/$t
    rm -rf "$tmp" && mkdir -p "$tmp"
    # shellcheck disable=SC2046
    "$dir/fuzz/${t}_fuzz" -merge=1 "${limits[@]}" $(dict_args "$t") "$tmp" "$seeds" 2>"$tmp.log"
    # The merge names what it keeps by SHA-1: keep those seeds under their
    # own (descriptive) names and drop the rest.
    before=$(ls "$seeds" | wc -l)
    for f in "$seeds"/*; do
      [ -e "$tmp/$(sha1sum <"$f" | cut -d' ' -f1)" ] || rm "$f"
    done
    echo "$t: $before seeds -> $(ls "$seeds" | wc -l) (merged)"
    rm -rf "$tmp"
  done
  exit 0
fi

rows=() failed=0
for t in "${targets[@]}"; do
  work=$dir/fuzz-run/$t
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
  cp "$root/tests/fuzz/corpus/$t/"* "$work/corpus/"
  seeds=$(ls "$work/corpus" | wc -l)
  echo "== $t: ${seconds} s from $seeds seeds (log: $work/fuzz.log)"
  t0=$SECONDS status=0
  # shellcheck disable=SC2046
  "$dir/fuzz/${t}_fuzz" -max_total_time="$seconds" -print_final_stats=1 "${limits[@]}" \
    $(dict_args "$t") -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/fuzz.log" 2>&1 ||
    status=$?
  took=$((SECONDS - t0))
  log=$work/fuzz.log
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  execs=$(stat number_of_executed_units) rate=$(stat average_exec_per_sec) rss=$(stat peak_rss_mb)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(ls "$work/corpus" | wc -l)
  crashes=$(ls "$work/artifacts" | wc -l)
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    crashes=$((crashes > 0 ? crashes : 1))
    echo "---- $t FAILED (exit $status); end of $log:"
    tail -60 "$log"
    ls -l "$work/artifacts"
  fi
  rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s |' "$t" "$took" "${execs:-?}" \
    "${rate:-?}" "$seeds -> $corpus" "${cov:-?}" "${rss:-?}" "$crashes")")
  echo "${rows[-1]}"
done

table=$(
  echo "| target | seconds | executions | exec/s | corpus (seeds -> end) | coverage (edges) | peak RSS (MB) | crashes |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
)
echo
echo "$table"

if [ -n "$report" ]; then
  clang_version=$(clang --version | sed -n 's/.*clang version \([0-9.]*\).*/\1/p' | head -1)
  "$root/scripts/fuzz_report.py" --timeout "$timeout" "$report" "$(date -u +%Y-%m-%d)" \
    "$commit" "$(nproc)" \
    "$clang_version" "$build_time" "${all_targets[*]}" "${rows[@]}"
  echo "report written to $report"
fi
exit "$failed"
