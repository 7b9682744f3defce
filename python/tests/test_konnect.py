"""Konnect audit events: the three families from keyword arguments
(datetime, ipaddress, uuid.UUID accepted), in CEF, JSON and CPS, signed."""

import ipaddress
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import audit_cef
from conftest import DOCUMENTED

ORG = uuid.UUID("777db3e4-5cb7-4dd5-b51c-9878096a6999")
PRINCIPAL = uuid.UUID("eb999f01-5976-4f4b-9fbc-dd5d514bd675")
TIME = datetime(2025, 6, 18, 21, 2, 36, tzinfo=timezone.utc)


def documented(**overrides):
    args = dict(service="konnect", resource="control-planes", action="list", granted=True, time=TIME,
                rt=1750280466889, src=ipaddress.ip_address("127.0.0.6"), org_id=ORG, principal_id=PRINCIPAL,
                trace_id=3959872677347089807, user_agent="grpc-node-js/1.12.4")
    args.update(overrides)
    return audit_cef.AuditEvent.authorization(**args)


def test_documented_entry_byte_exact_and_typed_fields():
    event = documented()
    assert event.render() == DOCUMENTED
    assert audit_cef.AuditEvent.parse(DOCUMENTED) == event
    assert event.family == "authorization" and event.product == "Konnect" and event.host == "konghq.com"
    assert event.time == TIME and event.rt == 1750280466889
    assert event.src == ipaddress.IPv4Address("127.0.0.6")
    assert event.org_id == ORG and event.principal_id == PRINCIPAL and event.portal_id is None
    assert (event.action, event.granted, event.service, event.resource) == ("list", True, "konnect", "control-planes")
    assert (event.event_class_id, event.name, event.severity) == ("konnect", "Authz.control-planes", 1)
    assert event.outcome is None and event.status is None


def test_arguments_accept_text_and_any_time_zone():
    paris = timezone(timedelta(hours=2))
    same = documented(time=datetime(2025, 6, 18, 23, 2, 36, tzinfo=paris), src="127.0.0.6",
                      org_id=str(ORG), principal_id=str(PRINCIPAL))
    assert same == documented()
    v6 = documented(src=ipaddress.ip_address("2001:db8::1"))
    assert "src=2001:db8::1 " in v6.render() and v6.src == ipaddress.IPv6Address("2001:db8::1")


def test_wrong_arguments():
    with pytest.raises(ValueError, match="aware"):
        documented(time=datetime(2025, 6, 18, 21, 2, 36))
    with pytest.raises(TypeError, match="trace_id"):
        audit_cef.AuditEvent.access(request="/", method="GET", status=200, time=TIME, src="::1",
                                    org_id=ORG, principal_id=PRINCIPAL)
    with pytest.raises(TypeError, match="colour"):
        documented(colour="red")
    with pytest.raises(TypeError):
        documented(time="2025-06-18")
    with pytest.raises(audit_cef.KonnectError) as raised:
        documented(org_id="not-a-uuid")
    assert raised.value.kind == "invalid_field"
    with pytest.raises(audit_cef.KonnectError):
        documented(src="300.1.1.1")


def test_three_families_three_formats_signed_and_verified():
    signer = audit_cef.Signer.from_seed(bytes([3]) * 32)
    verifier = audit_cef.Verifier(audit_cef.KeySet.from_jwks(signer.public_jwks()))
    common = dict(time=TIME, src="172.71.232.22", org_id=ORG, principal_id=PRINCIPAL, trace_id=3360194145499877252)
    events = [
        audit_cef.AuditEvent.authentication(auth_type="BASIC", outcome="SUCCESS",
                                            request="/api/v2/developer/authenticate", product="Dev-Portal",
                                            portal_id=uuid.UUID("3e551b39-227d-4297-b911-e68fd5d77c17"), **common),
        audit_cef.AuditEvent.authentication(auth_type="AUTHENTICATION_TYPE_SSO", outcome="LOCKED",
                                            request="/login", principal_name="Ada", **common),
        documented(granted=False, kong_initiated=True, actor_id="", extra={"region": "eu"}),
        audit_cef.AuditEvent.access(request="/v2/control-planes", method="DELETE", status=403,
                                    query="a=1", severity=9, **common),
    ]
    assert [e.severity for e in events] == [0, 6, 6, 9]
    assert events[0].event_class_id == "AUTHENTICATION_TYPE_BASIC" and events[0].success is True
    assert events[1].name == "AUTHENTICATION_OUTCOME_LOCKED" and events[1].success is False
    assert events[2].extra == [("region", "eu")] and events[2].kong_initiated
    assert (events[3].method, events[3].status, events[3].query, events[3].name) == ("DELETE", 403, "a=1", "Ingress")
    for event in events:
        for fmt in ("cef", "json", "cps"):
            unsigned = event.render(fmt)
            assert audit_cef.AuditEvent.parse(unsigned) == event
            entry = event.sign(signer, fmt)
            assert entry == signer.sign(event, fmt)
            if fmt == "cef":
                assert entry.startswith(unsigned + " sig=")
            else:
                body = json.loads(entry)
                assert "sig" in (body["event"] if fmt == "cps" else body)
            verified = verifier.verify(entry)
            assert (verified.format, verified.kid) == (fmt, signer.kid)
            assert verified.event == event


def test_bsd_prefix_and_host():
    event = documented(prefix_style="bsd", host="audit.example.com")
    assert event.render().startswith("Jun 18 21:02:36 audit.example.com CEF:0|")
    with pytest.raises(ValueError):
        documented(prefix_style="iso")
