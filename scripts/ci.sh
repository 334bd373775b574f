#!/usr/bin/env bash
# Everything CI checks, in one script (.ci/run calls it). Steps, cheapest
# first so that a failure shows early; each is named and timed, and the first
# failure stops the run (exit status non-zero) after a summary:
#
#   deps    scripts/install-deps.sh (idempotent; apt only when a package is missing)
#   format  clang-format --dry-run --Werror over every tracked *.cpp *.hpp *.h
#           (the root .clang-format); fix with clang-format -i
#   test    scripts/test.sh: the plain build with -Werror in ./build (BUILD_DIR)
#           and the whole suite; also writes build/compile_commands.json
#   tsan    ThreadSanitizer: ./build-tsan, only test_threaded and what it links
#           (producers on several threads), run under TSan; a report fails it
#   tidy    clang-tidy 14 (root .clang-tidy) over core/ worker/ cli/ sdk/ bench/
#           plugins/ examples/ with build/compile_commands.json, -j$(nproc);
#           the findings also go to build/clang-tidy.log
#   fuzz    scripts/fuzz.sh: the libFuzzer targets of tests/fuzz, built with
#           clang into ./build-fuzz (core library and targets only), each run
#           30 s (FUZZ_SECONDS) on a copy of its seed corpus; a crash, leak,
#           sanitizer report, timeout or memory blow-up fails it
#   asan    AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer:
#           ./build-asan (-DRQCPP_SANITIZE=address,undefined), every target,
#           the whole suite; a report in a test or in any process it spawned
#           (rqworker, rqctl, horses; collected in build-asan/sanitizer-logs)
#           fails it
#
# Usage: scripts/ci.sh [STEP...]   (default: all steps, in the order above;
# `deps` always runs first). Needs: Debian 12, sudo or root when a package is
# missing. Nothing needs to be running: tests start their own redis-server.
#
# Time: the summary at the end prints each step's time. The whole run must
# stay under CI's 45 minutes on 2 cores with no ccache; the builds of `test`
# and `asan` take most of it; `fuzz` is 2.5 min of runs plus its build. If it
# nears that, the first cut is leaving bench/ out of tidy. With ccache
# (CMAKE_CXX_COMPILER_LAUNCHER=ccache in the environment) repeated runs take a
# fraction of that.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
build=${BUILD_DIR:-$root/build}

step_format() {
  # Tracked files only: build trees and editor leftovers are never checked.
  git ls-files -z -- '*.cpp' '*.hpp' '*.h' | xargs -0 clang-format-14 --dry-run --Werror
}

step_test() {
  CMAKE_EXPORT_COMPILE_COMMANDS=ON BUILD_DIR=$build "$root/scripts/test.sh"
}

step_tsan() {
  local dir=$root/build-tsan
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRQCPP_WERROR=ON \
    -DRQCPP_SANITIZE=thread >/dev/null
  cmake --build "$dir" -j"$jobs" --target test_threaded
  # A race between first uses of a script is seen in about 6 of 7 runs (the
  # threads do not always overlap), so up to 5 runs: a clean pass is 5.
  run_sanitized_ctest "$dir" -R '^threaded:' --repeat until-fail:5
}

step_tidy() {
  if [ ! -f "$build/compile_commands.json" ]; then
    # The plain build's configure wrote it unless `test` was skipped.
    BUILD_DIR=$build "$root/scripts/build.sh" -DRQCPP_WERROR=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  fi
  # The core library's generated header must exist for its sources to parse.
  cmake --build "$build" -j"$jobs" --target rqcpp_core >/dev/null
  local log=$build/clang-tidy.log status=0
  # run-clang-tidy-14 always asks for colour: strip it for the log.
  run-clang-tidy-14 -p "$build" -j"$jobs" -quiet \
    "^$root/(core|worker|cli|sdk|plugins|examples|bench)/" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >"$log" || status=$?
  # Only the findings (file:line: error: ... [check]) and the code they point at.
  grep -A3 -E '^/.*: (error|warning): ' "$log" || true
  [ "$status" -eq 0 ] || { echo "clang-tidy findings: see above or $log"; return 1; }
}

step_fuzz() {
  "$root/scripts/fuzz.sh" --seconds "${FUZZ_SECONDS:-30}"
}

step_asan() {
  local dir=$root/build-asan
  # -O1 -g1 (line tables only): what ASan's docs recommend, and cheaper to
  # compile than -O2 -g; reports still name file and line.
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRQCPP_WERROR=ON \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
    -DRQCPP_SANITIZE=address,undefined >/dev/null
  cmake --build "$dir" -j"$jobs"
  run_sanitized_ctest "$dir"
}

# ctest in a sanitizer build dir: the environment (report files, abort on
# report) comes from <dir>/tests/sanitizer_env.cmake; afterwards any report
# file, also one from a process no test checked, fails the step.
run_sanitized_ctest() {
  local dir=$1 status=0
  shift
  local logs=$dir/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 600 "$@") || status=$?
  if [ -n "$(ls -A "$logs")" ]; then
    for f in "$logs"/*; do
      echo "---- $f"
      cat "$f"
    done
    echo "sanitizer reports: $(ls "$logs" | wc -l) file(s) in $logs"
    return 1
  fi
  return "$status"
}

all_steps=(format test tsan tidy fuzz asan)
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
  [[ " ${all_steps[*]} " == *" $s "* ]] || { echo "unknown step: $s (${all_steps[*]})" >&2; exit 2; }
done

summary=()
report() {
  echo
  echo "== ci.sh summary"
  printf '%s\n' "${summary[@]}"
}
trap report EXIT

run_step() {
  local name=$1 start=$SECONDS status=0
  echo
  echo "== [$name] start $(date -u +%H:%M:%S)"
  # A subshell outside any `||`: errexit stays on inside the step function.
  set +e
  (
    set -e
    "step_$name"
  )
  status=$?
  set -e
  local took=$((SECONDS - start))
  if [ "$status" -ne 0 ]; then
    summary+=("$(printf '%-7s FAILED after %4d s' "$name" "$took")")
    echo "== [$name] FAILED after ${took} s"
    exit "$status"
  fi
  summary+=("$(printf '%-7s ok     %4d s' "$name" "$took")")
  echo "== [$name] ok in ${took} s"
}

step_deps() { "$root/scripts/install-deps.sh"; }
run_step deps
for s in "${steps[@]}"; do run_step "$s"; done
