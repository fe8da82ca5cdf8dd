#!/usr/bin/env bash
# Builds the libFuzzer harness for the trace readers with clang (ASan + UBSan, the whole library
# instrumented) in build-fuzz/ and runs it for a bounded time.
#   scripts/fuzz.sh [SECONDS]   (default 60)
# Crashing inputs are written to build-fuzz/artifacts/; the corpus grows in build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
jobs="${JOBS:-2}"
dir=build-fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g"
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DJOULESIM_FUZZ=ON -DJOULESIM_TESTS=OFF -DJOULESIM_MPI=OFF \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
ninja -C "$dir" -j "$jobs" trace_parser_fuzz joulesim

# Seed corpus: small traces that exercise every address mode, lineinfo, compression and .jst.
corpus="$dir/corpus"
mkdir -p "$corpus" "$dir/artifacts"
if [ -z "$(ls -A "$corpus")" ]; then
  hdr() {
    printf -- '-kernel name = seed\n-kernel id = 1\n-grid dim = (2,1,1)\n-block dim = (64,1,1)\n'
    printf -- '-shmem = 0\n-nregs = 16\n-binary version = %s\n-cuda stream id = 0\n' "$2"
    printf -- '-accelsim tracer version = %s\n-enable lineinfo = %s\n\n#traces format\n\n' "$1" "$3"
  }
  {
    hdr 5 80 0
    for c in 0 1; do
      printf '#BEGIN_TB\nthread block = %s,0,0\nwarp = 0\ninsts = 5\n' "$c"
      printf '0000 ffffffff 1 R1 MOV 0 0 0\n0010 0000000f 1 R2 LDG.E 1 R4 4 0 0x10 0x20 0x30 0x40 0\n'
      printf '0020 ffffffff 1 R3 LDG.E.128 1 R4 16 1 0x7f0000001000 16 0\n'
      printf '0030 00000013 0 STS 2 R1 UR4 8 2 0x100 8 -64 0\n0040 ffffffff 0 EXIT 0 0 -7\n'
      printf 'warp = 1\ninsts = 2\n0000 ffff0000 1 R10 HMMA.16816.F32.BF16 3 R2 R4 R255 0 0\n'
      printf '0010 ffff0000 0 EXIT 0 0 0\n#END_TB\n'
    done
  } > "$corpus/seed_v5.traceg"
  {
    hdr 4 0 1
    for c in 0 1; do
      printf '#BEGIN_TB\nthread block = %s,0,0\nwarp = 0\ninsts = 2\n' "$c"
      printf '7 0000 ffffffff 1 R1 IADD3 2 R1 UR63 0\n8 0010 ffffffff 0 EXIT 0 0\n#END_TB\n'
    done
  } > "$corpus/seed_v4_lineinfo.traceg"
  gzip -c "$corpus/seed_v5.traceg" > "$corpus/seed_v5.traceg.gz"
  xz -c "$corpus/seed_v5.traceg" > "$corpus/seed_v5.traceg.xz"
  "$dir/joulesim" trace convert "$corpus/seed_v5.traceg" "$corpus/seed_v5.jst" >/dev/null
fi
# A .jst seed large enough (a few KB) for the reader's unchecked fast path and packed gathers.
if [ ! -f "$corpus/seed_stream.jst" ]; then
  python3 scripts/gen_accelsim_trace.py stream "$dir/seed_stream" --ctas 1 --threads 64 --iters 4 2>/dev/null
  "$dir/joulesim" trace convert "$dir/seed_stream" "$corpus/seed_stream.jst" >/dev/null
fi

echo "fuzzing the trace readers for ${seconds}s ($jobs jobs)..."
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$dir/trace_parser_fuzz" "$corpus" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
  -rss_limit_mb=2048 -jobs="$jobs" -workers="$jobs" -artifact_prefix="$dir/artifacts/" \
  -print_final_stats=1 2>&1 | tee "$dir/last_run.log" | grep -E "^(#|==|SUMMARY|Done|stat::)" | tail -20
mv -f fuzz-*.log "$dir"/ 2>/dev/null || true  # per-job logs libFuzzer writes with -jobs
if ls "$dir"/artifacts/crash-* "$dir"/artifacts/timeout-* "$dir"/artifacts/oom-* >/dev/null 2>&1; then
  echo "fuzzing found failing inputs in $dir/artifacts/" >&2
  exit 1
fi
echo "no failures"
