#!/usr/bin/env bash
# Sets up, builds and runs the main job on the bundled default: the bundled trace on the default GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/joulesim run --gpu h100 --trace traces/bundled/saxpy/kernelslist.g
