#!/usr/bin/env bash
# Bounded load measurement on loopback (docs/perf.md, "Gateway under load"):
# a trivial upstream, tc3-gateway in front of it, then tc3-loadgen with a fixed count and
# concurrency against the upstream directly and through the gateway (TC3 and legacy), and the
# verifying layer's own CPU time per request. Usage: bash tc3-tower/scripts/load.sh [COUNT] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
COUNT=${1:-20000}
CONC=${2:-32}
OUT="$ROOT/target/load"
rm -rf "$OUT"; mkdir -p "$OUT"
cargo build --release --quiet -p tc3-tower --bins
LG="$ROOT/target/release/tc3-loadgen"
GW="$ROOT/target/release/tc3-gateway"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
wait_for() {
  for _ in $(seq 1 100); do
    v=$(sed -n 's/^listening on //p' "$1" | head -n 1); [ -n "$v" ] && { echo "$v"; return 0; }; sleep 0.1
  done; return 1
}

"$LG" upstream --listen 127.0.0.1:0 >"$OUT/upstream.out" 2>&1 &
PIDS+=($!)
UP=$(wait_for "$OUT/upstream.out")
printf '{"AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE": "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"}' >"$OUT/KEYS.json"
"$GW" --listen 127.0.0.1:0 --upstream "http://$UP" --keys "$OUT/KEYS.json" >"$OUT/gateway.out" 2>"$OUT/gateway.log" &
GW_PID=$!; PIDS+=("$GW_PID")
GA=$(wait_for "$OUT/gateway.out")
echo "upstream $UP, gateway $GA; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== warm-up"
"$LG" run --target "$GA" --count 2000 --concurrency "$CONC" >/dev/null
echo "== upstream directly"
"$LG" run --target "$UP" --count "$COUNT" --concurrency "$CONC"
echo "== through tc3-gateway, TC3-HMAC-SHA256"
"$LG" run --target "$GA" --count "$COUNT" --concurrency "$CONC" --sign tc3 --pid "$GW_PID"
echo "== through tc3-gateway, HmacSHA256 (legacy, replay store in memory)"
"$LG" run --target "$GA" --count "$COUNT" --concurrency "$CONC" --sign legacy --pid "$GW_PID"
echo "== the verifying layer alone (one thread)"
"$LG" verify-cost --count "$COUNT" --sign tc3
"$LG" verify-cost --count "$COUNT" --sign legacy
lines=$(grep -c -- ' -> ' "$OUT/gateway.log" || true)
echo "gateway log: $lines request lines (expected $((COUNT * 2 + 2000)))"
echo "load average after $(cut -d' ' -f1-3 /proc/loadavg)"
