"""Who is calling: the one authentication dependency every route uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from kyodaku.domain.access import Principal
from kyodaku.domain.errors import Unauthenticated


def principal(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """`Authorization: Bearer <key>` (or `X-API-Key`), checked against the key store."""
    secret = x_api_key
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("use 'Authorization: Bearer <key>'")
        secret = value.strip()
    if not secret:
        raise Unauthenticated("an API key is required (Authorization: Bearer <key>)")
    return request.app.state.store.authenticate(secret)


Caller = Annotated[Principal, Depends(principal)]
