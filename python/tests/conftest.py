"""Shared entries for the tests: Kong's documented authorization entry and
signed entries of each Konnect family, made with fixed keys."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest

import audit_cef

# Kong's documented authorization entry (konnect.md section 1), unsigned.
DOCUMENTED = (
    "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|"
    "rt=1750280466889 src=127.0.0.6 action=list granted=true "
    "org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 "
    "trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4"
)

COMMON = dict(
    src="10.1.2.3",
    org_id=uuid.UUID("777db3e4-5cb7-4dd5-b51c-9878096a6999"),
    principal_id=uuid.UUID("eb999f01-5976-4f4b-9fbc-dd5d514bd675"),
    user_agent="pytest/1",
)


def event(i: int) -> audit_cef.AuditEvent:
    """Event number i: the three families in turn, distinct times and traces."""
    time = datetime(2025, 6, 18, 21, 2, 36, tzinfo=timezone.utc) + timedelta(seconds=i)
    if i % 3 == 0:
        return audit_cef.AuditEvent.authorization(
            service="konnect", resource="control-planes", action="list", granted=i % 2 == 0,
            time=time, trace_id=1000 + i, **COMMON)
    if i % 3 == 1:
        return audit_cef.AuditEvent.authentication(
            auth_type="BASIC", outcome="SUCCESS" if i % 2 else "INVALID_PASSWORD",
            request="/api/v2/authenticate", time=time, trace_id=1000 + i, **COMMON)
    return audit_cef.AuditEvent.access(
        request="/v2/control-planes", method="GET", status=200 + i % 300, query=f"page={i}",
        time=time, trace_id=1000 + i, **COMMON)


@pytest.fixture(scope="session")
def signer() -> audit_cef.Signer:
    return audit_cef.Signer.from_seed(bytes(range(32)))


@pytest.fixture(scope="session")
def other_signer() -> audit_cef.Signer:
    return audit_cef.Signer.from_seed(bytes(range(100, 132)))


@pytest.fixture(scope="session")
def signed_cef(signer):
    """200 signed CEF entries of the three families."""
    return [event(i).sign(signer, "cef") for i in range(200)]
