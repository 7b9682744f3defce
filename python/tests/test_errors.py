"""One exception type, audit_cef.Error, with the crate's stable kind names:
every kind of the syntax, limit, signature, key and Konnect categories that
the Python API can meet is reached here, with its class and offset."""

import builtins
import pickle
from datetime import datetime, timezone

import pytest

import audit_cef
from conftest import COMMON, DOCUMENTED

NOW = datetime(2025, 6, 18, 21, 2, 36, tzinfo=timezone.utc)
SMALL_ORDER_X = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"  # the identity point: weak


def authz(**overrides):
    args = dict(service="konnect", resource="usage", action="read", granted=True, time=NOW, trace_id=1, **COMMON)
    args.update(overrides)
    return audit_cef.AuditEvent.authorization(**args)


def render(**overrides):
    args = dict(vendor="v", product="p", device_version="1", event_class_id="id", name="n", severity=1)
    args.update(overrides)
    return audit_cef.render(**args)


SIGNER = audit_cef.Signer.from_seed(bytes(32))
VERIFIER = audit_cef.Verifier(SIGNER.keyset())
GOOD = SIGNER.sign("CEF:0|v|p|1|id|n|5|a=1")

# (kind, category class, offset or None, the call that fails)
CASES = [
    # syntax
    ("empty", audit_cef.CefSyntaxError, None, lambda: audit_cef.parse("")),
    ("not_utf8", audit_cef.CefSyntaxError, 21, lambda: audit_cef.parse(b"CEF:0|v|p|1|id|n|5|k=\xff")),
    ("missing_cef_marker", audit_cef.CefSyntaxError, None, lambda: audit_cef.parse("no marker here")),
    ("too_few_header_fields", audit_cef.CefSyntaxError, 15, lambda: audit_cef.parse("CEF:0|a|b|c|d|e")),
    ("invalid_version", audit_cef.CefSyntaxError, 4, lambda: audit_cef.parse("CEF:7|v|p|1|id|n|1|", strict=True)),
    ("invalid_severity", audit_cef.CefSyntaxError, 17, lambda: audit_cef.parse("CEF:0|v|p|1|id|n|11|a=1")),
    ("line_break_in_header", audit_cef.CefSyntaxError, 7, lambda: audit_cef.parse("CEF:0|v\rx|p|1|id|n|5|")),
    ("invalid_key", audit_cef.CefSyntaxError, 3, lambda: render(extensions={"bad key": "1"})),
    ("invalid_escape", audit_cef.CefSyntaxError, 26,
     lambda: audit_cef.parse(r"CEF:0|v|p|1|id|n|5|path=c:\tmp", strict=True)),
    ("unescaped_equals", audit_cef.CefSyntaxError, 26,
     lambda: audit_cef.parse("CEF:0|v|p|1|id|n|5|b64=aGk=", strict=True)),
    ("line_break_in_value", audit_cef.CefSyntaxError, 24,
     lambda: audit_cef.parse("CEF:0|v|p|1|id|n|5|msg=a\nb c=d", strict=True)),
    ("missing_extension_delimiter", audit_cef.CefSyntaxError, 18,
     lambda: audit_cef.parse("CEF:0|v|p|1|id|n|5", strict=True)),
    ("unparsed_text", audit_cef.CefSyntaxError, 19,
     lambda: audit_cef.parse("CEF:0|v|p|1|id|n|5|junk k=v", strict=True)),
    ("marker_in_prefix", audit_cef.CefSyntaxError, 2, lambda: render(prefix="x CEF:0|")),
    ("signature_marker_in_header", audit_cef.CefSyntaxError, 1, lambda: authz(service="a sig=b")),
    ("invalid_prefix", audit_cef.CefSyntaxError, 0,
     lambda: audit_cef.parse("yesterday CEF:0|v|p|1|id|n|5|").parse_prefix()),
    ("line_break_in_entry", audit_cef.CefSyntaxError, 22, lambda: SIGNER.sign("CEF:0|v|p|1|id|n|5|a=1\nb=2")),
    ("not_json_entry", audit_cef.CefSyntaxError, 0, lambda: SIGNER.sign("[1]", format="json")),
    ("invalid_json", audit_cef.CefSyntaxError, 1, lambda: audit_cef.AuditEvent.parse("{bad")),
    ("unknown_format", audit_cef.CefSyntaxError, None, lambda: SIGNER.sign("CEF:0|v|p|1|id|n|5|", format="xml")),
    # limit
    ("header_too_long", audit_cef.LimitError, None, lambda: render(vendor="v" * 64, check_lengths=True)),
    ("value_too_long", audit_cef.LimitError, None,
     lambda: render(extensions={"act": "x" * 5000}, check_lengths=True)),
    # signature
    ("unsigned", audit_cef.SignatureError, 22, lambda: VERIFIER.verify("CEF:0|v|p|1|id|n|5|a=1")),
    ("malformed_signature", audit_cef.SignatureError, 27,
     lambda: VERIFIER.verify("CEF:0|v|p|1|id|n|5|a=1 sig=abc")),
    ("data_after_signature", audit_cef.SignatureError, 113, lambda: VERIFIER.verify(GOOD + " b=2")),
    ("no_key_matches", audit_cef.SignatureError, 27, lambda: VERIFIER.verify(GOOD.replace("a=1", "a=2"))),
    # key
    ("invalid_key_material", audit_cef.KeyMaterialError, None,
     lambda: audit_cef.Signer.from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")),
    ("weak_public_key", audit_cef.KeyMaterialError, None,
     lambda: audit_cef.KeySet.from_jwk('{"kty":"OKP","crv":"Ed25519","x":"%s"}' % SMALL_ORDER_X)),
    ("invalid_jwks", audit_cef.KeyMaterialError, 7, lambda: audit_cef.KeySet.from_jwks('{"keys":')),
    ("unsupported_key", audit_cef.KeyMaterialError, None,
     lambda: audit_cef.KeySet.from_jwk('{"kty":"RSA","n":"AQAB","e":"AQAB"}')),
    # konnect
    ("missing_field", audit_cef.KonnectError, 254,
     lambda: audit_cef.AuditEvent.parse(DOCUMENTED.replace(" org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999", ""))),
    ("invalid_field", audit_cef.KonnectError, 110,
     lambda: audit_cef.AuditEvent.parse(DOCUMENTED.replace("src=127.0.0.6", "src=banana"))),
    ("unknown_family", audit_cef.KonnectError, None, lambda: audit_cef.AuditEvent.parse("CEF:0|v|p|1|id|n|5|a=1")),
]

# Kinds of those categories that belong to layers the Python package does
# not expose (syslog framing, webhook bodies and endpoints, checkpoints):
# no Python call can meet them.
NOT_EXPOSED = {
    "invalid_priority", "invalid_syslog_header", "missing_entry", "ambiguous_entry", "invalid_frame",
    "truncated_frame", "frame_too_long", "invalid_gzip", "invalid_endpoint", "invalid_authorization",
    "body_too_large", "invalid_checkpoint",
}


@pytest.mark.parametrize("kind,cls,offset,call", CASES, ids=[c[0] for c in CASES])
def test_each_kind_is_raised_with_its_class_and_offset(kind, cls, offset, call):
    with pytest.raises(audit_cef.Error) as raised:
        call()
    err = raised.value
    assert err.kind == kind
    assert type(err) is cls
    assert err.category == audit_cef.error_kinds()[kind]
    if offset is None and kind not in ("empty", "missing_cef_marker"):
        assert err.offset is None
    elif offset is not None:
        assert err.offset == offset
    assert isinstance(err, ValueError)


def test_every_kind_of_the_five_categories_is_covered():
    kinds = audit_cef.error_kinds()
    wanted = {k for k, c in kinds.items() if c in ("syntax", "limit", "signature", "key", "konnect")}
    reached = {case[0] for case in CASES}
    assert reached | NOT_EXPOSED == wanted, sorted(wanted - reached - NOT_EXPOSED)
    assert not reached & NOT_EXPOSED


def test_classes_by_category_shadow_no_builtin():
    classes = [audit_cef.Error, audit_cef.CefSyntaxError, audit_cef.LimitError, audit_cef.SignatureError,
               audit_cef.KeyMaterialError, audit_cef.KonnectError]
    for cls in classes:
        assert not hasattr(builtins, cls.__name__), cls.__name__
        assert issubclass(cls, audit_cef.Error)


def test_errors_pickle_and_never_hold_input():
    secret = "CEF:0|v|p|1|id|n|5|password=hunter2 sig=abc"
    with pytest.raises(audit_cef.Error) as raised:
        VERIFIER.verify(secret)
    err = raised.value
    assert "hunter2" not in str(err) and "hunter2" not in repr(err)
    again = pickle.loads(pickle.dumps(err))
    assert (type(again), again.kind, again.offset, str(again)) == (type(err), err.kind, err.offset, str(err))


def test_keyset_strict_refuses_skipped_keys():
    text = '{"keys":[%s,{"kty":"OKP","crv":"Ed25519","x":"%s"}]}' % (SIGNER.public_jwks()[9:-2], SMALL_ORDER_X)
    keys = audit_cef.KeySet.from_jwks(text)
    assert len(keys) == 1 and keys.skipped == [(1, None, "weak_public_key")]
    with pytest.raises(audit_cef.KeyMaterialError) as raised:
        audit_cef.KeySet.from_jwks(text, strict=True)
    assert raised.value.kind == "weak_public_key"


def test_wrong_argument_types_are_type_errors_not_audit_errors():
    with pytest.raises(TypeError):
        VERIFIER.verify(None)
    with pytest.raises(TypeError):
        VERIFIER.verify_batch([GOOD, 3])
    with pytest.raises(TypeError):
        SIGNER.sign(3)
