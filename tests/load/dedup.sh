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
pin_load=${PIN_LOAD-0}
pin_cef=${PIN_CEF-1}
on_load() { if [ -n "$pin_load" ]; then taskset -c "$pin_load" "$@"; else "$@"; fi; }
on_cef() { if [ -n "$pin_cef" ]; then taskset -c "$pin_cef" "$@"; else "$@"; fi; }
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
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
python3 - <<'PY' > plain.cef
import datetime
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for i in range(800000):
    print(now + " konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|"
          "rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 "
          "principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=%d user_agent=grpc-node-js/1.12.4"
          % (3959872677347089807 + i))
PY
"$cef" sign --key k.pem plain.cef > signed.cef
mkdir b && split -l 100 -d -a 4 signed.cef b/
for f in b/*; do gzip -c "$f" > "$f.gz"; done
cat > post.lua <<'LUA'
-- POST the 8,000 gzipped batches in turn.
local bodies, i = {}, 0
for n = 0, 7999 do
  local f = io.open(string.format("b/%04d.gz", n), "rb")
  if f then bodies[#bodies + 1] = f:read("*all"); f:close() end
end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer load"
wrk.headers["Content-Encoding"] = "gzip"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/", nil, bodies[i])
end
LUA
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
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
