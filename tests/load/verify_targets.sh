#!/usr/bin/env bash
# Issue 24's verification targets, each over ROUNDS alternated runs of
# `cef verify` on 20,000 of Kong's documented entries (wall time, the
# command and its reference run one after the other in every round):
#   tampered  1 entry in 64 altered after signing, against the clean file
#             (one key; core PIN_CEF);
#   rotation  10,000 entries under one key then 10,000 under another (a key
#             rotation, a two-key JWKS), against the clean file under the
#             same JWKS (core PIN_CEF);
#   cores     the clean file on every core, against --threads 1 (cores
#             PIN_ALL); printed as the speed-up.
#
#   bash tests/load/verify_targets.sh [ROUNDS]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
source tests/load/common.sh
pin_all=${PIN_ALL-0,1}
cargo build --quiet --release --features cli --bin cef
cef="$PWD/${CARGO_TARGET_DIR:-target}/release/cef"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$cef" keygen --out a 2>/dev/null
"$cef" keygen --out b 2>/dev/null
konnect_entries 20000 > plain.cef
"$cef" sign --key a.pem plain.cef > clean.cef
head -n 10000 plain.cef | "$cef" sign --key a.pem > rotation.cef
tail -n 10000 plain.cef | "$cef" sign --key b.pem >> rotation.cef
python3 - <<'PY'
import json
lines = open("clean.cef").read().splitlines()
# Alter one value byte after signing in every 64th entry.
for at in range(32, len(lines), 64):
    lines[at] = lines[at].replace("action=list", "action=lisT", 1)
open("tampered.cef", "w").write("".join(line + "\n" for line in lines))
keys = json.load(open("a.jwks.json"))["keys"] + json.load(open("b.jwks.json"))["keys"]
json.dump({"keys": keys}, open("ab.jwks.json", "w"))
PY
CEF="$cef" ROUNDS="$rounds" PIN_ONE="${pin_cef:-0}" PIN_ALL="$pin_all" python3 - <<'PY'
import os, statistics, subprocess, time
cef, rounds = os.environ["CEF"], int(os.environ["ROUNDS"])
def run(cpus, *args):
    start = time.perf_counter()
    done = subprocess.run(["taskset", "-c", cpus, cef, "verify", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode
one, every = os.environ["PIN_ONE"], os.environ["PIN_ALL"]
cases = [
    ("tampered 1 in 64 / clean (target <= 1.3)", (one, "--jwks", "a.jwks.json", "tampered.cef"), (one, "--jwks", "a.jwks.json", "clean.cef"), 1, False),
    ("rotation 10,000 + 10,000 / clean (target <= 1.1)", (one, "--jwks", "ab.jwks.json", "rotation.cef"), (one, "--jwks", "ab.jwks.json", "clean.cef"), 0, False),
    ("all cores vs one, speed-up (target >= 1.7)", (every, "--jwks", "a.jwks.json", "clean.cef"), (every, "--threads", "1", "--jwks", "a.jwks.json", "clean.cef"), 0, True),
]
for name, command, reference, status, speedup in cases:
    run(*command); run(*reference)  # warm-up
    ratios = []
    for _ in range(rounds):
        a, code = run(*command)
        assert code == status, f"{name}: exit status {code}"
        b, _ = run(*reference)
        ratios.append(b / a if speedup else a / b)
    print(f"{name}: " + " ".join(f"{r:.2f}" for r in ratios) + f" (median {statistics.median(ratios):.2f})")
PY
