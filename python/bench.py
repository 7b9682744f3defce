"""audit_cef against what Python users have today, on the same entries, in one run.

- parse: pycef 1.11 (``pycef.parse``) against ``audit_cef.parse``, every
  field read (pycef's dict values; audit_cef's header attributes and
  ``extensions`` values).
- verify: ``cryptography``'s Ed25519 one entry at a time (split at `` sig=``,
  base64url-decode, ``Ed25519PublicKey.verify``) against
  ``Verifier.verify_batch`` (and ``Verifier.verify`` one at a time, for
  reference).

The entries are signed Konnect CEF entries of the three families (as
Konnect writes them: a prefix, about ten pairs, `` sig=`` last). Each pass
runs both sides over all entries, one after the other; the figures are the
medians over ``--passes`` passes of the ns per entry and of the per-pass
ratios. Prints them; asserts nothing (the tests do not measure).

    python bench.py [--entries 2000] [--passes 5]
"""

import argparse
import base64
import os
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

# Run as `python python/bench.py`, this file's directory comes first on
# sys.path, and it holds the package's source without its compiled module:
# import the installed package instead.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import pycef
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import audit_cef


def entries(count: int, signer: audit_cef.Signer) -> list:
    org = uuid.UUID("777db3e4-5cb7-4dd5-b51c-9878096a6999")
    principal = uuid.UUID("eb999f01-5976-4f4b-9fbc-dd5d514bd675")
    start = datetime(2025, 6, 18, 21, 2, 36, tzinfo=timezone.utc)
    out = []
    for i in range(count):
        common = dict(time=start + timedelta(seconds=i), src=f"10.0.{i % 256}.{i // 256 % 256}", org_id=org,
                      principal_id=principal, trace_id=3959872677347089807 + i, user_agent="grpc-node-js/1.12.4")
        if i % 3 == 0:
            event = audit_cef.AuditEvent.authorization(service="konnect", resource="control-planes",
                                                       action="list", granted=True, **common)
        elif i % 3 == 1:
            event = audit_cef.AuditEvent.authentication(auth_type="BASIC", outcome="SUCCESS",
                                                        request="/api/v2/developer/authenticate", **common)
        else:
            event = audit_cef.AuditEvent.access(request="/v2/control-planes", method="GET", status=200,
                                                query=f"page={i}", **common)
        out.append(event.sign(signer, "cef"))
    return out


def paired(passes: int, count: int, theirs, ours):
    """Median ns per entry of each, and the median of the per-pass ratios:
    each pass times one after the other, so that a change in the machine's
    load hits both sides of a ratio alike."""
    their_ns, our_ns, ratios = [], [], []
    for _ in range(passes):
        start = time.perf_counter_ns()
        theirs()
        middle = time.perf_counter_ns()
        ours()
        end = time.perf_counter_ns()
        their_ns.append((middle - start) / count)
        our_ns.append((end - middle) / count)
        ratios.append((middle - start) / (end - middle))
    return statistics.median(their_ns), statistics.median(our_ns), statistics.median(ratios)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()

    signer = audit_cef.Signer.from_seed(bytes(range(32)))
    lines = entries(args.entries, signer)
    n = len(lines)

    # The two parsers must agree on what they read before they are timed.
    for line in lines[:50]:
        theirs, ours = pycef.parse(line), audit_cef.parse(line)
        assert theirs is not None, "pycef did not parse an entry"
        assert theirs["DeviceVendor"] == ours.vendor and theirs["Name"] == ours.name
        # The same keys (pycef leaves escapes such as `\=` in its values).
        assert set(ours.extensions) <= set(theirs), "pycef read other keys"

    def parse_pycef():
        for line in lines:
            fields = pycef.parse(line)
            for value in fields.values():
                pass

    def parse_ours():
        for line in lines:
            parsed = audit_cef.parse(line)
            value = parsed.prefix
            value = parsed.version
            value = parsed.vendor
            value = parsed.product
            value = parsed.device_version
            value = parsed.event_class_id
            value = parsed.name
            value = parsed.severity
            for value in parsed.extensions.values():
                pass

    public = Ed25519PublicKey.from_public_bytes(signer.public_bytes())

    def verify_cryptography():
        for line in lines:
            signed, signature = line.rsplit(" sig=", 1)
            public.verify(base64.urlsafe_b64decode(signature + "=="), signed.encode())

    verifier = audit_cef.Verifier(audit_cef.KeySet.from_jwks(signer.public_jwks()))

    def verify_batch():
        results = verifier.verify_batch(lines)
        assert not any(isinstance(r, audit_cef.Error) for r in results)

    def verify_one_by_one():
        for line in lines:
            verifier.verify(line)

    verify_cryptography()  # every entry verifies there too
    print(f"audit_cef {audit_cef.__version__} vs pycef 1.11 and cryptography, {n} signed Konnect CEF entries "
          f"(mean {sum(map(len, lines)) // n} bytes), medians of {args.passes} paired passes, Python {sys.version.split()[0]}")
    pycef_ns, ours_ns, parse_ratio = paired(args.passes, n, parse_pycef, parse_ours)
    crypto_ns, batch_ns, verify_ratio = paired(args.passes, n, verify_cryptography, verify_batch)
    _, single_ns, single_ratio = paired(args.passes, n, verify_cryptography, verify_one_by_one)
    print(f"parse, every field read:  pycef.parse          {pycef_ns:10,.0f} ns/entry")
    print(f"                          audit_cef.parse      {ours_ns:10,.0f} ns/entry   "
          f"{parse_ratio:5.1f}x faster (target >= 10x)")
    print(f"verify:                   cryptography, 1 by 1 {crypto_ns:10,.0f} ns/entry")
    print(f"                          Verifier.verify_batch{batch_ns:10,.0f} ns/entry   "
          f"{verify_ratio:5.1f}x faster (target >= 3x)")
    print(f"                          Verifier.verify      {single_ns:10,.0f} ns/entry   "
          f"{single_ratio:5.1f}x (one at a time, for reference)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
