#!/usr/bin/env bash
# Installs the Debian 12 packages rqcpp needs to build, test and run its demo,
# and those scripts/ci.sh needs for its checks (clang-format and clang-tidy 14,
# clang, the GCC sanitizer runtimes, clang's libFuzzer runtime). Idempotent:
# skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libhiredis-dev libboost-dev libboost-program-options-dev libmsgpack-cxx-dev
  libspdlog-dev catch2 zlib1g-dev nlohmann-json3-dev libssl-dev
  # the TLS tests make their throwaway CA and certificates with openssl
  openssl
  redis-server redis-tools redis-sentinel
  python3 python3-rq python3-msgpack
  # scripts/ci.sh: style and static analysis (run-clang-tidy comes with
  # clang-tidy), and the runtimes of g++'s -fsanitize=address,undefined,thread
  clang clang-format clang-tidy
  libasan8 liblsan0 libubsan1 libtsan2
  # scripts/fuzz.sh: clang's -fsanitize=fuzzer,address,undefined runtimes
  # (libclang_rt.fuzzer-x86_64.a and the sanitizers for clang 14)
  libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
