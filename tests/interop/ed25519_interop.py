#!/usr/bin/env python3
"""Ed25519 interoperability of the `cef` tool with Python's `cryptography`.

Run by tests/interop/run.sh (which builds `cef` and installs requirements.txt):

    python3 tests/interop/ed25519_interop.py --cef target/debug/cef --dir /tmp/somewhere

1. `cef keygen` + `cef sign`: the PKCS#8 PEM private key loads in `cryptography`
   and its public key is the JWKS `x`; the JWKS `kid` is the RFC 7638
   thumbprint; every signature `cef sign` appended verifies with
   `Ed25519PublicKey.verify` over the bytes before ` sig=` (CEF) or over the
   entry without `,"sig":"..."` (JSON), is the signature `cryptography` itself
   makes with that key (Ed25519 is deterministic), and a tampered entry fails.
2. A key made by `cryptography`: CEF lines signed exactly as konnect.md
   section 3 says (line + ` sig=` + base64url without padding of the signature
   over the line's bytes) all pass `cef verify --jwks` (in batches and one by
   one), a tampered one fails with kind `no_key_matches`, and `cef sign` with
   that key written as PKCS#8 PEM gives the same signatures as Python.

Prints one line per check and a closing `interop: N passed, N failed`; exits 1
if any check failed.
"""

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# konnect.md section 1: Kong's documented entry, without its ` sig=...`.
KONNECT_AUTHZ = (
    "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|"
    "rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 "
    "principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4"
)

CEF_LINES = [
    KONNECT_AUTHZ,
    # An empty last value: the signed bytes end in `user_agent=`.
    "2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|"
    "AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate "
    "success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 "
    "principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent=",
    # Escapes in the header and in values (CEF rules E1-E3), spaces inside a value.
    r"2025-06-18T21:02:37Z konghq.com CEF:0|Kong\|Inc|Kon\\nect|1.0|konnect|Authz.usage|6|"
    r"msg=a\=b\nc\rd path=C:\\temp user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)",
    # Non-ASCII UTF-8 and the 2023 BSD syslog prefix.
    "Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.portals|1|"
    "principal_name=Zoë Ångström 日本 action=read",
]

JSON_ENTRY = (
    '{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect",'
    '"event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,'
    '"name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b",'
    '"principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":1682715129807,"severity":1,"src":"127.0.0.6",'
    '"trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0"}'
)

