#!/usr/bin/env bash
# Syslog load figures with syslog-ng's loggen (tests/e2e/tools.sh installs
# syslog-ng-core when missing), ROUNDS rounds of:
#  1. loggen replaying 200,000 RFC 5424 records (octet counting) into
#     `cef receive --listen syslog+tcp://...` until all are verified in
#     --out, in 5 slices of 40,000, each after `cef verify` on 40,000 of
#     the same entries from a file: entries verified per second, both ways
#     (the slices' sums, so that the host's drift falls on both alike);
#  2. into one syslog-ng (a network() TCP source taking LF-terminated RFC
#     5424 records, writing $MSG to a file): loggen replaying the very
#     records `cef send --framing lf` writes (caught once by a TCP sink),
#     then `cef send` of the same already-signed entries, each timed until
#     the file holds them all; once with syslog-ng's default flow-control
#     window and once with a window for a high-rate source.
# Into cef receive loggen sends from 2 connections (-r is per connection)
# so that it is not the bottleneck. Into syslog-ng both loggen and cef send
# use one connection.
#
# Part 1 runs twice. Unpinned, loggen competes with `cef receive` for the
# machine's cores while `cef verify` has them all: loggen spends about 6 us
# of CPU per record (one send per record), so on 2 cores no receiver can
# pass about 0.75x there. Pinned (taskset), loggen gets core 0 of its own,
# standing in for the network and the senders, and `cef receive` and
# `cef verify` each get the same core 1: the same CPU budget for both, which
# is what the ratio is meant to compare. Both figures are printed.
#
# ONLY_PINNED=1 runs the pinned part 1 alone (issue 24's receive target).
#
#   bash tests/load/syslog.sh [ROUNDS]      (default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
bash tests/e2e/tools.sh
cargo build --quiet --release --features cli --bin cef
cef="$PWD/${CARGO_TARGET_DIR:-target}/release/cef"
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
"$cef" keygen --out k 2>/dev/null
python3 - <<'PY'
lines = ["2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|"
         "rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 "
         "principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=%d user_agent=grpc-node-js/1.12.4"
         % (3959872677347089807 + i) for i in range(20000)]
