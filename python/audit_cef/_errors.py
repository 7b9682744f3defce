"""The exceptions of audit_cef: one type, ``Error``, and a subclass per category.

Plain Python classes (the compiled module raises them), so that they pickle
and can be caught, subclassed and documented like any Python exception.
"""

from typing import Optional

__all__ = ["Error", "CefSyntaxError", "LimitError", "SignatureError", "KeyMaterialError", "KonnectError"]


class Error(ValueError):
    """Anything audit_cef refuses: a line that is not CEF, an entry whose
    signature does not verify, unusable key material, an event Konnect
    would not write.

    ``kind`` is the crate's stable snake_case name for what went wrong
    (``"no_key_matches"``, ``"not_utf8"``, ...: see ``audit_cef.error_kinds()``),
    ``category`` its group (``"syntax"``, ``"limit"``, ``"signature"``,
    ``"key"``, ``"konnect"``), ``offset`` the index in the input where it
    went wrong (a character index for ``str``, a byte index for ``bytes``)
    or ``None`` when no single place is to blame. Messages never contain
    input text, so errors are safe to log.

    >>> import audit_cef
    >>> try:
    ...     audit_cef.parse("CEF:0|v|p|1|id|n")
    ... except audit_cef.Error as err:
    ...     print(err.kind, err.category, err.offset, type(err).__name__)
    too_few_header_fields syntax 16 CefSyntaxError
    """

    kind: str
    offset: Optional[int]
    category: str

    def __init__(self, message: str, kind: str, offset: Optional[int] = None, category: str = "") -> None:
        super().__init__(message, kind, offset, category)
        self.message = message
        self.kind = kind
        self.offset = offset
        self.category = category

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, kind={self.kind!r}, offset={self.offset!r})"


class CefSyntaxError(Error):
    """Input that is not well-formed CEF, prefix, JSON or text, or an event
    that breaks a wire rule (category ``"syntax"``)."""


class LimitError(Error):
    """A length limit of the CEF standard is exceeded (category ``"limit"``)."""


class SignatureError(Error):
    """The signature is missing, malformed, misplaced, or no key verifies it
    (category ``"signature"``)."""


class KeyMaterialError(Error):
    """Key material, a JWK or a JWKS that cannot be used (category ``"key"``)."""


class KonnectError(Error):
    """A well-formed entry that is not a valid Konnect audit event
    (category ``"konnect"``)."""


# Shown and pickled as audit_cef.<Name>, where users import them from.
for _cls in (Error, CefSyntaxError, LimitError, SignatureError, KeyMaterialError, KonnectError):
    _cls.__module__ = "audit_cef"
del _cls
