#!/usr/bin/env bash
# Issue 24's floor ratios over RUNS runs of `cargo bench --bench floors`,
# pinned to core PIN_CEF (1): per run, each of the crate's figures against
# its floor measured in the same run (criterion's median estimate), then
# the median of each ratio over the runs. One run's ratios move with the
# host by 10% or more (the floor and the crate are timed seconds apart),
# hence several runs and their medians.
#
#   bash tests/load/floors.sh [RUNS]      (default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
source tests/load/common.sh
log=$(mktemp)
trap 'rm -f "$log" "$log.ratios"' EXIT
for run in $(seq 1 "$runs"); do
    on_cef cargo bench --quiet --bench floors > "$log" 2>&1
    python3 - "$log" "$run" >> "$log.ratios" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
# criterion: "<name>\n   time:   [low unit median unit high unit]" (or on one line).
times = {}
for m in re.finditer(r"(floors/[^\n]*?)\s+time:\s+\[([\d.]+) (\S+) ([\d.]+) (\S+)", text):
    scale = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6}[m.group(5)]
    times[m.group(1).strip()] = float(m.group(4)) * scale
def find(part):
    hits = [value for name, value in times.items() if part in name]
    if len(hits) != 1:
        sys.exit(f"floors.sh: no single figure named like {part!r} in the bench output")
    return hits[0]
writer, parser = find("hand-tuned writer"), find("zero-copy memchr parser")
ratios = {
    "prebuilt": find("render prebuilt") / writer,
    "build": find("build in place + render") / writer,
    "parse": find("parse, every pair touched") / parser,
}
print("run %s: render prebuilt %.2fx (%.1f vs %.1f ns), build in place + render %.2fx (%.1f ns), "
      "parse %.2fx (%.1f vs %.1f ns)" % (sys.argv[2], ratios["prebuilt"], find("render prebuilt"), writer,
      ratios["build"], find("build in place + render"), ratios["parse"], find("parse, every pair touched"), parser))
print("ratios", ratios["prebuilt"], ratios["build"], ratios["parse"])
PY
    grep "^run $run:" "$log.ratios"
done
python3 - "$log.ratios" <<'PY'
import statistics, sys
rows = [list(map(float, line.split()[1:])) for line in open(sys.argv[1]) if line.startswith("ratios")]
medians = [statistics.median(column) for column in zip(*rows)]
targets = [0.9, 1.0, 0.8]
names = ["render prebuilt / hand-tuned writer", "build in place + render / hand-tuned writer",
         "parse / zero-copy parser"]
for name, median, target, column in zip(names, medians, targets, zip(*rows)):
    print("%s: median %.3fx over %d runs (%s; target at most %.1fx)"
          % (name, median, len(rows), ", ".join("%.3f" % value for value in column), target))
PY
rm -f "$log.ratios"
