"""The OpenAPI document as a contract: who may call each operation, and every answer it can give.

FastAPI documents what a route returns on success and its own 422; the rest of what the server
really answers (401, 403, 404, 409, 412, 413, 415, 429, 503, and 400 for an unreadable body) comes
from the exception hierarchy and the middleware, which FastAPI cannot see. This module adds them,
each with the problem schema (`api/errors.py`), from one table (`OPERATIONS`): what each operation
requires and which kinds of refusal apply to it. The roles written into each description come from
the access table (`kyodaku.domain.access.RULES`), so the document cannot drift from the checks.
A test fails when a route is missing from the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kyodaku.domain.access import RULES, Action

ANY_KEY = "any"
PUBLIC = "public"


@dataclass(frozen=True)
class Operation:
    """What one operation requires (`who`: an Action, ANY_KEY or PUBLIC) and the refusals it adds to
    the ones every authenticated operation has (401, 403, 422, 429, 500)."""

    who: Action | str
    extra: frozenset[int] = frozenset()
    note: str = ""


def _op(who: Action | str, *extra: int, note: str = "") -> Operation:
    return Operation(who, frozenset(extra), note)


OWN = "a rightsholder sees only its own; another's answers 404, as an unknown id"
WRITE_OWN = "a rightsholder changes only its own entries"
OPERATIONS: Mapping[tuple[str, str], Operation] = {
    ("get", "/healthz"): _op(PUBLIC),
    ("post", "/v1/screen/prompt"): _op(Action.SCREEN, 400, 413, 415, 503),
    ("post", "/v1/screen/image"): _op(Action.SCREEN, 400, 413, 415, 503),
    ("post", "/v1/screen/video"): _op(Action.SCREEN, 400, 413, 415, 503),
    ("get", "/v1/entities"): _op(ANY_KEY, note=OWN),
    ("get", "/v1/entities/{entity_id}"): _op(ANY_KEY, 404, note=OWN),
    ("put", "/v1/entities/{entity_id}"): _op(
        Action.WRITE_REGISTRY, 400, 404, 409, 412, 413, 415, note=WRITE_OWN
    ),
    ("delete", "/v1/entities/{entity_id}"): _op(Action.WRITE_REGISTRY, 404, 409, 412, note=WRITE_OWN),
    ("get", "/v1/permissions"): _op(ANY_KEY, note=OWN),
    ("get", "/v1/permissions/{permission_id}"): _op(ANY_KEY, 404, note=OWN),
    ("post", "/v1/permissions"): _op(Action.WRITE_REGISTRY, 400, 409, 413, 415, note=WRITE_OWN),
    ("delete", "/v1/permissions/{permission_id}"): _op(Action.WRITE_REGISTRY, 404, 409, 412, note=WRITE_OWN),
    ("post", "/v1/keys"): _op(Action.MANAGE_KEYS, 400, 409, 413, 415),
    ("post", "/v1/entities/{entity_id}/references"): _op(
        Action.WRITE_REGISTRY, 400, 404, 409, 413, 415, note=WRITE_OWN
    ),
    ("get", "/v1/entities/{entity_id}/references"): _op(ANY_KEY, 404, note=OWN),
    ("get", "/v1/references/{reference_id}"): _op(ANY_KEY, 404, note=OWN),
    ("delete", "/v1/references/{reference_id}"): _op(Action.WRITE_REGISTRY, 404, 409, 412, note=WRITE_OWN),
    ("get", "/v1/ledger/head"): _op(ANY_KEY, 404, 409),
    ("get", "/v1/ledger/{entry_id}"): _op(Action.READ_LEDGER, 404, 409, note=OWN),
    ("post", "/v1/trace"): _op(Action.READ_LEDGER, 400, 409, 413, 415, note=OWN),
    ("post", "/v1/cases"): _op(
        ANY_KEY,
        400,
        404,
        409,
        413,
        415,
        note="rightsholders file for their own entries (an admin for any); not operators",
    ),
    ("get", "/v1/cases"): _op(ANY_KEY, note=OWN + "; the desk (operators, admins) sees all"),
    ("get", "/v1/cases/overdue"): _op(ANY_KEY, note=OWN),
    ("get", "/v1/cases/{case_id}"): _op(ANY_KEY, 404, note=OWN),
    ("post", "/v1/cases/{case_id}/transitions"): _op(
        ANY_KEY,
        400,
        404,
        409,
        413,
        415,
        note="the desk acknowledges, reviews and decides; the claimant withdraws or appeals",
    ),
    ("get", "/v1/reports/transparency"): _op(Action.READ_LEDGER, 409, note=OWN),
    ("get", "/v1/reports/parity"): _op(
        ANY_KEY, 409, note="a rightsholder sees the per-country rates and its own rows"
    ),
}
"""Every operation of the API. Why a table: the statuses an operation can answer depend on what it
does (a body can be unreadable or too large, a path id can name nothing, a write can be stale), which
no route signature shows."""

BASE = frozenset({401, 403, 422, 429, 500})


def _who(op: Operation) -> str:
    if op.who == PUBLIC:
        return "**Who may call:** anyone (no key)."
    if op.who == ANY_KEY:
        text = "**Who may call:** any key"
    else:
        roles = sorted(r.value for r in RULES[op.who].roles)  # type: ignore[index]
        text = f"**Who may call:** {' or '.join(roles)} keys ({op.who.value})"  # type: ignore[union-attr]
    return text + (f"; {op.note}." if op.note else ".")


def problem_schema() -> dict[str, Any]:
    return {
        "title": "Problem",
        "description": "RFC 9457 problem details (`application/problem+json`).",
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "description": "`urn:kyodaku:problem:` and the code."},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "What went wrong, for a person."},
            "instance": {"type": "string", "description": "The request path."},
            "code": {"type": "string", "description": "What went wrong, for a program (e.g. `not_found`)."},
            "errors": {
                "type": "array",
                "description": "Field errors: `pointer` into the body, or `parameter` and `in`.",
                "items": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {
                        "detail": {"type": "string"},
                        "pointer": {"type": "string"},
                        "parameter": {"type": "string"},
                        "in": {"type": "string"},
                    },
                },
            },
            "retry_after": {"type": "integer", "description": "Seconds to wait (429)."},
        },
        "additionalProperties": True,
    }


def _responses(op: Operation) -> dict[str, Any]:
    codes = sorted(op.extra if op.who == PUBLIC else BASE | op.extra)
    out: dict[str, Any] = {}
    for code in codes:
        answer: dict[str, Any] = {
            "description": HTTPStatus(code).phrase,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if code == 429:
            answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}
        out[str(code)] = answer
    return out


IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key to retry this request safely: a retry gets the first answer (see "
    "docs/api.md). 1-200 visible ASCII characters; kept 24 hours per API key.",
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,200}$"},
}
ETAG_HEADER = {
    "ETag": {"description": "The representation's tag, for `If-Match`.", "schema": {"type": "string"}}
}
LINK_HEADER = {
    "Link": {"description": '`<next page URL>; rel="next"` when more follow.', "schema": {"type": "string"}}
}
TAGGED = {
    ("get", "/v1/entities/{entity_id}"),
    ("put", "/v1/entities/{entity_id}"),
    ("post", "/v1/permissions"),
    ("get", "/v1/permissions/{permission_id}"),
    ("get", "/v1/references/{reference_id}"),
}
PAGED = {("get", "/v1/entities"), ("get", "/v1/permissions"), ("get", "/v1/entities/{entity_id}/references")}
HTML_TOO = {("get", "/v1/reports/transparency"), ("get", "/v1/reports/parity")}
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "format": "binary"},
                        "description": "One or more image or video files (parts named `file`).",
                    }
                },
            }
        }
    },
}


def _declare_headers(method: str, path: str, operation: dict[str, Any]) -> None:
    """What the middleware and the routes' response headers do, which FastAPI cannot see."""
    from kyodaku.api.idempotency import covered

    if covered(method.upper(), path.replace("{", "").replace("}", "")) and method == "post":
        operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_HEADER))
    success = next((c for c in ("200", "201") if c in operation.get("responses", {})), None)
    if success is None:
        return
    answer = operation["responses"][success]
    if (method, path) in TAGGED:
        answer.setdefault("headers", {}).update(ETAG_HEADER)
    if (method, path) in PAGED:
        answer.setdefault("headers", {}).update(LINK_HEADER)
    if (method, path) in HTML_TOO:
        answer.setdefault("content", {})["text/html"] = {"schema": {"type": "string"}}
    if (method, path) == ("post", "/v1/entities/{entity_id}/references") and "requestBody" not in operation:
        operation["requestBody"] = UPLOAD_BODY


def install_contract(app: FastAPI) -> None:
    """Replace the app's OpenAPI builder by one that adds roles and every refusal (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = problem_schema()
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, methods in doc.get("paths", {}).items():
            for method, operation in methods.items():
                op = OPERATIONS.get((method, path))
                if op is None:
                    continue
                responses = operation.setdefault("responses", {})
                responses.update(_responses(op))
                _declare_headers(method, path, operation)
                described = operation.get("description") or ""
                operation["description"] = (_who(op) + "\n\n" + described).strip()
                if op.who == PUBLIC:
                    operation["security"] = []
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["ANY_KEY", "OPERATIONS", "PUBLIC", "install_contract"]