SIG_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {what}")
        else:
            self.failed += 1
            print(f"  FAIL  {what}" + (f": {detail}" if detail else ""))
        return ok


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def thumbprint(x):
    """RFC 7638 JWK thumbprint of an Ed25519 key (members in lexicographic order, no spaces)."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def verifies(public_key, signature, message):
    try:
        public_key.verify(signature, message)
        return True
    except InvalidSignature:
        return False


def tamper(message):
    """The message with one byte changed (in the middle, so prefix and header stay plausible)."""
    data = bytearray(message)
    data[len(data) // 2] ^= 0x01
    return bytes(data)


def run(cef, args, stdin=b""):
    return subprocess.run([cef, *args], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


def cef_signs(cef, workdir, checks):
    print("1. cef keygen + cef sign, verified by Python's cryptography")
    prefix = os.path.join(workdir, "rust")
    keygen = run(cef, ["keygen", "--out", prefix])
    if not checks.check(keygen.returncode == 0, "cef keygen exits 0", keygen.stderr.decode(errors="replace")):
        return
    with open(prefix + ".jwks.json", encoding="utf-8") as file:
        jwks = json.load(file)
    with open(prefix + ".pem", "rb") as file:
        pem = file.read()

    jwk = jwks["keys"][0]
    checks.check(
        len(jwks["keys"]) == 1
        and (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
        and set(jwk) == {"kty", "alg", "kid", "crv", "x"},
        "the JWKS has Konnect's shape (kty OKP, alg EdDSA, kid, crv Ed25519, x)",
        json.dumps(jwks),
    )
    public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    private_key = serialization.load_pem_private_key(pem, password=None)
    checks.check(isinstance(private_key, Ed25519PrivateKey), "the PKCS#8 PEM loads as an Ed25519 private key")
    pem_public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    checks.check(pem_public == b64url_decode(jwk["x"]), "the PEM's public key is the JWKS `x`")
    checks.check(jwk["kid"] == thumbprint(jwk["x"]), "the kid is the RFC 7638 thumbprint", jwk["kid"])
    checks.check(jwk["kid"] in keygen.stderr.decode(), "cef keygen printed the kid on stderr")
    checks.check(
        keygen.stdout == b"" and b"PRIVATE KEY" not in keygen.stderr, "cef keygen printed no secret and no stdout"
    )

    key_path = prefix + ".pem"
    signed = run(cef, ["sign", "--key", key_path], ("\n".join(CEF_LINES) + "\n").encode("utf-8"))
    out_lines = signed.stdout.decode("utf-8").splitlines()
    if not checks.check(
        signed.returncode == 0 and len(out_lines) == len(CEF_LINES),
        f"cef sign signs all {len(CEF_LINES)} CEF lines",
        signed.stderr.decode(errors="replace"),
    ):
        return
    for number, (line, entry) in enumerate(zip(out_lines, CEF_LINES), start=1):
        prefix_ok = line.startswith(entry + " sig=")
        sig_text = line[len(entry) + len(" sig=") :] if prefix_ok else ""
        checks.check(
            prefix_ok and len(sig_text) == 86 and set(sig_text) <= SIG_ALPHABET,
            f"CEF line {number}: the entry, unchanged, then ` sig=` and 86 base64url characters",
            line,
        )
        signature = b64url_decode(sig_text) if prefix_ok else b""
        message = entry.encode("utf-8")
        checks.check(verifies(public_key, signature, message), f"CEF line {number}: cryptography verifies it")
        checks.check(
            private_key.sign(message) == signature, f"CEF line {number}: cryptography signs the same signature"
        )
        checks.check(
            not verifies(public_key, signature, tamper(message)), f"CEF line {number}: a tampered copy fails"
        )

    signed_json = run(cef, ["sign", "--key", key_path, "--format", "json"], (JSON_ENTRY + "\n").encode())
    line = signed_json.stdout.decode().rstrip("\n")
    head, marker, tail = line.rpartition(',"sig":"')
    sig_text = tail[:-2] if tail.endswith('"}') else ""
    checks.check(
        signed_json.returncode == 0 and marker and head + "}" == JSON_ENTRY and len(sig_text) == 86,
        'JSON entry: `,"sig":"<86 characters>"` inserted before the final `}`',
        line,
    )
    signature = b64url_decode(sig_text) if sig_text else b""
    checks.check(verifies(public_key, signature, JSON_ENTRY.encode()), "JSON entry: cryptography verifies it")
    checks.check(
        not verifies(public_key, signature, tamper(JSON_ENTRY.encode())), "JSON entry: a tampered copy fails"
    )


def python_signs(cef, workdir, checks):
    print("2. a key and signatures made by Python's cryptography, verified by cef verify")
    private_key = Ed25519PrivateKey.generate()
    raw_public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = "python-interop-1"
    jwks_path = os.path.join(workdir, "python.jwks.json")
    with open(jwks_path, "w", encoding="utf-8") as file:
        json.dump({"keys": [{"kty": "OKP", "alg": "EdDSA", "kid": kid, "crv": "Ed25519", "x": b64url(raw_public)}]}, file)

    # konnect.md section 3: the signed bytes are the whole line; ` sig=` + base64url (no padding) is appended.
    signed = [entry + " sig=" + b64url(private_key.sign(entry.encode("utf-8"))) for entry in CEF_LINES]
    good_path = os.path.join(workdir, "python-signed.cef")
    with open(good_path, "wb") as file:
        file.write(("\n".join(signed) + "\n").encode("utf-8"))

    for extra in ([], ["--batch", "1"]):
        label = "one by one" if extra else "in a batch"
        verified = run(cef, ["verify", "--jwks", jwks_path, "--json", *extra, good_path])
        results = [json.loads(line) for line in verified.stdout.decode().splitlines()]
        expected = [{"line": n, "ok": True, "kid": kid} for n in range(1, len(CEF_LINES) + 1)]
        checks.check(
            verified.returncode == 0 and results == expected,
            f"cef verify accepts all {len(CEF_LINES)} Python-signed CEF lines ({label})",
            verified.stdout.decode() + verified.stderr.decode(),
        )
        summary = f"verified {len(CEF_LINES)} of {len(CEF_LINES)} entries, 0 failed"
        checks.check(summary in verified.stderr.decode(), f"cef verify summary: {summary} ({label})")

    # Tamper one entry's signed bytes (the signature stays Python's): that line fails, the others still pass.
    tampered_index = 2
    bad = list(signed)
    bad[tampered_index] = bad[tampered_index].replace("path=C:", "path=D:", 1)
    checks.check(bad[tampered_index] != signed[tampered_index], "the tampered line differs from the signed one")
    bad_path = os.path.join(workdir, "python-tampered.cef")
    with open(bad_path, "wb") as file:
        file.write(("\n".join(bad) + "\n").encode("utf-8"))
    verified = run(cef, ["verify", "--jwks", jwks_path, "--json", bad_path])
    results = [json.loads(line) for line in verified.stdout.decode().splitlines()]
    oks = [result.get("ok") for result in results]
    expected_oks = [index != tampered_index for index in range(len(CEF_LINES))]
    checks.check(
        verified.returncode == 1 and oks == expected_oks,
        "cef verify rejects the tampered line (exit 1) and accepts the others",
        verified.stdout.decode() + verified.stderr.decode(),
    )
    if len(results) == len(CEF_LINES):
        checks.check(
            results[tampered_index].get("kind") == "no_key_matches",
            "the tampered line fails with kind no_key_matches",
            json.dumps(results[tampered_index]),
        )

    # The same key as PKCS#8 PEM: cef sign makes Python's signatures (Ed25519 is deterministic).
    pem_path = os.path.join(workdir, "python.pem")
    with open(pem_path, "wb") as file:
        file.write(
            private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    cef_signed = run(cef, ["sign", "--key", pem_path], ("\n".join(CEF_LINES) + "\n").encode("utf-8"))
    checks.check(
        cef_signed.returncode == 0 and cef_signed.stdout.decode("utf-8").splitlines() == signed,
        "cef sign with Python's PKCS#8 PEM key writes exactly Python's signed lines",
        cef_signed.stderr.decode(errors="replace"),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cef", required=True, help="path to the built `cef` binary")
    parser.add_argument("--dir", required=True, help="an empty scratch directory")
    args = parser.parse_args()

    import cryptography

    print(f"Ed25519 interop: {args.cef} against Python cryptography {cryptography.__version__}")
    checks = Checks()
    cef_signs(args.cef, args.dir, checks)
    python_signs(args.cef, args.dir, checks)
    print(f"interop: {checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
