#!/usr/bin/env bash
# What `cef receive --dedup` costs with an index of 10 million entries: the
# index is filled (examples/dedup_sizing.rs, entries over the last 8 days),
# then rounds alternate `cef receive` and `cef receive --dedup` (a fresh
# copy of that index each time) under wrk: 16 connections POST gzipped
# batches of 100 signed entries (800,000 distinct entries, so nearly every
# one is new to the index) for SECONDS. It prints each round's entries per
# second, the ratio, and the --dedup receiver's peak memory (GNU time).
#
# Pinned like http.sh: wrk on core PIN_LOAD (0), cef on core PIN_CEF (1).
#
#   bash tests/load/dedup.sh [ROUNDS] [SECONDS] [ENTRIES_IN_INDEX]
#   (defaults: 3 rounds of 10 s, 10,000,000)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
seconds=${2:-10}
indexed=${3:-10000000}
source tests/load/common.sh
install_load_tools
cargo build --quiet --release --features cli --bin cef
cargo build --quiet --release --features receive --example dedup_sizing
target="$PWD/${CARGO_TARGET_DIR:-target}/release"
cef="$target/cef"
dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
"$target/examples/dedup_sizing" index.full "$indexed"
"$cef" keygen --out k 2>/dev/null
# Entries dated now, as Konnect's are (within the days the index keeps).
konnect_entries 800000 now > plain.cef
"$cef" sign --key k.pem plain.cef > signed.cef
gzipped_batches 4
port=$(free_port)
# One round of one receiver: entries per second; its log in receive.log.
round() {
    rm -rf out.cef rejected.jsonl index
    cp -r index.full index
    on_cef /usr/bin/time -v "$cef" receive --listen "127.0.0.1:$port" --authorization 'Bearer load' \
        --jwks k.jwks.json --out out.cef --rejected rejected.jsonl --quiet "$@" 2> receive.log &
    pid=$!
    for _ in $(seq 200); do grep -q "listening on" receive.log 2>/dev/null && break; sleep 0.05; done
    sleep 1
    local rps
    rps=$(on_load wrk -t1 -c16 -d"${seconds}s" -s post.lua "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}')
    # $pid is the subshell of on_cef; cef runs under GNU time below it.
    pkill -TERM -x cef -P "$(pgrep -P "$pid" -x time || echo "$pid")" 2>/dev/null \
        || pkill -TERM -x cef -P "$pid" 2>/dev/null || true
    wait "$pid" || true
    pid=""
    python3 -c "print(round($rps * 100))"
}
for number in $(seq 1 "$rounds"); do
    plain=$(round)
    dedup=$(round --dedup --dedup-index index)
    rss=$(awk '/Maximum resident/ {print $NF}' receive.log)
    duplicates=$(grep -o "[0-9]* verified entries were duplicates" receive.log | cut -d' ' -f1 || true)
    python3 -c "
print('round $number (pinned: wrk on core ${pin_load:-any}, cef on core ${pin_cef:-any}): cef receive %d entries/s, --dedup with %d indexed %d entries/s: %.3fx; --dedup peak RSS %.1f MiB; duplicates %s'
      % ($plain, $indexed, $dedup, $dedup / $plain, $rss / 1024, '${duplicates:-0}'))"
done
