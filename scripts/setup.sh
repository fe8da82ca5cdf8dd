#!/usr/bin/env bash
# Installs the Debian packages joulesim needs to build, test and document itself.
# Idempotent: packages already installed are skipped, and apt is not touched when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-iostreams-dev libboost-mpi-dev openmpi-bin libopenmpi-dev
  libeigen3-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev
  liblzma-dev zlib1g-dev xz-utils gzip
  doxygen graphviz clang clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
