"""Who is calling: the one authentication dependency every route uses.

Declared as OpenAPI security schemes (HTTP bearer, and the `X-API-Key` header as an API-key scheme),
not as header parameters, so the `/docs` page's Authorize button works and generated clients take
the key once, as a credential, instead of as an argument of every call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from kyodaku.domain.access import Principal
from kyodaku.domain.errors import Unauthenticated

bearer = HTTPBearer(
    auto_error=False, scheme_name="bearer", description="An API key: `Authorization: Bearer kyk_...`."
)
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey", description="The same API key, in `X-API-Key`."
)


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
    header_key: Annotated[str | None, Depends(api_key_header)] = None,
) -> Principal:
    """`Authorization: Bearer <key>` (or `X-API-Key`), checked against the key store."""
    if credentials is None and request.headers.get("authorization"):
        raise Unauthenticated("use 'Authorization: Bearer <key>'")
    secret = credentials.credentials.strip() if credentials is not None else header_key
    if not secret:
        raise Unauthenticated("an API key is required (Authorization: Bearer <key>)")
    return request.app.state.store.authenticate(secret)


Caller = Annotated[Principal, Depends(principal)]
