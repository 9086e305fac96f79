"""The portal: server-rendered pages for rightsholders and the claims desk, in the same FastAPI app.

Rightsholders see their catalog, references, permissions (now, as of a past time, their history and
what they let whom do), what was blocked for them, and their cases; operators work the case queue.
Pages are Jinja2 templates with plain forms and server-side SVG charts: nothing to build, usable
without JavaScript. Sign-in is with an API key (the same roles and the same registry service as the
API, so a refusal is the same refusal); see `web.py` for sessions, CSRF and the security headers.

Errors on portal pages are the same exception hierarchy as everywhere (`kyodaku.domain.errors`)
with the same status codes; only their rendering differs: an HTML page in the user's language
instead of JSON, and a redirect to the sign-in page instead of a 401.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from kyodaku.domain.errors import KyodakuError, Unauthenticated
from kyodaku.portal.sessions import SessionStore
from kyodaku.portal.web import HEADERS, PREFIX, SESSION_COOKIE, redirect, render, viewer

STATIC = Path(__file__).parent / "static"


def is_portal(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_page(request: Request, exc: KyodakuError) -> Response:
    """A refusal on a portal page: sign-in for a missing session, else the error in the page's language."""
    if isinstance(exc, Unauthenticated):
        response = redirect(f"{PREFIX}/signin")
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response
    try:
        who = viewer(request, required=False)
    except KyodakuError:  # pragma: no cover - the session store itself failed
        return Response(exc.message, status_code=exc.http_status, media_type="text/plain", headers=HEADERS)
    return render(request, "error.html", who, status=exc.http_status, error=exc)


def install_portal(app: FastAPI, sessions: SessionStore | None = None) -> None:
    """Mount the portal under /portal on an app built by `create_app` (its store, service, desk)."""
    from kyodaku.portal.routes_auth import router as auth_router
    from kyodaku.portal.routes_cases import router as cases_router
    from kyodaku.portal.routes_ledger import router as ledger_router
    from kyodaku.portal.routes_registry import router as registry_router
    from kyodaku.portal.routes_reports import router as reports_router

    app.state.portal_sessions = sessions or SessionStore(app.state.store)
    app.include_router(auth_router)
    app.include_router(registry_router)
    app.include_router(cases_router)
    app.include_router(reports_router)
    app.include_router(ledger_router)

    @app.get(PREFIX + "/static/portal.css", include_in_schema=False)
    def portal_css() -> FileResponse:
        return FileResponse(
            STATIC / "portal.css",
            media_type="text/css",
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )
