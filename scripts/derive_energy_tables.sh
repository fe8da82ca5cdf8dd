#!/usr/bin/env bash
# Regenerates models/energy/<generation>.json from models/energy/reference-45nm.json,
# models/energy/scaling.json and models/energy/derive/<generation>.json (energy::derive_table),
# then checks them. Run after editing any of those inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
ninja -C build joulesim_tests
JOULESIM_REGENERATE_ENERGY_TABLES=1 ./build/joulesim_tests --gtest_filter='EnergyDerive.CommittedTablesAreReproducedByTheRule'
./build/joulesim_tests --gtest_filter='Energy*'
