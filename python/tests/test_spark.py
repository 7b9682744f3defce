"""examples/python/spark_verify.py in Spark's local mode on a small archive:
per-file counts of verified and rejected entries equal those of
Verifier.verify on each line, across plain, gzipped and nested files, three
formats, two trusted keys and one unknown key."""

import gzip
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import audit_cef
from conftest import event

JOB = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "spark_verify.py"
REQUIRED = os.environ.get("AUDIT_CEF_REQUIRE_SPARK") == "1"


def need(condition: bool, why: str):
    if not condition:
        if REQUIRED:
            pytest.fail(why + " (AUDIT_CEF_REQUIRE_SPARK=1)")
        pytest.skip(why)


def write_archive(root: pathlib.Path):
    a = audit_cef.Signer.from_seed(bytes([1]) * 32)
    b = audit_cef.Signer.from_seed(bytes([2]) * 32)
    unknown = audit_cef.Signer.from_seed(bytes([3]) * 32)
    (root / "keys.jwks.json").write_text((a.keyset() + b.keyset()).to_jwks())
    archive = root / "archive"
    (archive / "2025" / "06").mkdir(parents=True)
    files = {}
    lines = [event(i).sign(a if i % 4 else b, "cef") for i in range(120)]
    for i in range(0, 120, 17):
        lines[i] = lines[i].replace("pytest/1", "pytest/2")  # tampered
    files[archive / "konnect-cef.log"] = lines
    lines = [event(i).sign([a, b, unknown][i % 3], ["json", "cps"][i % 2]) for i in range(90)]
    files[archive / "2025" / "06" / "konnect-json.jsonl.gz"] = lines
    lines = [event(i).sign(a) for i in range(40)]
    lines[5] = ""  # an empty line
    lines[6] = event(6).render()  # unsigned
    lines[7] = lines[8] + " x=1"  # data after the signature
    files[archive / "2025" / "mixed.cef"] = lines
    for path, lines in files.items():
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return archive, files


def expected_counts(jwks: str, files) -> dict:
    verifier = audit_cef.Verifier(audit_cef.KeySet.from_jwks(jwks))
    counts = {}
    for path, lines in files.items():
        verified, kinds = 0, {}
        for line in lines:
            try:
                verifier.verify(line)
                verified += 1
            except audit_cef.Error as err:
                kinds[err.kind] = kinds.get(err.kind, 0) + 1
        counts[path.name] = {"entries": len(lines), "verified": verified, "rejected": len(lines) - verified,
                             "rejected_by_kind": kinds}
    return counts


def test_spark_job_counts_per_file_in_local_mode(tmp_path):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        need(False, "pyspark is not installed")
    need(shutil.which("java") is not None, "no java on PATH for Spark")
    archive, files = write_archive(tmp_path)
    out = tmp_path / "counts"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    run = subprocess.run(
        [sys.executable, str(JOB), "--jwks", str(tmp_path / "keys.jwks.json"), "--input", str(archive),
         "--output", str(out), "--master", "local[2]", "--chunk", "16"],
        env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr  # some entries were rejected
    got = {}
    for part in out.glob("part-*.json"):
        for text in part.read_text().splitlines():
            row = json.loads(text)
            name = row.pop("file").rsplit("/", 1)[-1]
            row["rejected_by_kind"] = json.loads(row["rejected_by_kind"])
            got[name] = row
    want = expected_counts((tmp_path / "keys.jwks.json").read_text(), files)
    assert got == want
    assert sum(c["verified"] for c in want.values()) > 150 and sum(c["rejected"] for c in want.values()) > 30
    assert {"no_key_matches", "unsigned", "data_after_signature"} <= {
        k for c in want.values() for k in c["rejected_by_kind"]}
    assert "250 entries" in run.stdout and "entries/s" in run.stdout


def test_make_archive_writes_entries_that_verify(tmp_path):
    tool = JOB.parent / "make_archive.py"
    run = subprocess.run([sys.executable, str(tool), "--entries", "31", "--files", "3", "--out", str(tmp_path / "a"),
                          "--jwks", str(tmp_path / "k.json")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    verifier = audit_cef.Verifier(audit_cef.KeySet.from_jwks((tmp_path / "k.json").read_text()))
    lines = [line for path in sorted((tmp_path / "a").iterdir()) for line in path.read_text().splitlines()]
    assert len(lines) == 31 and len(list((tmp_path / "a").iterdir())) == 3
    results = verifier.verify_batch(lines)
    assert not [r for r in results if isinstance(r, audit_cef.Error)]
    assert {r.event.family for r in results} == {"authorization", "authentication", "access"}
