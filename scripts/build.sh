#!/usr/bin/env bash
# Configures and builds rqcpp into ./build (BUILD_DIR overrides). Extra
# arguments go to cmake's configure step, e.g. -DRQCPP_WERROR=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
