"""One exception hierarchy for the whole project.

Every error a user can cause maps, in exactly one place each, to an HTTP status
(`api/errors.py`) and a process exit code (`cli/__init__.py`). Raising the right subclass
is therefore all a module has to do to give a clear, consistent answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class KyodakuError(Exception):
    """Base of every error kyodaku raises on purpose."""

    http_status: int = 500
    exit_code: int = 1
    code: str = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": self.message,
            **({"details": self.details} if self.details else {}),
        }


class InvalidInput(KyodakuError):
    """The caller sent something malformed: empty or oversized text, bad JSON, invalid UTF-8."""

    http_status = 422
    exit_code = 2
    code = "invalid_input"


class MalformedRequest(InvalidInput):
    """A request that cannot be read at all: a body that is not JSON or not UTF-8, a form that does
    not parse. Answered 400, where a well-formed request with invalid values is 422."""

    http_status = 400
    code = "malformed_request"


class PayloadTooLarge(InvalidInput):
    http_status = 413
    code = "payload_too_large"


class UnsupportedMedia(InvalidInput):
    """Bytes that are not an image or video kyodaku can decode (unknown format, missing codec)."""

    http_status = 415
    code = "unsupported_media"


@dataclass(frozen=True)
class CatalogIssue:
    """One problem found in a catalog file, located so a human can fix it."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class CatalogError(InvalidInput):
    """A catalog failed validation; carries every issue found, not just the first."""

    code = "invalid_catalog"

    def __init__(self, issues: list[CatalogIssue]) -> None:
        self.issues = issues
        head = "; ".join(str(i) for i in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"catalog is invalid: {head}{more}")
        self.details = {"issues": [i.__dict__ for i in issues]}


class NotFound(KyodakuError):
    http_status = 404
    exit_code = 3
    code = "not_found"


class Conflict(KyodakuError):
    http_status = 409
    exit_code = 4
    code = "conflict"


class PreconditionFailed(Conflict):
    """`If-Match` names a version that is no longer current: someone changed the resource since the
    caller read it. Nothing was written; read it again and retry."""

    http_status = 412
    code = "precondition_failed"


class Unauthenticated(KyodakuError):
    """No credentials, or credentials that match no key."""

    http_status = 401
    exit_code = 5
    code = "unauthenticated"


class Forbidden(KyodakuError):
    """Valid credentials, but the role or the ownership does not allow this."""

    http_status = 403
    exit_code = 6
    code = "forbidden"


class RateLimited(KyodakuError):
    """Too many requests with one key (or from one address) in the configured window."""

    http_status = 429
    code = "rate_limited"  # an HTTP answer only: the command line has no rate limit

    def __init__(self, message: str, retry_after: int, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class ScreeningUnavailable(KyodakuError):
    """The guard cannot decide (a model failed to load, the snapshot is missing).

    Callers that fail closed turn this into a BLOCK decision that says why.
    """

    http_status = 503
    exit_code = 7
    code = "screening_unavailable"


class ConfigurationError(KyodakuError):
    exit_code = 8
    code = "configuration_error"


class IntegrityError(KyodakuError):
    """Recorded proof does not match what is there: a signature that fails (or a wrong key), a Merkle
    root that does not recompute, a file changed after it was hashed. Always names what changed."""

    http_status = 422
    exit_code = 9
    code = "integrity_failed"


@dataclass
class ErrorReport:
    """A per-item failure in a batch: the batch goes on and lists it."""

    item: str
    error: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)
