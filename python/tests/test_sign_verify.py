"""Signer, KeySet, Verifier: interop with cryptography's Ed25519 both ways,
verify_batch verdicts equal to verify's, and the GIL released."""

import base64
import json
import random
import sys
import threading
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import audit_cef
from conftest import DOCUMENTED, event


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key_of_jwks(jwks: str) -> Ed25519PublicKey:
    (key,) = json.loads(jwks)["keys"]
    assert (key["kty"], key["crv"]) == ("OKP", "Ed25519")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(key["x"]))


def split_cef(entry: str):
    signed, signature = entry.rsplit(" sig=", 1)
    return signed.encode(), b64url_decode(signature)


def test_our_signatures_verify_with_cryptography(signer, signed_cef):
    public = public_key_of_jwks(signer.public_jwks())
    for entry in signed_cef:
        signed, signature = split_cef(entry)
        public.verify(signature, signed)  # raises InvalidSignature on a mismatch
        with pytest.raises(InvalidSignature):
            public.verify(signature, signed.replace(b"trace_id=", b"trace_id=9"))
    # JSON: the signature covers the entry without its "sig" member.
    entry = event(0).sign(signer, "json")
    parsed = json.loads(entry)
    signature = b64url_decode(parsed.pop("sig"))
    public.verify(signature, entry.replace(',"sig":"%s"' % b64url(signature), "").encode())


def test_cryptography_signatures_verify_with_us():
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    jwks = json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": "theirs", "x": b64url(raw)}]})
    for keys in (audit_cef.KeySet.from_jwks(jwks), audit_cef.KeySet.from_pem(pem),
                 audit_cef.KeySet.from_public_bytes(raw)):
        verifier = audit_cef.Verifier(keys)
        for i in range(20):
            line = event(i).render("cef")
            entry = line + " sig=" + b64url(private.sign(line.encode()))
            verified = verifier.verify(entry)
            assert verified.signed == line and verified.format == "cef"
            with pytest.raises(audit_cef.SignatureError):
                verifier.verify(entry.replace("pytest/1", "pytest/2"))
    assert audit_cef.Verifier(audit_cef.KeySet.from_jwks(jwks)).verify(entry).kid == "theirs"


def test_same_key_same_signatures_as_cryptography():
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    signer = audit_cef.Signer.from_pem(pem)
    line = DOCUMENTED
    # Ed25519 is deterministic: the same key signs the same bytes the same way.
    assert signer.sign(line) == line + " sig=" + b64url(private.sign(line.encode()))
    back = serialization.load_pem_private_key(signer.private_pem().encode(), None)
    assert back.sign(b"x") == private.sign(b"x")


def test_json_and_cps_round_trip(signer):
    verifier = audit_cef.Verifier(signer.keyset())
    for fmt in ("cef", "json", "cps"):
        for i in range(6):
            entry = event(i).sign(signer, fmt)
            verified = verifier.verify(entry)
            assert verified.format == fmt and verified.kid == signer.kid
            assert verified.event == event(i)
            assert (verified.line is None) == (fmt != "cef")
            assert audit_cef.AuditEvent.parse(verified.signed) == event(i)
            tampered = entry.replace("pytest/1", "pytest/X")
            with pytest.raises(audit_cef.SignatureError) as raised:
                verifier.verify(tampered)
            assert raised.value.kind == "no_key_matches"


def test_generate_keys_differ_and_sign_text_and_bytes():
    a, b = audit_cef.Signer.generate(), audit_cef.Signer.generate()
    assert a.kid != b.kid and a.public_bytes() != b.public_bytes()
    assert a.sign(b"CEF:0|v|p|1|id|n|5|a=1\r\n") == a.sign("CEF:0|v|p|1|id|n|5|a=1")
    assert "hunter" not in repr(a) and a.kid in repr(a)


def verdict(result):
    if isinstance(result, audit_cef.Error):
        return ("error", type(result).__name__, result.kind, result.offset)
    return ("ok", result.kid, result.format, result.signed)


def single(verifier, entry):
    try:
        return verdict(verifier.verify(entry))
    except audit_cef.Error as err:
        return verdict(err)


def tamper(entry: str, rng: random.Random) -> str:
    how = rng.randrange(6)
    if how == 0:  # one character of the signed part
        at = rng.randrange(len(entry) - 92)
        return entry[:at] + ("X" if entry[at] != "X" else "Y") + entry[at + 1:]
    if how == 1:  # one character of the signature
        at = len(entry) - 1 - rng.randrange(86)
        return entry[:at] + ("A" if entry[at] != "A" else "B") + entry[at + 1:]
    if how == 2:
        return entry[:-3]  # malformed signature
    if how == 3:
        return entry.rsplit(" sig=", 1)[0]  # unsigned
    if how == 4:
        return entry + " x=1"  # data after the signature
    return "not an entry at all"


