#!/usr/bin/env bash
# Builds the capture kit with nvcc and runs every microbenchmark on the GPU at hand, writing one
# validation dataset JSON (schema: scripts/capture/README.md).
#
#   bash scripts/capture/run_all.sh --build-only      build only (CI; exits 0 without nvcc)
#   bash scripts/capture/run_all.sh [--out FILE] [--config NAME] [--quick] [-- CAPTURE-ARGS...]
#
# --out     dataset path (default: validation/datasets/measured-<config>.json in this repository)
# --config  joulesim GPU config the dataset belongs to (default: from the device name)
# --no-build  run the binary already in scripts/capture/build (e.g. built elsewhere and copied)
# --quick   tiny sizes and short power windows: a smoke test of every kernel, not a dataset
# CAPTURE-ARGS go to the binary: --only LIST, --power-seconds S, --warm-seconds S, --device N ...
# Environment: NVCC (compiler), ARCHS (SASS targets, default "80 90"), JOBS (make -j).
# The kit only reads the GPU's state; it never changes clocks, power limits or modes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build_only=0 no_build=0 quick=0 out="" config=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-only) build_only=1 ;;
    --no-build) no_build=1 ;;
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a path}; shift ;;
    --config) config=${2:?--config needs a name}; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run_all.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
  shift
done

bin="$here/build/capture"
if [ "$no_build" = 1 ]; then
  [ -x "$bin" ] || { echo "run_all.sh: --no-build but $bin does not exist" >&2; exit 1; }
else
nvcc=${NVCC:-$(command -v nvcc || true)}
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [ -z "$nvcc" ]; then
  echo "run_all.sh: nvcc not found (set NVCC or install the CUDA toolkit); nothing built, nothing run"
  exit 0
fi
# wgmma needs the arch-specific sm_90a target (nvcc >= 12.0); probe it with a one-line kernel.
mkdir -p "$here/build"
sm90a=0
printf '__global__ void probe() {}\n' >"$here/build/probe90a.cu"
if "$nvcc" -gencode=arch=compute_90a,code=sm_90a -c "$here/build/probe90a.cu" \
     -o "$here/build/probe90a.o" >/dev/null 2>&1; then sm90a=1; fi
make_args=(-C "$here" NVCC="$nvcc" SM90A="$sm90a" -j"${JOBS:-2}")
if [ -n "${ARCHS:-}" ]; then make_args+=(ARCHS="$ARCHS"); fi
make "${make_args[@]}"
echo "run_all.sh: built $bin (wgmma kernels: $([ $sm90a = 1 ] && echo sm_90a || echo 'not built'))"
if [ "$build_only" = 1 ]; then exit 0; fi
fi

# Read-only facts for the dataset's conditions (nvidia-smi only queries here).
smi=""
if command -v nvidia-smi >/dev/null 2>&1; then
  q=name,driver_version,pstate,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem,power.draw,power.limit,power.default_limit,temperature.gpu,persistence_mode,ecc.mode.current,compute_mode
  smi=$(nvidia-smi -i "${CUDA_VISIBLE_DEVICES:-0}" --query-gpu=$q --format=csv,noheader 2>/dev/null) || {
    q=name,driver_version,pstate,clocks.sm,clocks.mem,power.limit,temperature.gpu
    smi=$(nvidia-smi --query-gpu=$q --format=csv,noheader 2>/dev/null | head -1 || true)
  }
  if [ -n "$smi" ]; then smi="nvidia-smi before the run ($q): $smi"; fi
fi
if [ -z "$config" ]; then
  name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)
  case "$name" in
    *H100*) config=h100 ;; *H200*) config=h200 ;; *H800*) config=h800 ;;
    *A100*) config=a100 ;; *V100*) config=v100 ;; *L40*) config=l40 ;;
    *) config=$(echo "${name:-gpu}" | awk '{print tolower($NF)}') ;;
  esac
fi
if [ -z "$out" ]; then out="$repo/validation/datasets/measured-$config.json"; fi
mkdir -p "$(dirname "$out")"
args=(--out "$out" --config "$config")
if [ "$quick" = 1 ]; then args+=(--quick); fi
if [ -n "$smi" ]; then args+=(--note "$smi"); fi
echo "run_all.sh: running $bin ${args[*]} ${extra[*]:-}"
exec "$bin" "${args[@]}" "${extra[@]}"
