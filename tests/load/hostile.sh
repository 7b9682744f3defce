#!/usr/bin/env bash
# Hostile clients against the release binary, on loopback only, each figure
# printed: idle sockets from one address (127.0.0.1) against a sender from
# another (127.0.0.2), over HTTP and syslog TCP; an idle syslog connection's
# life; forty gzip bombs of rejected entries at once (answers, peak RSS);
# a relay whose SIEM is down for DOWN seconds (default 30) then back; a
# second process on a locked spool; an empty --authorization; the modes of
# the files written.
#
#   bash tests/load/hostile.sh [DOWN]
set -euo pipefail
cd "$(dirname "$0")/../.."
down=${1:-30}
for tool in curl python3 gzip; do
    command -v "$tool" >/dev/null || { echo "hostile.sh needs $tool (bash tests/e2e/tools.sh installs it)"; exit 2; }
done
cargo build --quiet --release --features cli --bin cef
cef="$PWD/${CARGO_TARGET_DIR:-target}/release/cef"
dir=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
"$cef" keygen --out k 2>/dev/null
python3 -c '
for i in range(100):
    print("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1750280466889 trace_id=%d" % i)' > plain.cef
"$cef" sign --key k.pem plain.cef > signed.cef
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
listening() { for _ in $(seq 200); do grep -q "listening on" "$1" 2>/dev/null && return; sleep 0.05; done; echo "$1: never listened"; exit 1; }
now() { date +%s.%N; }
# Holds N idle connections to PORT from 127.0.0.1 until killed.
hold_idle() {
    python3 -c '
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
time.sleep(3600)' "$1" "$2" &
    pids+=($!)
    sleep 0.5
}

echo "== 1. HTTP: 6 idle sockets from 127.0.0.1 (per-IP cap 4, 8 slots), then a POST from 127.0.0.2"
port=$(free_port)
"$cef" receive --listen "127.0.0.1:$port" --authorization 'Bearer s3cret' --jwks k.jwks.json \
    --out http.cef --rejected http.jsonl --max-connections 8 --max-connections-per-ip 4 2> http.log &
pids+=($!); listening http.log
hold_idle "$port" 6
start=$(now)
code=$(curl -sS --interface 127.0.0.2 --max-time 30 -o /dev/null -w '%{http_code}' --data-binary @signed.cef \
    -H 'Authorization: Bearer s3cret' "http://127.0.0.1:$port/")
end=$(now)
python3 -c "print('HTTP from 127.0.0.2: %s in %.3f s (at most 1 s expected)' % ('$code', $end - $start))"

echo "== 2. syslog TCP: 6 idle sockets from 127.0.0.1, then an entry from 127.0.0.2; --idle-timeout 3"
port=$(free_port)
"$cef" receive --listen "syslog+tcp://127.0.0.1:$port" --jwks k.jwks.json --out syslog.cef --rejected syslog.jsonl \
    --max-connections 8 --max-connections-per-ip 4 --idle-timeout 3 2> syslog.log &
pids+=($!); listening syslog.log
hold_idle "$port" 6
start=$(now)
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.2", 0)); s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(("<13>" + open("signed.cef").readline().rstrip("\n") + "\n").encode()); s.close()' "$port"
for _ in $(seq 600); do [ -s syslog.cef ] && break; sleep 0.005; done
end=$(now)
python3 -c "print('syslog from 127.0.0.2: stored in %.3f s (at most 1 s expected)' % ($end - $start))"
life=$(python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.3", 0)); s.connect(("127.0.0.1", int(sys.argv[1]))); start = time.time()
s.settimeout(30); data = s.recv(1)
print("%.1f" % (time.time() - start))' "$port")
echo "an idle syslog connection was closed after $life s (--idle-timeout 3)"

echo "== 3. 40 gzip bombs at once, each 1 MB of rejected lines; --max-memory 32 MiB"
port=$(free_port)
/usr/bin/time -v "$cef" receive --listen "127.0.0.1:$port" --authorization 'Bearer s3cret' --jwks k.jwks.json \
    --out bombs.cef --rejected bombs.jsonl --max-body 1048576 --max-inflated 4194304 --max-entries 50000 \
    --max-memory 33554432 2> bombs.log &
pids+=($!); listening bombs.log
python3 -c 'print(("x" * 399 + "\n") * 2500, end="")' | gzip -c > bomb.gz
start=$(now)
codes=$(for _ in $(seq 40); do
    curl -sS --max-time 30 -o /dev/null -w '%{http_code}\n' --data-binary @bomb.gz \
        -H 'Content-Encoding: gzip' -H 'Authorization: Bearer s3cret' "http://127.0.0.1:$port/" &
done; wait)
end=$(now)
kill -TERM "$(pgrep -P "${pids[-1]}" -x cef)"; wait "${pids[-1]}" || true
rss=$(awk '/Maximum resident/ {print $NF}' bombs.log)
python3 -c "
codes = '''$codes'''.split()
print('answers: %s in %.1f s; peak RSS %.1f MiB (at most 32 + 32 expected)' % (
    ', '.join('%s x%d' % (c, codes.count(c)) for c in sorted(set(codes))), $end - $start, $rss / 1024))"

echo "== 4. a relay whose SIEM is down for $down s, then back"
siem_port=$(free_port); port=$(free_port)
"$cef" relay --listen "127.0.0.1:$port" --authorization 'Bearer konnect' --jwks k.jwks.json --rejected relay.jsonl \
    --endpoint "http://127.0.0.1:$siem_port/" --forward-authorization 'Bearer siem' --spool spool 2> relay.log &
pids+=($!); listening relay.log
code=$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @signed.cef -H 'Authorization: Bearer konnect' \
    "http://127.0.0.1:$port/")
echo "relay answered $code for 100 entries while the SIEM is down"
second=$("$cef" relay --listen 127.0.0.1:0 --authorization x --jwks k.jwks.json --rejected r.jsonl \
    --endpoint "http://127.0.0.1:$siem_port/" --forward-authorization '' --spool spool 2>&1 || echo "exit status $?")
echo "a second relay on the same spool: $(grep -v 'listening on' <<<"$second" | tr '\n' ' ')"
sleep "$down"
start=$(now)
"$cef" receive --listen "127.0.0.1:$siem_port" --authorization 'Bearer siem' --jwks k.jwks.json \
    --out siem.cef --rejected siem.jsonl 2> siem.log &
pids+=($!); listening siem.log
for _ in $(seq 900); do [ "$(wc -l < siem.cef 2>/dev/null || echo 0)" -ge 100 ] && break; sleep 0.1; done
end=$(now)
python3 -c "print('delivered %s of 100 acknowledged entries %.1f s after the SIEM came back, no restart' % ('$(wc -l < siem.cef)', $end - $start))"

echo "== 5. credentials and files"
"$cef" receive --listen 127.0.0.1:0 --authorization '' --jwks k.jwks.json --out o --rejected r 2>/dev/null \
    && echo "--authorization '' was taken" || echo "--authorization '': exit status $?"
echo "modes: $(stat -c '%a %n' http.cef http.jsonl spool/*.log 2>/dev/null | tr '\n' ' ')"
