"""The portal's request plumbing: templates, the signed-in caller, form tokens, safe headers.

Every page is rendered on the server from Jinja2 templates with autoescaping on, so a name or a
claim text containing markup is shown as text, never run. Every response carries a Content Security
Policy without inline scripts, so even a template mistake cannot run injected script; pages work
without JavaScript (plain forms, SVG charts).

CSRF: each session has a random form token; every form posts it back and `check_form` compares it
in constant time, and refuses a POST whose Origin names another site. The sign-in form, which comes
before any session, uses the double-submit pattern: the same random value in a cookie and in the
form. Cookies are HttpOnly and SameSite=Lax (Secure when served over HTTPS), scoped to /portal.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from kyodaku.domain.access import Principal, Role
from kyodaku.domain.errors import Forbidden, Unauthenticated
from kyodaku.portal.i18n import LANG_COOKIE, LANGS, pick_lang, translator
from kyodaku.portal.sessions import PortalSession

PREFIX = "/portal"
SESSION_COOKIE = "kyodaku_session"
SIGNIN_COOKIE = "kyodaku_signin"
MAX_FORM_FIELDS = 200
"""Form fields per POST: the largest form (a permission) has about a dozen."""

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class SignInRequired(Unauthenticated):
    """No live session: the portal answers with the sign-in page (a redirect), not an error page."""


@dataclass(frozen=True)
class Viewer:
    """The caller of a portal page: the session (None on the sign-in page) and the page's language."""

    session: PortalSession | None
    lang: str

    @property
    def principal(self) -> Principal:
        if self.session is None:
            raise SignInRequired("sign in first")
        return self.session.principal

    @property
    def is_desk(self) -> bool:
        """Operators and admins work the claims desk."""
        return self.session is not None and self.principal.role in (Role.OPERATOR, Role.ADMIN)

    @property
    def rightsholder(self) -> str | None:
        return self.principal.rightsholder if self.session else None


def viewer(request: Request, *, required: bool = True) -> Viewer:
    """Who is asking, from the session cookie; `SignInRequired` when a page needs a session."""
    sessions = request.app.state.portal_sessions
    session = sessions.find(request.cookies.get(SESSION_COOKIE))
    query_lang = request.query_params.get("lang")
    lang = pick_lang(
        query_lang,
        session.lang if session else None,
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    if session is not None and query_lang in LANGS and query_lang != session.lang:
        sessions.set_lang(session, query_lang)
    if required and session is None:
        raise SignInRequired("sign in first")
    return Viewer(session, lang)


def render(request: Request, template: str, who: Viewer, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from `template`, with the caller, the language's words and the form token."""
    html = _env.get_template(template).render(
        t=translator(who.lang),
        lang=who.lang,
        who=who,
        csrf=who.session.csrf if who.session else "",
        prefix=PREFIX,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers=HEADERS)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(
            LANG_COOKIE,
            who.lang,
            max_age=365 * 86400,
            path=PREFIX,
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )
    return response


def redirect(url: str) -> RedirectResponse:
    """After a POST: 303 so the browser GETs the next page (reloading it posts nothing twice)."""
    return RedirectResponse(url, status_code=303, headers=HEADERS)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None  # a form from a sandboxed or file page sends "null": refused
    ours = urlsplit(str(request.base_url))
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


async def read_form(request: Request, *, files: int = 0) -> FormData:
    """The posted form, with limits on its fields and files (the body size is BodyLimit's)."""
    return await request.form(max_files=files, max_fields=MAX_FORM_FIELDS)


def check_form(request: Request, form: FormData, expected: str) -> None:
    """Refuse (403) a POST without the right form token, or from another site's page."""
    if not _same_origin(request):
        raise Forbidden("this form was posted from another site", reason="origin")
    sent = form.get("csrf")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise Forbidden(
            "the form's security token is missing or stale: reload the page and try again", reason="csrf"
        )
