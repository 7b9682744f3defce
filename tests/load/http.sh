#!/usr/bin/env bash
# Load test of `cef receive` with wrk (Debian's package, installed when
# missing): 16 connections POST gzipped batches of 100 signed entries; the
# entries verified per second are set beside `cef verify` on the same
# 20,000 entries from a file, and the receiver's peak memory (GNU time's
# maximum resident set size) is printed.
#
# A round alternates, SECONDS/2 times: `cef verify` on the 20,000 entries
# (twice), then 2 s of wrk against the running receiver. The rates are the
# sums' ratios, so the host's drift (10-30% within seconds on a shared VM)
# falls on both sides alike. wrk counts answered requests only: the ones
# still in flight when a slice ends count against `cef receive` (about
# 0.5% of a slice).
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
slices=$(( seconds / 2 > 0 ? seconds / 2 : 1 ))
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
# Seconds `cef verify` takes on the 20,000 entries, twice.
verify_seconds() {
    local start end
    start=$(date +%s.%N)
    for _ in 1 2; do on_cef "$cef" verify --jwks k.jwks.json signed.cef >/dev/null 2>&1; done
    end=$(date +%s.%N)
    python3 -c "print($end - $start)"
}
port=$(free_port)
for round in $(seq 1 "$rounds"); do
    rm -f out.cef rejected.jsonl
    on_cef /usr/bin/time -v "$cef" receive --listen "127.0.0.1:$port" --authorization 'Bearer load' \
        --jwks k.jwks.json --out out.cef --rejected rejected.jsonl 2> receive.log &
    pid=$!
    for _ in $(seq 100); do grep -q "listening on" receive.log 2>/dev/null && break; sleep 0.05; done
    verify_total=0 requests=0 load_total=0 verify_rates="" receive_rates=""
    for _ in $(seq "$slices"); do
        v=$(verify_seconds)
        # "  1344 requests in 2.00s, 181.12KB read"
        read -r n d < <(on_load wrk -t1 -c16 -d2s -s post.lua "http://127.0.0.1:$port/" \
            | awk '/requests in/ {sub(/s,$/, "", $4); print $1, $4}')
        verify_total=$(python3 -c "print($verify_total + $v)")
        requests=$((requests + n))
        load_total=$(python3 -c "print($load_total + $d)")
        verify_rates="$verify_rates $(python3 -c "print(round(40000 / $v))")"
        receive_rates="$receive_rates $(python3 -c "print(round($n * 100 / $d))")"
    done
    kill -TERM "$(pgrep -x cef -P "$(pgrep -P "$pid" -x time || echo "$pid")")" 2>/dev/null \
        || kill -TERM "$(pgrep -P "$pid" -x cef)" 2>/dev/null || true
    wait "$pid" || true
    pid=""
    stored=$(grep -o "[0-9]* entries verified" receive.log | cut -d' ' -f1)
    rejected=$(grep -o "verified, [0-9]* rejected" receive.log | grep -o "[0-9]*")
    rss=$(awk '/Maximum resident/ {print $NF}' receive.log)
    python3 -c "
receive = $requests * 100 / $load_total; verify = 40000 * $slices / $verify_total
print('round $round ($placement): cef verify %d entries/s; cef receive %.0f entries/s (%s verified, %s rejected, %d lines in --out); %d alternated slices: %.2fx; receive peak RSS %.1f MiB'
      % (verify, receive, '$stored', '$rejected', $(wc -l < out.cef), $slices, receive / verify, $rss / 1024))
print('  per slice, entries/s: verify$verify_rates; receive$receive_rates')"
done
