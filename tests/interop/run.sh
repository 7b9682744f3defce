#!/usr/bin/env bash
# Ed25519 interoperability of the `cef` tool with another implementation,
# Python's `cryptography` (pinned in requirements.txt): signatures made by
# `cef sign` verify there, and signatures made there verify with `cef verify`.
# See ed25519_interop.py for the checks. Exits non-zero on any mismatch.
set -euo pipefail
cd "$(dirname "$0")/../.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
python3 -m pip install -q -r tests/interop/requirements.txt

cargo build --quiet --features cli --bin cef
cef="${CARGO_TARGET_DIR:-target}/debug/cef"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tests/interop/ed25519_interop.py --cef "$cef" --dir "$tmp"
