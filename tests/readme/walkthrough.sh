#!/usr/bin/env bash
# The README's walk-through, run as written: every ```sh block not marked
# `not-run`, in order, in one bash session (so `cd` and background jobs
# carry over) inside a copy of the checkout's examples/data/, with the
# freshly built `cef` first on PATH. Each `#> PATTERN` line of a block is an
# output line expected from that block (stdout and stderr), `...` standing
# for anything. Fails on a command that fails or an expected line missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --quiet --manifest-path "$root/Cargo.toml" --features cli --bin cef
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/examples"
cp -r "$root/examples/data" "$work/examples/data"
python3 - "$root/README.md" "$work/script.sh" "$work/expected.json" <<'PY'
import json, re, sys
readme, script, expected = sys.argv[1:]
blocks = re.findall(r'^```sh\n(.*?)^```$', open(readme).read(), re.S | re.M)
with open(script, "w") as out:
    out.write("set -eo pipefail\n")
    for number, block in enumerate(blocks, 1):
        out.write(f'echo "@@ README block {number} @@"\n{block}\n')
json.dump([[line[3:] for line in block.splitlines() if line.startswith("#> ")] for block in blocks],
          open(expected, "w"))
print(f"{len(blocks)} runnable blocks")
PY
cd "$work"
status=0
PATH="$target/debug:$PATH" bash script.sh > output.txt 2>&1 || status=$?
python3 - output.txt expected.json "$status" <<'PY'
import json, re, sys
output, expected, status = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), int(sys.argv[3])
parts = re.split(r'^@@ README block (\d+) @@$', output, flags=re.M)
got = {int(parts[i]): parts[i + 1].splitlines() for i in range(1, len(parts), 2)}
failed = False
for number, patterns in enumerate(expected, 1):
    lines = got.get(number)
    if lines is None:
        print(f"README block {number}: not reached"); failed = True; continue
    for pattern in patterns:
        regex = re.compile("^" + ".*".join(re.escape(piece) for piece in pattern.split("...")) + "$")
        if not any(regex.match(line) for line in lines):
            print(f"README block {number}: no output line matches {pattern!r}"); failed = True
    if not failed:
        print(f"README block {number}: ran, {len(patterns)} expected lines found")
if status != 0:
    last = max(got) if got else 0
    print(f"README block {last}: a command failed (exit status {status}); its output:")
    print("\n".join(got.get(last, [])[-20:])); failed = True
sys.exit(1 if failed else 0)
PY
