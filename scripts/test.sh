#!/usr/bin/env bash
# Sets up, builds and runs every test (unit, timing properties, golden, quick validation).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure --parallel "$(nproc)" --timeout 600
