#!/usr/bin/env bash
# Full validation suite: every dataset in validation/datasets, results to validation/results/
# latest.json and validation/RESULTS.md. Exits non-zero when a group misses its tolerance or a
# case could not be simulated. Usage: scripts/validate.sh [quick|full|all] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-full}"
shift || true
bin="${JOULESIM_BIN:-build/joulesim}"
if [[ ! -x "$bin" ]]; then
  echo "validate.sh: $bin not found; build first (cmake -S . -B build -G Ninja && ninja -C build joulesim)" >&2
  exit 2
fi
"$bin" validate "$suite" "$@"
