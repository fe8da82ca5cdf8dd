#!/usr/bin/env bash
# Parse-speed benchmark (not a test): generates a large Accel-Sim text trace, converts it to .jst
# and times `joulesim trace info` on one core for each, printing MB/s of uncompressed text and the
# peak resident memory (which stays small because the readers stream one CTA at a time).
#   scripts/bench_parse.sh [CTAS] [ITERS]   default 512 CTAs x 256 threads x 50 loop iterations
#                                           (~210 MB of text, ~800 instructions per warp)
# Needs build/joulesim (scripts/build.sh). Work files go to build/bench-parse/.
set -euo pipefail
cd "$(dirname "$0")/.."
ctas="${1:-512}"
iters="${2:-50}"
bin=build/joulesim
[ -x "$bin" ] || { echo "build joulesim first (scripts/build.sh)" >&2; exit 1; }
dir=build/bench-parse
mkdir -p "$dir"
if [ ! -f "$dir/text/kernel-1.traceg" ] || [ "$(cat "$dir/shape" 2>/dev/null)" != "$ctas x $iters" ]; then
  echo "generating the text trace ($ctas CTAs x 256 threads x $iters iterations)..."
  python3 scripts/gen_accelsim_trace.py stream "$dir/text" --ctas "$ctas" --threads 256 --iters "$iters"
  echo "$ctas x $iters" > "$dir/shape"
fi
text_bytes=$(stat -c %s "$dir/text/kernel-1.traceg")
"$bin" trace convert "$dir/text" "$dir/trace.jst" >/dev/null
jst_bytes=$(stat -c %s "$dir/trace.jst")

cpu="taskset -c 0"
command -v taskset >/dev/null || cpu=""
# CPU time (user + system) per run, averaged over five runs with a warm page cache: on a shared
# machine CPU time is steadier than wall time. Peak RSS of the largest run via GNU time.
runs=5
measure() {
  /usr/bin/time -f "%U %S %M" -o "$dir/time.txt" bash -c \
    'for _ in $(seq "$3"); do $1 "$2" trace info "$4" --json > "$5"; done' _ "$cpu" "$bin" "$runs" \
    "$1" "$dir/out.json"
  awk -v n="$runs" '{printf "%.4f %d\n", ($1 + $2) / n, $3}' "$dir/time.txt"
}
# Process start-up (CLI, dynamic linking, taskset) measured on the tiny bundled trace, so that the
# reading rates below are of reading alone; the raw totals are printed too.
"$bin" trace convert traces/bundled/saxpy "$dir/tiny.jst" >/dev/null
read -r t_base _ < <(measure "$dir/tiny.jst")
read -r t_text rss_text < <(measure "$dir/text")
cp "$dir/out.json" "$dir/text.json"
read -r t_jst rss_jst < <(measure "$dir/trace.jst")
cmp -s "$dir/out.json" "$dir/text.json" && same=yes || same=NO

awk -v tb="$text_bytes" -v jb="$jst_bytes" -v tt="$t_text" -v tj="$t_jst" -v t0="$t_base" \
    -v rt="$rss_text" -v rj="$rss_jst" -v same="$same" \
    -v insts="$(grep -m1 '"warp_insts"' "$dir/text.json" | tr -dc 0-9)" 'BEGIN {
  rt_text = tt - t0; rt_jst = tj - t0
  printf "text trace: %.1f MB, %d warp instructions\n", tb / 1e6, insts
  printf "jst trace:  %.1f MB (%.1f%% of the text)\n", jb / 1e6, 100 * jb / tb
  printf "start-up (tiny trace): %.3f s CPU per run\n", t0
  printf "trace info, text: %.3f s CPU (%.3f s reading) = %.0f MB/s of text, %.1f M warp insts/s, peak RSS %.1f MB\n", tt, rt_text, tb / 1e6 / rt_text, insts / 1e6 / rt_text, rt / 1024
  printf "trace info, jst:  %.3f s CPU (%.3f s reading) = %.0f MB/s of equivalent text, peak RSS %.1f MB\n", tj, rt_jst, tb / 1e6 / rt_jst, rj / 1024
  printf "jst vs text: %.1fx faster reading (%.1fx including start-up)\n", rt_text / rt_jst, tt / tj
  printf "identical trace info output: %s\n", same
}'
