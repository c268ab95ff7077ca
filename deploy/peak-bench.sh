#!/bin/sh
# The peak-night benchmark in one command: builds the release server and the benchmark, then
# runs tests/src/bin/peak (pgbench ceiling, Lendline's ceiling, half capacity, 3x and 5x
# overload, CPU and RSS, integrity). Pass --quick for ~10 s phases; other flags are described
# at the top of tests/src/bin/peak/main.rs. Run it on a machine with nothing else to do.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p api -p lendline-tests --bin lendline --bin peak
# Open-loop load at 5x keeps many connections open at once.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec target/release/peak "$@"
