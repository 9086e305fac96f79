"""Errors as HTTP answers: the one place an exception becomes a status and a problem document.

Modules raise the `kyodaku.domain.errors` subclass that says what went wrong; each class carries its
HTTP status (`http_status`) beside its exit code, so the hierarchy stays the single table and this
module the single place that applies it. Every refusal reads the same, whether a route, a
dependency (authentication), FastAPI's own request validation or a middleware (body size, rate
limit) raised it: an RFC 9457 problem document, `application/problem+json`:

    {"type": "urn:kyodaku:problem:not_found", "title": "Not Found", "status": 404,
     "detail": "no entry 'x'", "instance": "/v1/entities/x", "code": "not_found",
     "errors": [{"pointer": "#/names", "detail": "..."}], ...the error's details}

`code` is the machine-readable name (also the last part of `type`); `errors` lists field errors
with JSON pointers into the body (or `parameter` for query, path and header values). The portal's
pages are answered by the portal (an HTML page with the same status) instead.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from kyodaku.domain.errors import InvalidInput, KyodakuError, MalformedRequest, UnsupportedMedia

PROBLEM_TYPE = "urn:kyodaku:problem:"
PROBLEM_MEDIA_TYPE = "application/problem+json"
_UNREADABLE = {"json_invalid", "json_type", "missing_body", "value_error.jsondecode"}
"""Pydantic error types that mean the body could not be read at all (400), not a bad value (422)."""


def problem(exc: KyodakuError, instance: str | None = None) -> dict[str, Any]:
    """The problem document of an error (RFC 9457), its details as extension members."""
    status = exc.http_status
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = exc.code.replace("_", " ").capitalize()
    details = dict(exc.details)
    errors = details.pop("errors", None)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + exc.code,
        "title": title,
        "status": status,
        "detail": exc.message,
        **({"instance": instance} if instance else {}),
        "code": exc.code,
    }
    if errors:
        body["errors"] = errors
    reserved = set(body)
    body.update({k: v for k, v in details.items() if k not in reserved})
    return body


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def error_response(exc: KyodakuError, instance: str | None = None) -> JSONResponse:
    """The answer to a kyodaku error: its class's status (inherited from the nearest parent that sets
    one, so a new subclass answers like its parent) and its problem document. Also an ASGI app, so
    middleware sends it as is."""
    headers = {"Retry-After": str(exc.details["retry_after"])} if "retry_after" in exc.details else None
    return ProblemResponse(problem(exc, instance), status_code=exc.http_status, headers=headers)


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    where, *path = error.get("loc", ()) or ("body",)
    out: dict[str, Any] = {"detail": error.get("msg", "")}
    if where == "body":
        out["pointer"] = "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)
    else:
        out["parameter"] = ".".join(str(p) for p in path) or str(where)
        out["in"] = str(where)
    return out


def validation_error(exc: RequestValidationError) -> InvalidInput:
    """FastAPI's request validation failure as ours: 400 when the body could not be read at all,
    422 when it was read and a value is wrong; each bad field named with a JSON pointer."""
    raw = list(exc.errors())
    errors = [_field_error(e) for e in raw]
    if any(e.get("type") in _UNREADABLE for e in raw):
        return MalformedRequest("the request body is not valid JSON (or not UTF-8)", errors=errors)
    named = "; ".join(f"{e.get('pointer') or e.get('parameter')}: {e['detail']}" for e in errors[:5])
    return InvalidInput(f"the request is invalid: {named}", errors=errors)


def not_json(request: Request, exc: RequestValidationError) -> UnsupportedMedia | None:
    """A JSON operation sent a body of another media type: 415 saying what to send, rather than a
    422 about the body's shape (FastAPI reads such a body as a string and finds no object in it)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return None
    if any(tuple(e.get("loc", ())) == ("body",) for e in exc.errors()):
        shown = media or "no Content-Type"
        return UnsupportedMedia(
            f"send the body as application/json (got {shown})", content_type=media or None
        )
    return None


def http_error(exc: StarletteHTTPException) -> KyodakuError:
    """Starlette's own refusals (no such route, method not allowed) in the same problem format."""
    error = KyodakuError(str(exc.detail))
    error.http_status = exc.status_code
    error.code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error


def install_error_handlers(app: FastAPI) -> None:
    """Answer every kyodaku error, FastAPI's validation errors and Starlette's routing refusals in the
    one problem format (the portal's paths as pages)."""
    from kyodaku.portal import error_page, is_portal

    @app.exception_handler(KyodakuError)
    async def _kyodaku_error(request: Request, exc: KyodakuError) -> Response:
        if is_portal(request):  # the same status, rendered as a page for a browser
            return await run_in_threadpool(error_page, request, exc)
        return error_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_portal(request):
            return await run_in_threadpool(error_page, request, validation_error(exc))
        wrong_type = not_json(request, exc)
        return error_response(wrong_type or validation_error(exc), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_response(http_error(exc), request.url.path)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response


def allowed_methods(request: Request) -> list[str]:
    """Every method any route serves at this path (Starlette names only the first route's, and the
    API has one route per method)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match in (Match.FULL, Match.PARTIAL):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)
