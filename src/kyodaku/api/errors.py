"""Errors as HTTP answers: the one place an exception becomes a status and a JSON body.

Modules raise the `kyodaku.domain.errors` subclass that says what went wrong; each class carries its
HTTP status (`http_status`) beside its exit code, so the hierarchy stays the single table and this
module the single place that applies it. Every refusal therefore reads the same, whether a route, a
dependency (authentication) or the body-size middleware raised it: `{"error": code, "message": ...,
"details": {...}}`, with the class's status.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kyodaku.domain.errors import InvalidInput, KyodakuError


def error_response(exc: KyodakuError) -> JSONResponse:
    """The answer to a kyodaku error: its class's status (inherited from the nearest parent that sets
    one, so a new subclass answers like its parent) and its JSON body. Also an ASGI app, so
    middleware sends it as is."""
    return JSONResponse(exc.to_dict(), status_code=exc.http_status)


def validation_error(exc: RequestValidationError) -> InvalidInput:
    """FastAPI's request validation failure as our InvalidInput, each bad field named."""
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    return InvalidInput("the request body is invalid", errors=errors)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every kyodaku error, and FastAPI's own validation errors, in the one JSON format."""

    from kyodaku.portal import error_page, is_portal

    @app.exception_handler(KyodakuError)
    async def _kyodaku_error(request: Request, exc: KyodakuError) -> Response:
        if is_portal(request):  # the same status, rendered as a page for a browser
            return await run_in_threadpool(error_page, request, exc)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_portal(request):
            return await run_in_threadpool(error_page, request, validation_error(exc))
        return error_response(validation_error(exc))
