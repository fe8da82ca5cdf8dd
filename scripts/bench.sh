#!/usr/bin/env bash
# Simulator speed: generates the issue-3 bench traces, replays each with `joulesim run` and prints
# warp instructions per second (by CPU time and by wall time; the process is single-threaded, so
# CPU time is the one-core figure on a shared machine) and peak RSS.
#
#   scripts/bench.sh [--gpu qv100] [--quick] [--keep DIR]
#
# Traces (generated with `joulesim trace gen`, Accel-Sim text format):
#   stream      bench.stream_loop 80 CTAs x 256 threads x 120 iterations of
#               {LDG, FFMA, STG, IADD3, IADD3, ISETP, BRA}  (target >= 1,000,000 warp insts/s)
#   stream_w1   the same with 640 CTAs: one full-occupancy wave (8 CTAs per SM on qv100)
#   stream_w4   2560 CTAs: 4 waves, 4x the trace; peak RSS must equal stream_w1's (memory is
#               bounded by the CTAs in flight, not by the trace length)
#   ffma        ubench.throughput op=ffma, 80 SMs x 32 warps            (target >= 3,000,000)
#   hmma        ubench.throughput op=hmma.f16, 80 SMs x 8 warps         (compute-only, tensor)
#   chain       ubench.ffma_chain n=200000, 32 warps                    (latency-bound, idle skipping)
# Set JOULESIM_BENCH_THP=1 to run with glibc's transparent-huge-page malloc
# (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), see docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

gpu=qv100
quick=0
keep=""
while (($#)); do
  case "$1" in
    --gpu) gpu="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --keep) keep="$2"; shift 2 ;;
    *) echo "usage: $0 [--gpu NAME] [--quick] [--keep DIR]" >&2; exit 2 ;;
  esac
done

source scripts/lib_bench.sh
require_joulesim bench
make_work_dir "$keep"
if [[ ${JOULESIM_BENCH_THP:-0} == 1 ]]; then export GLIBC_TUNABLES=glibc.malloc.hugetlb=1; fi

gen() {  # name generator params...
  local name=$1 generator=$2
  shift 2
  local args=()
  for p in "$@"; do args+=(-p "$p"); done
  [[ -f $dir/$name/kernelslist.g ]] || "$bin" trace gen "$generator" "${args[@]}" --isa sm_70 --out "$dir/$name" >/dev/null
}

gen stream bench.stream_loop ctas=80 threads=256 iters=120
gen ffma ubench.throughput op=ffma sms=80 warps_per_sm=32 iters=$((quick ? 8 : 64))
gen hmma ubench.throughput op=hmma.f16 sms=80 warps_per_sm=8 iters=$((quick ? 8 : 64))
gen chain ubench.ffma_chain n=$((quick ? 20000 : 200000)) warps=32
((quick)) || gen stream_w1 bench.stream_loop ctas=640 threads=256 iters=120
((quick)) || gen stream_w4 bench.stream_loop ctas=2560 threads=256 iters=120

printf "%-10s %12s %9s %9s %14s %14s %9s\n" trace warp_insts wall_s cpu_s insts/s_cpu insts/s_wall rss_mb
for name in stream stream_w1 stream_w4 ffma hmma chain; do
  [[ -d $dir/$name ]] || continue
  out=$(/usr/bin/time -f "%e %U %S %M" -o "$dir/time.txt" "$bin" run --gpu "$gpu" --trace "$dir/$name" --json 2>/dev/null)
  read -r wall user sys rss_kb <"$dir/time.txt"
  insts=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["warp_insts"])' <<<"$out")
  python3 - "$name" "$insts" "$wall" "$user" "$sys" "$rss_kb" <<'EOF'
import sys
name, insts, wall, user, sys_, rss = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:7])
cpu = user + sys_
print(f"{name:<10} {insts:>12,} {wall:>9.2f} {cpu:>9.2f} {insts / cpu:>14,.0f} {insts / wall:>14,.0f} {rss / 1024:>9.1f}")
EOF
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
