#!/usr/bin/env bash
# Every ```rust block of the README, pasted as a newcomer would: into
# src/main.rs of a fresh binary crate whose Cargo.toml has the README's
# dependency line (pointing at this checkout), then `cargo run`. Fails on
# the first block that does not build or run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root/README.md" "$work" <<'PY'
import pathlib, re, sys
readme = pathlib.Path(sys.argv[1]).read_text()
work = pathlib.Path(sys.argv[2])
dependency = re.search(r'```toml\n\[dependencies\]\n(audit-cef = .*)\n```', readme)
if not dependency:
    sys.exit("README: no ```toml [dependencies] block with the audit-cef line")
blocks = re.findall(r'```rust\n(.*?)```\n', readme, re.S)
if not blocks:
    sys.exit("README: no ```rust block")
for number, block in enumerate(blocks, 1):
    crate = work / f"block{number}"
    (crate / "src").mkdir(parents=True)
    line = dependency.group(1).replace('path = "../audit-cef"', f'path = "{pathlib.Path(sys.argv[1]).parent}"')
    (crate / "Cargo.toml").write_text(
        f'[package]\nname = "readme-block{number}"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n{line}\n')
    (crate / "src" / "main.rs").write_text(block)
print(len(blocks))
PY
count=0
for crate in "$work"/block*; do
    # One target directory for every block: the library is built once.
    CARGO_TARGET_DIR="$work/target" cargo run --quiet --manifest-path "$crate/Cargo.toml" >/dev/null
    count=$((count + 1))
    echo "README block $count: built in a fresh crate and ran"
done
