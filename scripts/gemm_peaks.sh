#!/usr/bin/env bash
# Full-size saturating FP16 GEMMs on every NVIDIA config, with the percentage of the datasheet
# tensor peak (`joulesim gpus show NAME --peaks`) each reaches in simulation. Not part of the
# test suite (minutes of simulation); tests/timing/gemm_peak_timing_test.cpp holds the fast
# checks. Each GEMM is one full wave of CTA tiles (every SM busy, no tail), K deep enough that
# the prologue and epilogue are a few percent.
#   usage: scripts/gemm_peaks.sh [K] [config...]      (K default 8192)
#   env: DTYPE=fp16|bf16|fp8|fp4|... (default fp16; the peak compared is that type's),
#        GEMM_PARAMS="mma=warp tile_m=128 ..." (extra generator parameters, e.g. sm_100's
#        pre-tcgen05 warp MMA: GEMM_PARAMS=mma=warp, with the shape override SHAPE="512 9472";
#        sm_90 without thread-block clusters: GEMM_PARAMS=cluster=1x1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${JOULESIM:-$root/build/joulesim}"
k="${1:-8192}"
shift || true
configs=("$@")
dtype="${DTYPE:-fp16}"
extra=()
for kv in ${GEMM_PARAMS:-}; do extra+=(-p "$kv"); done
[ ${#configs[@]} -eq 0 ] && configs=(v100 qv100 a100 h100 b200)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# name isa m n: one full wave of the generator's default tiles over the config's SMs (sm_70:
# 128x128, two per SM; sm_80, sm_90: 128x256, one per SM; sm_100 tcgen05: 256x256, one per SM).
shape() {
  case "$1" in
    v100)  echo "sm_70 1280 2048" ;;   # 80 SMs: 10 x 16 tiles of 128 x 128, two per SM
    qv100) echo "sm_70 1280 2048" ;;   # 80 SMs (Quadro GV100), two tiles per SM
    a100)  echo "sm_80 1152 3072" ;;   # 108 SMs: 9 x 12 tiles of 128 x 256
    h100)  echo "sm_90 1536 2816" ;;   # 132 SMs: 12 x 11 tiles of 128 x 256
    b200)  echo "sm_100 1024 9472" ;;  # 148 SMs: 4 x 37 tiles of 256 x 256
    *) echo "unknown config $1" >&2; exit 1 ;;
  esac
}

printf '%-6s %-7s %-18s %10s %10s %10s %8s\n' gpu isa "m x n x k" cycles TFLOPS peak "% peak"
for g in "${configs[@]}"; do
  read -r isa m n <<<"$(shape "$g")"
  if [ -n "${SHAPE:-}" ]; then read -r m n <<<"$SHAPE"; fi
  "$bin" trace gen gemm -p m="$m" -p n="$n" -p k="$k" -p dtype="$dtype" "${extra[@]}" --isa "$isa" \
    --format jst -o "$tmp/$g.jst" >/dev/null
  "$bin" run --gpu "$g" --trace "$tmp/$g.jst" --json >"$tmp/$g.json"
  "$bin" gpus show "$g" --peaks --json >"$tmp/$g.peaks.json"
  python3 - "$g" "$isa" "$m" "$n" "$k" "$tmp/$g.json" "$tmp/$g.peaks.json" "$dtype" <<'PY'
import json, sys
g, isa, m, n, k, run, peaks, dtype = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6]), *sys.argv[6:9]
t = json.load(open(run))["total"]
p = json.load(open(peaks))
peak = p["peaks"]["tensor"][dtype]["dense_flops_per_s"]
tf = 2 * m * n * k / t["time_s"] / 1e12
print(f"{g:<6} {isa:<7} {f'{m}x{n}x{k}':<18} {t['cycles']:>10} {tf:>10.1f} {peak/1e12:>10.1f} {100*tf*1e12/peak:>7.1f}%")
PY
done
