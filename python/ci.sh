#!/usr/bin/env bash
# The Python package's gate, run by .ci/run (and by hand, from anywhere):
# a venv; `pip install ./python` as a user types it (pip builds the abi3
# wheel with maturin, the release profile); pytest on python/tests (Spark's
# local mode included: Java must be on PATH, tests/e2e/tools.sh installs it);
# the README's Python example run exactly as written; a short run of the
# benchmark script, so that it keeps working (its figures are not checked).
#
# AUDIT_CEF_VENV picks the venv (default python/.venv, kept between runs);
# CARGO_TARGET_DIR the Rust target directory (default: the repository's
# target/, shared with the other builds of .ci/run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="${AUDIT_CEF_VENV:-$root/python/.venv}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
start=$SECONDS

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q -r python/requirements-dev.txt
echo "python/ci.sh: test requirements installed in $venv ($((SECONDS - start)) s)"

"$venv/bin/python" -m pip install -q ./python
"$venv/bin/python" -c 'import audit_cef, sys; print("python/ci.sh: audit_cef", audit_cef.__version__, "installed for Python", sys.version.split()[0])'
echo "python/ci.sh: package built and installed ($((SECONDS - start)) s)"

# From the repository root, so that `import audit_cef` is the installed
# package, not python/audit_cef without its compiled module.
AUDIT_CEF_REQUIRE_SPARK=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests

# The README's Python example, exactly as written, in an empty directory.
example=$(mktemp -d)
trap 'rm -rf "$example"' EXIT
"$venv/bin/python" - "$root/README.md" "$example/example.py" <<'PY'
import pathlib, re, sys
readme = pathlib.Path(sys.argv[1]).read_text()
section = readme.split("\n## Python\n", 1)
if len(section) != 2:
    sys.exit("README: no '## Python' section")
blocks = re.findall(r"^```python\n(.*?)^```$", section[1].split("\n## ", 1)[0], re.S | re.M)
if len(blocks) != 1:
    sys.exit(f"README: expected one ```python block in the Python section, found {len(blocks)}")
pathlib.Path(sys.argv[2]).write_text(blocks[0])
PY
(cd "$example" && "$venv/bin/python" example.py >/dev/null)
echo "python/ci.sh: the README's Python example ran as written"

"$venv/bin/python" python/bench.py --entries 300 --passes 1
echo "python/ci.sh: all Python checks passed in $((SECONDS - start)) s"
