#!/usr/bin/env bash
# Sets up (Debian packages) and builds joulesim in build/ (Release). Extra args go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif (($# > 0)); then
  cmake -S . -B build "$@"
fi
cmake --build build --parallel "$(nproc)"
