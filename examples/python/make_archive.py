"""Write an archive of signed Konnect audit entries to try spark_verify.py
(and ``cef verify``) on: N entries of the three families, signed in CEF by
one key, spread over F files, and the key's JWKS.

    python examples/python/make_archive.py --entries 100000 --files 10 \\
        --out archive/ --jwks keys.jwks.json
"""

import argparse
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone

import audit_cef


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--out", required=True, help="directory for the files (made if missing)")
    parser.add_argument("--jwks", required=True, help="where to write the public key as a JWKS")
    parser.add_argument("--seed", type=int, default=0, help="the signing key's seed byte (a demo key)")
    args = parser.parse_args(argv)

    signer = audit_cef.Signer.from_seed(bytes([args.seed]) * 32)
    with open(args.jwks, "w", encoding="utf-8") as f:
        f.write(signer.public_jwks())
    os.makedirs(args.out, exist_ok=True)
    start = datetime(2025, 6, 18, 21, 2, 36, tzinfo=timezone.utc)
    org = uuid.UUID("777db3e4-5cb7-4dd5-b51c-9878096a6999")
    per_file = -(-args.entries // args.files)
    i = 0
    for number in range(args.files):
        with open(os.path.join(args.out, f"audit-{number:04d}.cef"), "w", encoding="utf-8") as out:
            for _ in range(min(per_file, args.entries - i)):
                common = dict(time=start + timedelta(seconds=i), src=f"10.0.{i % 256}.{i // 256 % 256}",
                              org_id=org, principal_id=uuid.UUID(int=i % 5000), trace_id=3959872677347089807 + i,
                              user_agent="grpc-node-js/1.12.4")
                if i % 3 == 0:
                    event = audit_cef.AuditEvent.authorization(
                        service="konnect", resource="control-planes", action="list", granted=True, **common)
                elif i % 3 == 1:
                    event = audit_cef.AuditEvent.authentication(
                        auth_type="BASIC", outcome="SUCCESS", request="/api/v2/developer/authenticate", **common)
                else:
                    event = audit_cef.AuditEvent.access(
                        request="/v2/control-planes", method="GET", status=200, query=f"page={i}", **common)
                out.write(event.sign(signer) + "\n")
                i += 1
    print(f"make_archive: {i} signed entries in {args.files} files under {args.out}; public key in {args.jwks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
