"""Signing in and out of the portal, and the entry page.

Sign-in takes an API key's secret once and opens a server-side session (`sessions.py`); the browser
keeps only the session cookie. The sign-in form is protected by the double-submit pattern (a random
value in a cookie and in the form), since there is no session yet to hold a form token.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from kyodaku.domain.errors import Unauthenticated
from kyodaku.portal.sessions import SESSION_TTL
from kyodaku.portal.web import (
    PREFIX,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    check_form,
    read_form,
    redirect,
    render,
    set_cookie,
    viewer,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def home_of(who) -> str:
    return f"{PREFIX}/queue" if who.is_desk else f"{PREFIX}/home"


@router.get("")
@router.get("/")
def index(request: Request):
    who = viewer(request, required=False)
    return redirect(home_of(who) if who.session else f"{PREFIX}/signin")


@router.get("/signin")
def signin_page(request: Request, error: str | None = None):
    who = viewer(request, required=False)
    if who.session is not None:
        return redirect(home_of(who))
    token = secrets.token_urlsafe(24)
    response = render(request, "signin.html", who, signin_token=token, error=error)
    set_cookie(request, response, SIGNIN_COOKIE, token, max_age=3600)
    return response


@router.post("/signin")
async def signin(request: Request):
    form = await read_form(request)
    cookie = request.cookies.get(SIGNIN_COOKIE, "")
    check_form(request, form, cookie)  # double submit: the form's value must be the cookie's
    who = viewer(request, required=False)
    try:
        opened = await run_in_threadpool(
            request.app.state.portal_sessions.open, str(form.get("key", "")), who.lang
        )
    except Unauthenticated:
        token = secrets.token_urlsafe(24)
        response = render(
            request, "signin.html", who, status=401, signin_token=token, error="invalid or revoked API key"
        )
        set_cookie(request, response, SIGNIN_COOKIE, token, max_age=3600)
        return response
    response = redirect(f"{PREFIX}/")
    set_cookie(request, response, SESSION_COOKIE, opened.token, max_age=int(SESSION_TTL.total_seconds()))
    response.delete_cookie(SIGNIN_COOKIE, path=PREFIX)
    return response


@router.post("/signout")
async def signout(request: Request):
    who = viewer(request, required=False)
    form = await read_form(request)
    if who.session is None:
        return redirect(f"{PREFIX}/signin")
    check_form(request, form, who.session.csrf)
    await run_in_threadpool(request.app.state.portal_sessions.close, request.cookies.get(SESSION_COOKIE))
    response = redirect(f"{PREFIX}/signin")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response