def test_batch_verdicts_equal_single_on_tampered_and_mixed_keys(signer, other_signer):
    third = audit_cef.Signer.from_seed(bytes([7]) * 32)  # not in the key set
    keys = signer.keyset() + other_signer.keyset()
    verifier = audit_cef.Verifier(keys)
    rng = random.Random(25)
    entries = []
    for i in range(600):
        key = rng.choice([signer, signer, other_signer, third])
        fmt = rng.choice(["cef", "cef", "cef", "json", "cps"])
        entry = event(i).sign(key, fmt)
        if rng.random() < 0.25:
            entry = tamper(entry, rng)
        entries.append(entry.encode() if rng.random() < 0.3 else entry)
    batch = [verdict(r) for r in verifier.verify_batch(entries)]
    assert batch == [single(verifier, e) for e in entries]
    assert {v[1] for v in batch if v[0] == "ok"} == {signer.kid, other_signer.kid}  # both keys verified some
    kinds = {v[2] for v in batch if v[0] == "error"}
    assert {"no_key_matches", "malformed_signature", "unsigned", "data_after_signature"} <= kinds
    # Runs of one key, alternating keys, all failing: the same verdicts again.
    for entries in (
        [event(i).sign(signer) for i in range(100)] + [event(i).sign(other_signer) for i in range(100)],
        [event(i).sign(signer if i % 2 else other_signer) for i in range(150)],
        [event(i).sign(third) for i in range(80)],
    ):
        assert [verdict(r) for r in verifier.verify_batch(entries)] == [single(verifier, e) for e in entries]
    # A forced format applies to every entry.
    json_entry = event(1).sign(signer, "json")
    assert verdict(verifier.verify_batch([json_entry], format="json")[0])[0] == "ok"
    with pytest.raises(audit_cef.Error) as raised:
        verifier.verify(json_entry, format="cef")
    assert verdict(verifier.verify_batch([json_entry], format="cef")[0]) == verdict(raised.value)
    assert verifier.verify_batch([]) == []


def test_verify_batch_takes_any_iterable(signer, signed_cef):
    verifier = audit_cef.Verifier(signer.keyset())
    results = verifier.verify_batch(e for e in signed_cef[:10])
    assert [r.kid for r in results] == [signer.kid] * 10


def test_gil_is_released_during_verify_batch(signer, signed_cef):
    """A Python thread keeps running while verify_batch works; as a control,
    it does not while a call that holds the GIL (sorting floats) runs."""
    verifier = audit_cef.Verifier(signer.keyset())
    entries = signed_cef * 60  # 12,000 entries: well over 0.1 s of work

    def ticks_during(call):
        ticks, stop = [], threading.Event()

        def ticker():
            while not stop.is_set():
                ticks.append(time.perf_counter())

        thread = threading.Thread(target=ticker)
        old = sys.getswitchinterval()
        sys.setswitchinterval(0.001)
        try:
            thread.start()
            time.sleep(0.05)  # the ticker is running
            start = time.perf_counter()
            call()
            end = time.perf_counter()
        finally:
            stop.set()
            thread.join()
            sys.setswitchinterval(old)
        margin = (end - start) * 0.1
        inside = [t for t in ticks if start + margin < t < end - margin]
        return inside, end - start

    inside, took = ticks_during(lambda: verifier.verify_batch(entries))
    assert took > 0.05, "the batch was too short to tell"
    assert len(inside) > 100, f"only {len(inside)} ticks of another thread during {took:.3f} s of verify_batch"

    floats = [random.random() for _ in range(1_500_000)]
    inside, took = ticks_during(lambda: sorted(floats))
    assert took > 0.05
    assert len(inside) == 0, "the control (a call holding the GIL) let the ticker run: the probe proves nothing"


def test_verifier_shared_between_threads(signer, other_signer, signed_cef):
    verifier = audit_cef.Verifier(signer.keyset() + other_signer.keyset())
    others = [event(i).sign(other_signer) for i in range(200)]
    expected = {id(x): [verdict(r) for r in verifier.verify_batch(x)] for x in (signed_cef, others)}
    failures = []

    def work(entries):
        for _ in range(5):
            if [verdict(r) for r in verifier.verify_batch(entries)] != expected[id(entries)]:
                failures.append(1)

    threads = [threading.Thread(target=work, args=(x,)) for x in (signed_cef, others, signed_cef, others)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
