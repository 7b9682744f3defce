#!/usr/bin/env bash
# Load test of `cef receive` with wrk (Debian's package, installed when
# missing): 16 connections POST gzipped batches of 100 signed entries for
# SECONDS; the entries verified per second are set beside `cef verify` on the
# same 20,000 entries from a file, run just before and just after, round by
# round, and the receiver's peak memory (GNU time's maximum resident set
# size) is printed.
#
# Pinned by default, so both `cef` ends get the same CPU: wrk on core
# PIN_LOAD (0), `cef receive` and `cef verify` on core PIN_CEF (1); set
# PIN_LOAD= PIN_CEF= (empty) to run unpinned.
#
#   bash tests/load/http.sh [ROUNDS] [SECONDS]     (defaults: 3 rounds of 10 s)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
seconds=${2:-10}
source tests/load/common.sh
if [ -n "$pin_cef" ]; then placement="pinned: wrk on core ${pin_load:-any}, cef on core $pin_cef"; else placement="unpinned"; fi
install_load_tools
cargo build --quiet --release --features cli --bin cef
cef="$PWD/${CARGO_TARGET_DIR:-target}/release/cef"
dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
"$cef" keygen --out k 2>/dev/null
konnect_entries 20000 > plain.cef
"$cef" sign --key k.pem plain.cef > signed.cef
gzipped_batches 3
# cef verify on the 20,000 entries, 5 times: entries per second.
verify_rate() {
    local start end
    start=$(date +%s.%N)
    for _ in 1 2 3 4 5; do on_cef "$cef" verify --jwks k.jwks.json signed.cef >/dev/null 2>&1; done
    end=$(date +%s.%N)
    python3 -c "print(round(100000 / ($end - $start)))"
}
port=$(free_port)
for round in $(seq 1 "$rounds"); do
    before=$(verify_rate)
    rm -f out.cef rejected.jsonl
    on_cef /usr/bin/time -v "$cef" receive --listen "127.0.0.1:$port" --authorization 'Bearer load' \
        --jwks k.jwks.json --out out.cef --rejected rejected.jsonl 2> receive.log &
    pid=$!
    for _ in $(seq 100); do grep -q "listening on" receive.log 2>/dev/null && break; sleep 0.05; done
    rps=$(on_load wrk -t1 -c16 -d"${seconds}s" -s post.lua "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}')
    kill -TERM "$(pgrep -x cef -P "$(pgrep -P "$pid" -x time || echo "$pid")")" 2>/dev/null \
        || kill -TERM "$(pgrep -P "$pid" -x cef)" 2>/dev/null || true
    wait "$pid" || true
    pid=""
    after=$(verify_rate)
    stored=$(grep -o "[0-9]* entries verified" receive.log | cut -d' ' -f1)
    rejected=$(grep -o "verified, [0-9]* rejected" receive.log | grep -o "[0-9]*")
    rss=$(awk '/Maximum resident/ {print $NF}' receive.log)
    python3 -c "
receive = $rps * 100; verify = ($before + $after) / 2
print('round $round ($placement): cef verify %d and %d entries/s; cef receive %.0f entries/s (%s verified, %s rejected, %d lines in --out): %.2fx; receive peak RSS %.1f MiB'
      % ($before, $after, receive, '$stored', '$rejected', $(wc -l < out.cef), receive / verify, $rss / 1024))"
done
