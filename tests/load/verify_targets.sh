#!/usr/bin/env bash
# Issue 24's verification targets, each over ROUNDS alternated runs of
# `cef verify` on Kong's documented entries (wall time, the command and its
# reference run one after the other in every round):
#   tampered  1 entry in 64 altered after signing, against the clean file
#             (one key; core PIN_CEF): every 64th entry (at 32, 96, ...),
#             then one at a random place in each 64 (seeded);
#   rotation  10,000 entries under one key then 10,000 under another (a key
#             rotation, a two-key JWKS), against the clean file's first
#             20,000 under the same JWKS (core PIN_CEF);
#   cores     the clean file on every core, against --threads 1 (cores
#             PIN_ALL); printed as the speed-up.
# The tampered and cores files hold ENTRIES entries (100,000 by default:
# runs of about a second, so a pause of the host of a few milliseconds
# does not decide a run). A round runs each side PAIRS times (3 by
# default), alternated ABBA..., and compares the sums: on this VM the host
# moves single runs by 10-15% within seconds. The rotation's runs are a
# fifth as long (20,000 entries), so its rounds take five times as many
# (ENTRIES / 20,000): every round then spans about the same time. A round
# visibly disturbed by the host (either of its two sums more than 15% off
# that side's median) is run again once, and both figures are printed.
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
konnect_entries "${ENTRIES:-100000}" > plain.cef
"$cef" sign --key a.pem plain.cef > clean.cef
head -n 20000 clean.cef > clean20k.cef
head -n 10000 plain.cef | "$cef" sign --key a.pem > rotation.cef
head -n 20000 plain.cef | tail -n 10000 | "$cef" sign --key b.pem >> rotation.cef
python3 - <<'PY'
import json, random
clean = open("clean.cef").read().splitlines()
def tampered(name, place):
    # Alter one value byte after signing in one entry of every 64.
    lines = list(clean)
    for block in range(0, len(lines), 64):
        at = block + place()
        if at < len(lines):
            lines[at] = lines[at].replace("action=list", "action=lisT", 1)
    open(name, "w").write("".join(line + "\n" for line in lines))
tampered("tampered.cef", lambda: 32)
chance = random.Random(64)
tampered("tampered-random.cef", lambda: chance.randrange(64))
keys = json.load(open("a.jwks.json"))["keys"] + json.load(open("b.jwks.json"))["keys"]
json.dump({"keys": keys}, open("ab.jwks.json", "w"))
PY
CEF="$cef" ROUNDS="$rounds" PAIRS="${PAIRS:-3}" ENTRIES="${ENTRIES:-100000}" PIN_ONE="${pin_cef:-0}" PIN_ALL="$pin_all" python3 - <<'PY'
import os, statistics, subprocess, time
cef, rounds = os.environ["CEF"], int(os.environ["ROUNDS"])
pairs_per_round = int(os.environ["PAIRS"])
# The rotation's files hold 20,000 entries, the others ENTRIES.
rotation_runs = max(1, int(os.environ["ENTRIES"]) // 20000)
def run(cpus, *args):
    start = time.perf_counter()
    done = subprocess.run(["taskset", "-c", cpus, cef, "verify", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode
one, every = os.environ["PIN_ONE"], os.environ["PIN_ALL"]
cases = [
    ("tampered 1 in 64, every 64th / clean (target <= 1.3)", (one, "--jwks", "a.jwks.json", "tampered.cef"), (one, "--jwks", "a.jwks.json", "clean.cef"), 1, False, 1),
    ("tampered 1 in 64, random place / clean (target <= 1.3)", (one, "--jwks", "a.jwks.json", "tampered-random.cef"), (one, "--jwks", "a.jwks.json", "clean.cef"), 1, False, 1),
    ("rotation 10,000 + 10,000 / clean (target <= 1.1)", (one, "--jwks", "ab.jwks.json", "rotation.cef"), (one, "--jwks", "ab.jwks.json", "clean20k.cef"), 0, False, rotation_runs),
    ("all cores vs one, speed-up (target >= 1.7)", (every, "--jwks", "a.jwks.json", "clean.cef"), (every, "--threads", "1", "--jwks", "a.jwks.json", "clean.cef"), 0, True, 1),
]
for name, command, reference, status, speedup, runs_each in cases:
    run(*command); run(*reference)  # warm-up
    def pair():
        # PAIRS runs of each side, in the order ABBA...: a round's two
        # times are sums, and a drift of the host within it falls on both.
        a = b = 0.0
        for k in range(pairs_per_round * runs_each):
            for side in ("ab" if k % 2 == 0 else "ba"):
                if side == "a":
                    elapsed, code = run(*command)
                    assert code == status, f"{name}: exit status {code}"
                    a += elapsed
                else:
                    b += run(*reference)[0]
        return a, b
    pairs = [pair() for _ in range(rounds)]
    ratio = lambda a, b: b / a if speedup else a / b
    typical = [statistics.median(side) for side in zip(*pairs)]
    shown = []
    for a, b in pairs:
        if any(abs(t / m - 1) > 0.15 for t, m in zip((a, b), typical)):
            again = pair()
            shown.append(f"{ratio(a, b):.2f} (disturbed: {a:.3f}s/{b:.3f}s; rerun {ratio(*again):.2f})")
            a, b = again
        else:
            shown.append(f"{ratio(a, b):.2f}")
    print(f"{name}: " + ", ".join(shown))
PY
