#!/usr/bin/env bash
# regionsim against SimPy on the same M/M/c model, in pairs: each regionsim run is followed by a
# SimPy run, so both see the same load from the machine's neighbours. Prints each pair's
# customers/s and their ratio, and the ratio of `regionsim bench`'s engine-alone model (the
# engine with the script's own bookkeeping). Needs a release build and `pip install simpy`.
# Usage: benches/peers/paired.sh [pairs (default 8)] [customers (default 1000000)] [scale (default 1)]
# With scale k, regionsim runs k times as many customers as SimPy (customers/s does not depend on
# the count: the queue, histograms and timeline keep their size). A 1 M-customer regionsim run
# lasts 0.2 s against SimPy's 15 s, so on a noisy host it catches a quiet or a busy moment
# where SimPy sees the average; with scale 20 both runs last seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
pairs="${1:-8}"
customers="${2:-1000000}"
scale="${3:-1}"
for i in $(seq 1 "$pairs"); do
  out=$(./target/release/regionsim bench --customers "$((customers * scale))" --experiment tests/fixtures/tiny-charts.ron)
  per_s() { awk -v pat="$1" '$0 ~ pat { for (i = 1; i <= NF; i++) if ($i == "requests/s") print $(i - 2) * 1e6 }'; }
  r=$(echo "$out" | per_s '^M/M/c')
  e=$(echo "$out" | per_s '^engine alone')
  s=$(python3 benches/peers/simpy_mmc.py --customers "$customers" \
      | awk '/^customers\/s/ { gsub(",", "", $2); print $2 }')
  awk -v i="$i" -v r="$r" -v e="$e" -v s="$s" \
    'BEGIN { printf "pair %d: regionsim %.0f, SimPy %.0f customers/s: %.1fx (engine alone %.0f: %.1fx)\n", i, r, s, r / s, e, e / s }'
done
