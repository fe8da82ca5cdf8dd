#!/usr/bin/env bash
# Issue 5, AMD part: large fp16 MFMA GEMMs on the whole mi250x / mi300x, as % of the datasheet
# FP16 matrix peak. Each GEMM is generated with `joulesim trace gen gemm --isa gfx90a|gfx942`
# (128 x 256 workgroup tiles, accumulators in AccVGPRs, three k-tiles of loads in flight:
# prefetch=3; see
# sim/trace/gen/gemm_mfma.cpp), replayed with `joulesim run` on
# every CU, and its 2mnk FLOPs divided by the simulated time.
#
#   scripts/gemm_peaks_amd.sh [--quick] [--keep DIR] [--jobs N]
#
# Datasheet peaks (dense FP16 matrix):
#   mi250x  383.0 TFLOPS  AMD Instinct MI250X datasheet (220 CUs x 1024 FLOP/clk x 1.7 GHz)
#   mi300x 1307.4 TFLOPS  AMD Instinct MI300X datasheet (304 CUs x 2048 FLOP/clk x 2.1 GHz)
# Shapes: "full" shapes are whole numbers of rounds of one workgroup per CU (mi250x: 22 x 20 =
# 440 tiles = 2 rounds of 220; mi300x: 38 x 32 = 1216 = 4 rounds of 304); 8192^3 leaves a partial
# last round (2048 tiles: 9.3 rounds of 220, 6.7 of 304), whose idle CUs cap the achievable
# fraction at tiles / (rounds x CUs) — printed as "round cap".
# --quick: k = 2048 instead of 8192 (the prologue/epilogue then weigh ~4x more).
# Cost: the traces are large (~28 B per warp instruction; mi300x 8192^3 is ~130 M instructions)
# and replay runs at tens of thousands of warp instructions per second with all CUs streaming:
# minutes per --quick case on one core, an hour or more per full case.
#
# Measured (session 4, --quick shapes 4864x8192x2048 / 2816x5120x2048): mi300x 58.8% with two
# k-tiles of loads in flight in VGPRs -> 71.9% with AccVGPR accumulators and three (prefetch=3);
# removing the L2-miss path latency (llc.latency=1, noc.cross_die_latency=0) at prefetch=2 gave
# 80.0%: half of the old gap was L2-miss latency (per-XCD L2 hits + merges only ~60%, every miss
# paying an IOD crossing and the Infinity Cache). At prefetch=3 (L2 hits + merges 85%) the matrix cores
# idle mostly at workgroup turnover (epilogue: the 128 KB f32 C tile through the CU's 64 B/clk
# port, then the next workgroup's first three k-tiles: ~11% of SIMD time) and in waves waiting
# to issue a global load (~10%; not the L1 queue depth: letting CDNA queue 64 lines gave 72.7%,
# nor l1.mshrs: 1024 gave 72.2%; not yet found). mi250x: 88.2% at k = 2048, 96.8% on the full
# 2816x5120x8192 (the fixed per-workgroup cost amortised; the k-loop itself runs at peak:
# tests/timing/amd_peak_timing_test.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
keep=""
jobs=1
while (($#)); do
  case "$1" in
    --quick) quick=1; shift ;;
    --keep) keep="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "usage: $0 [--quick] [--keep DIR] [--jobs N]" >&2; exit 2 ;;
  esac
done

source scripts/lib_bench.sh
require_joulesim gemm_peaks_amd
make_work_dir "$keep"
k=$((quick ? 2048 : 8192))

# gpu isa cus datasheet_tflops m n k
cases=(
  "mi250x gfx90a 220 383.0 2816 5120 $k"
  "mi250x gfx90a 220 383.0 8192 8192 $k"
  "mi300x gfx942 304 1307.4 4864 8192 $k"
  "mi300x gfx942 304 1307.4 8192 8192 $k"
)

one() {  # gpu isa cus peak m n k
  local gpu=$1 isa=$2 m=$5 n=$6 kk=$7
  local name="${gpu}_${m}x${n}x${kk}"
  local t="$dir/$name"
  "$bin" trace gen gemm -p m="$m" -p n="$n" -p k="$kk" -p dtype=fp16 -p prefetch=3 --isa "$isa" --out "$t" >/dev/null
  /usr/bin/time -f "%e" -o "$t.wall" "$bin" run --gpu "$gpu" --trace "$t/trace.jst" --json >"$t.json" 2>"$t.err" ||
    { echo "$name: run failed: $(tail -1 "$t.err")" >&2; return 1; }
  rm -rf "$t"  # the trace is large; the result is kept
}

i=0
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  one $c &
  if (((++i) % jobs == 0)); then wait; fi
done
wait

printf "%-7s %-18s %7s %9s %9s %9s %10s %8s\n" gpu "m x n x k" tiles time_us TFLOPS "% peak" "round cap" sim_s
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  set -- $c
  gpu=$1 cus=$3 peak=$4 m=$5 n=$6 kk=$7
  t="$dir/${gpu}_${m}x${n}x${kk}"
  [[ -s $t.json ]] || continue
  python3 - "$gpu" "$cus" "$peak" "$m" "$n" "$kk" "$(cat "$t.wall")" <"$t.json" <<'EOF'
import json, math, sys
gpu, cus, peak, m, n, k, wall = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), *map(int, sys.argv[4:7]), float(sys.argv[7])
r = json.load(sys.stdin)
t = r["total"]["time_s"]
tflops = 2.0 * m * n * k / t / 1e12
tiles = (m // 128) * (n // 256)
cap = tiles / (math.ceil(tiles / cus) * cus)
print(f"{gpu:<7} {f'{m} x {n} x {k}':<18} {tiles:>7} {t * 1e6:>9.1f} {tflops:>9.1f} {100 * tflops / peak:>8.1f}% {100 * cap:>9.1f}% {wall:>8.1f}")
EOF
done