open("plain.cef", "w").write("".join(l + "\n" for l in lines))
PY
"$cef" sign --key k.pem plain.cef > signed.cef
for _ in $(seq 10); do cat signed.cef; done > signed200k.cef
sed 's/^/<110>1 2025-06-18T21:02:37Z relay1 konnect - - - /' signed200k.cef > records.log
total=200000
bytes=$(stat -c %s signed200k.cef)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Until FILE holds N bytes (or 120 s). Its size, not its lines: counting
# the lines of a file growing to 88 MB every 20 ms took a core from the
# process being measured.
wait_bytes() {
    local file=$1 n=$2 deadline=$((SECONDS + 120))
    while [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" -lt "$n" ] && [ $SECONDS -lt $deadline ]; do sleep 0.02; done
}
now() { date +%s.%N; }
# A receive round alternates SLICES times: `cef verify` on SLICE entries
# from a file, then loggen sending as many records into the running
# receiver, timed until --out holds them. The rates are the sums'
# ratios: the host's drift (10-30% within seconds on a shared VM) falls on
# both sides alike instead of on whichever ran in a slow second.
slices=5
slice=$((total / slices))
head -n "$slice" signed200k.cef > slice.cef
slice_bytes=$(stat -c %s slice.cef)
# Seconds `cef verify` takes on slice.cef. PIN: empty, or the core list
# `cef verify` and `cef receive` run on.
verify_seconds() {
    local start end
    start=$(now)
    ${PIN:+taskset -c "$PIN"} "$cef" verify --jwks k.jwks.json slice.cef >/dev/null 2>&1 || true
    end=$(now)
    python3 -c "print($end - $start)"
}
# Prints the time at which FILE first holds BYTES bytes, polling every half
# millisecond (a sleep in a shell loop would add up to its period to every
# slice); on core CORE if given.
size_reached() {
    ${3:+taskset -c "$3"} python3 - "$1" "$2" <<'PY'
import os, sys, time
path, want = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 120
while time.time() < deadline:
    try:
        if os.stat(path).st_size >= want:
            break
    except FileNotFoundError:
        pass
    time.sleep(0.0005)
print("%.6f" % time.time())
PY
}
# 1. loggen into cef receive, alternated with cef verify.
# $1: how the run is described; $2: core list for both cef ends or empty;
# $3: loggen's core (and the poller's) or empty.
receive_round() {
    local label=$1 port start poller v r verify_total=0 receive_total=0 verify_rates="" receive_rates=""
    PIN=$2
    port=$(free_port)
    rm -f out.cef rejected.jsonl
    ${PIN:+taskset -c "$PIN"} "$cef" receive --listen "syslog+tcp://127.0.0.1:$port" --jwks k.jwks.json \
        --out out.cef --rejected rejected.jsonl 2> receive.log &
    pids+=($!)
    for _ in $(seq 100); do grep -q "listening on" receive.log 2>/dev/null && break; sleep 0.05; done
    for n in $(seq "$slices"); do
        v=$(verify_seconds)
        size_reached out.cef $((n * slice_bytes)) "$3" > reached &
        poller=$!
        sleep 0.2 # the poller is polling before loggen starts
        start=$(now)
        ${3:+taskset -c "$3"} loggen -Q -i -S -d -R records.log --active-connections=2 -n $((slice / 2)) \
            -r 1000000 127.0.0.1 "$port" >/dev/null 2>&1
        wait "$poller"
        r=$(python3 -c "print($(cat reached) - $start)")
        verify_total=$(python3 -c "print($verify_total + $v)")
        receive_total=$(python3 -c "print($receive_total + $r)")
        verify_rates="$verify_rates $(python3 -c "print(round($slice / $v))")"
        receive_rates="$receive_rates $(python3 -c "print(round($slice / $r))")"
    done
    kill -TERM "${pids[-1]}"; wait "${pids[-1]}" || true
    PIN=
    # Two connections interleave: the same entries, in some order.
    if ! cmp -s <(sort out.cef) <(sort signed200k.cef); then
        echo "$label: cef receive's --out holds other entries than loggen sent"; exit 1
    fi
    python3 -c "
r = $total / $receive_total; v = $total / $verify_total
print('$label: loggen -> cef receive syslog+tcp: %.0f entries/s verified (%d lines in --out); cef verify %.0f entries/s; %d alternated slices of %d entries: %.2fx'
      % (r, $(wc -l < out.cef), v, $slices, $slice, r / v))
print('  per slice, entries/s: verify$verify_rates; receive$receive_rates')"
}
# What cef send writes, caught by a plain TCP sink: loggen replays these
# very records into syslog-ng, so that both send the same bytes.
port=$(free_port)
python3 - "$port" > sent.log <<'PY' &
import socket, sys
server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
open("sink.ready", "w").close()
conn, _ = server.accept()
while chunk := conn.recv(1 << 20):
    sys.stdout.buffer.write(chunk)
PY
sink=$!
for _ in $(seq 100); do [ -e sink.ready ] && break; sleep 0.05; done
"$cef" send --endpoint "syslog+tcp://127.0.0.1:$port" --framing lf signed200k.cef 2>/dev/null
wait "$sink"
# 2. loggen, then cef send, into the same syslog-ng. $1: how the run is
# described; $2: the network() source's flow-control options.
send_round() {
    local label=$1 port start end loggen_rate
    port=$(free_port)
    cat > syslog-ng.conf <<CONF
@version: 3.38
options { chain-hostnames(no); keep-hostname(yes); log-msg-size(65536); use-dns(no); };
source s_net { network(ip(127.0.0.1) port($port) transport("tcp") flags(syslog-protocol) log-msg-size(65536) $2); };
destination d_msg { file("$dir/msg.log" template("\${MSG}\n") template-escape(no)); };
log { source(s_net); destination(d_msg); flags(flow-control); };
CONF
    rm -f msg.log
    syslog-ng -F --no-caps -f syslog-ng.conf -R "$dir/persist" -p "$dir/pid" -c "$dir/ctl" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
    start=$(now)
    # One connection, as cef send uses.
    loggen -Q -i -S -d -R sent.log -n "$total" -r 10000000 127.0.0.1 "$port" >/dev/null 2>&1
    wait_bytes msg.log "$bytes"
    end=$(now)
    loggen_rate=$(python3 -c "print($total / ($end - $start))")
    start=$(now)
    "$cef" send --endpoint "syslog+tcp://127.0.0.1:$port" --framing lf signed200k.cef 2>/dev/null
    wait_bytes msg.log $((2 * bytes))
    end=$(now)
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
    python3 -c "
s = $total / ($end - $start); l = $loggen_rate
print('$label: into syslog-ng over TCP: loggen %.0f, cef send %.0f entries/s: %.2fx (%d lines of \$MSG)' % (l, s, s / l, $(wc -l < msg.log)))"
    if [ "$(head -n "$total" msg.log | cmp - signed200k.cef && echo same)" != same ] ||
        [ "$(tail -n "$total" msg.log | cmp - signed200k.cef && echo same)" != same ]; then
        echo "$label: the entries did not arrive byte for byte"; exit 1
    fi
}
for round in $(seq 1 "$rounds"); do
    [ -n "${ONLY_PINNED:-}" ] || receive_round "round $round, unpinned" "" ""
    receive_round "round $round, pinned (loggen core 0; cef receive, cef verify core 1)" 1 0
    # syslog-ng's default window (log-iw-size 100, split over the
    # connections allowed) lets a few records per connection be in flight:
    # then syslog-ng itself is the bottleneck, the more so for large writes.
    [ -n "${ONLY_PINNED:-}" ] || send_round "round $round, syslog-ng default window" "max-connections(16)"
    # A window for a high-rate source, as a collector taking one would set.
    [ -n "${ONLY_PINNED:-}" ] || send_round "round $round, syslog-ng tuned for throughput" \
        "max-connections(2) log-iw-size(20000) log-fetch-limit(1000)"
done
