"""Re-verify a directory of archived audit entries on Spark with audit_cef.

Every line of every file under INPUT (plain or gzipped: Spark reads both)
is one entry, in CEF, JSON or CPS, told apart by itself, as ``cef verify``
and ``cef receive`` keep them. Each partition builds one
``audit_cef.Verifier`` from the JWKS and verifies its lines a chunk at a
time with ``verify_batch`` (signatures checked in batch equations, the GIL
released); the job writes, per file, how many entries verified and how many
were rejected, with the rejections by kind (``no_key_matches``,
``unsigned``, ...), as JSON lines under OUTPUT.

    python examples/python/spark_verify.py --jwks keys.jwks.json \\
        --input archive/ --output counts/ [--master 'local[*]'] [--chunk 1024]

or with ``spark-submit`` on a cluster (see the README's "Python" section:
every executor needs ``audit_cef`` installed, e.g. a packed venv shipped
with ``--archives``). A line that is empty counts as rejected (kind
``unsigned``), as ``cef verify`` counts it as a failure.
"""

import argparse
import json
import os
import sys
import time


def verify_partition(rows, jwks_text, chunk, entry_format):
    """Per-file (verified, rejected, {kind: count}) of one partition's lines."""
    import audit_cef  # on the executor

    verifier = audit_cef.Verifier(audit_cef.KeySet.from_jwks(jwks_text))
    counts = {}
    entries, files = [], []

    def flush():
        results = verifier.verify_batch(entries, format=entry_format)
        for name, result in zip(files, results):
            count = counts.setdefault(name, [0, 0, {}])
            if isinstance(result, audit_cef.Error):
                count[1] += 1
                count[2][result.kind] = count[2].get(result.kind, 0) + 1
            else:
                count[0] += 1
        entries.clear()
        files.clear()

    for entry, name in rows:
        entries.append(entry)
        files.append(name)
        if len(entries) >= chunk:
            flush()
    if entries:
        flush()
    for name, (verified, rejected, kinds) in counts.items():
        yield name, (verified, rejected, kinds)


def merge(a, b):
    kinds = dict(a[2])
    for kind, n in b[2].items():
        kinds[kind] = kinds.get(kind, 0) + n
    return a[0] + b[0], a[1] + b[1], kinds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jwks", required=True, help="JWKS file with the public keys (Konnect's jwks.json)")
    parser.add_argument("--input", required=True, help="directory (or file, or glob) of archived entries")
    parser.add_argument("--output", required=True, help="directory for the per-file counts (JSON lines)")
    parser.add_argument("--master", help="Spark master, e.g. 'local[*]' (default: spark-submit's, else local[*])")
    parser.add_argument("--chunk", type=int, default=1024, help="entries per verify_batch call (default 1024)")
    parser.add_argument("--format", choices=["cef", "json", "cps"], help="fix the format (default: per entry)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="read and verify N times in one session, timing each pass (to measure Spark warm)")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession
    
    with open(args.jwks, encoding="utf-8") as f:
        jwks_text = f.read()
    import audit_cef  # fail early, on the driver, if the package or the keys are unusable

    keys = audit_cef.KeySet.from_jwks(jwks_text)
    if len(keys) == 0:
        print(f"spark_verify: no usable Ed25519 key in {args.jwks}", file=sys.stderr)
        return 2

    # Local workers run this interpreter (the one with audit_cef) unless told
    # otherwise; on a cluster, spark.pyspark.python / PYSPARK_PYTHON decide.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("audit_cef spark_verify").config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        chunk, entry_format = args.chunk, args.format
        for attempt in range(1, args.repeat + 1):
            started = time.perf_counter()
            # Each line with the file it came from (Spark's hidden metadata column).
            lines = (spark.read.option("recursiveFileLookup", "true").text(args.input)
                     .select("value", "_metadata.file_path"))
            # One row per file: small enough to bring to the driver.
            per_file = sorted(lines.rdd
                              .mapPartitions(lambda rows: verify_partition(rows, jwks_text, chunk, entry_format))
                              .reduceByKey(merge)
                              .collect())
            verified_in = time.perf_counter() - started
            if args.repeat > 1:
                count = sum(v + r for _, (v, r, _) in per_file)
                print(f"spark_verify: pass {attempt}: {count} entries read and verified in {verified_in:.2f} s "
                      f"({count / verified_in:,.0f} entries/s)")
        rows = [(name, v + r, v, r, json.dumps(kinds, sort_keys=True)) for name, (v, r, kinds) in per_file]
        schema = "file string, entries long, verified long, rejected long, rejected_by_kind string"
        spark.createDataFrame(rows, schema).coalesce(1).write.mode("overwrite").json(args.output)
        elapsed = time.perf_counter() - started
        entries = sum(row[1] for row in rows)
        verified = sum(row[2] for row in rows)
        rejected = entries - verified
        rate = entries / verified_in if verified_in > 0 else 0.0
        print(f"spark_verify: {len(rows)} files, {entries} entries: {verified} verified, {rejected} rejected; "
              f"read and verified in {verified_in:.2f} s ({rate:,.0f} entries/s), counts written to "
              f"{args.output} in {elapsed - verified_in:.2f} s")
        return 1 if rejected else 0
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
