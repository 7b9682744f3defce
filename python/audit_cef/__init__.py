"""audit_cef: parse any vendor's CEF, sign and verify audit entries exactly
as Kong Konnect does, and build Konnect's audit events, in Python.

The work is done by the audit-cef Rust crate (compiled in ``_native``):
parsing a line costs a few hundred nanoseconds plus the Python objects,
and ``Verifier.verify_batch`` checks many signatures at once, without the GIL.

>>> import audit_cef
>>> line = audit_cef.parse("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|act=read")
>>> line.vendor, line.extensions
('KongInc', {'act': 'read'})
>>> signer = audit_cef.Signer.generate()
>>> entry = signer.sign(line.to_cef())
>>> verifier = audit_cef.Verifier(audit_cef.KeySet.from_jwks(signer.public_jwks()))
>>> verifier.verify(entry).kid == signer.kid
True
"""

from ._errors import CefSyntaxError, Error, KeyMaterialError, KonnectError, LimitError, SignatureError
from ._native import (
    AuditEvent,
    KeySet,
    Line,
    LineIterator,
    Signer,
    Verified,
    Verifier,
    __version__,
    error_kinds,
    parse,
    parse_lines,
    render,
)

__all__ = [
    "AuditEvent",
    "CefSyntaxError",
    "Error",
    "KeyMaterialError",
    "KeySet",
    "KonnectError",
    "LimitError",
    "Line",
    "LineIterator",
    "SignatureError",
    "Signer",
    "Verified",
    "Verifier",
    "__version__",
    "error_kinds",
    "parse",
    "parse_lines",
    "render",
]
