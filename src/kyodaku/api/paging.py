"""Cursor paging for the API's lists: `limit`, an opaque `cursor`, a `next` link.

A cursor names the last id of the page before and carries a checksum over that id and the query it
belongs to (path and filters), so a cursor altered by hand or reused with other filters is refused
(422, naming the `cursor` parameter) instead of silently paging something else. It is a checksum,
not a secret: the rows a caller may see are decided by the server on every page, so a forged cursor
could only skip ahead within what the caller may read anyway.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from kyodaku.domain.errors import InvalidInput
from kyodaku.registry.paging import DEFAULT_PAGE, MAX_PAGE, Page, PageQuery

LimitQ = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Items per page (at most {MAX_PAGE}).")]
CursorQ = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+\.[0-9a-f]{16}$",
        description="The previous page's `next_cursor`; omit for the first.",
    ),
]
_MAX_CURSOR = 512


def _fingerprint(path: str, filters: Mapping[str, Any]) -> str:
    query = sorted((k, str(v)) for k, v in filters.items() if v is not None)
    return json.dumps([path, query], separators=(",", ":"))


def _checksum(after: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{fingerprint}\n{after}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def encode_cursor(after: str, path: str, filters: Mapping[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(after.encode("utf-8", "surrogatepass")).decode().rstrip("=")
    return f"{payload}.{_checksum(after, _fingerprint(path, filters))}"


def decode_cursor(cursor: str | None, path: str, filters: Mapping[str, Any]) -> str | None:
    """The id to continue after, or None for the first page; InvalidInput for a foreign or altered one."""
    if cursor is None or cursor == "":
        return None
    refused = InvalidInput(
        "the cursor is not one this query gave (altered, or from other filters): start again without it",
        errors=[{"parameter": "cursor", "in": "query", "detail": "unknown cursor"}],
    )
    payload, _, checksum = cursor.partition(".")
    if len(cursor) > _MAX_CURSOR or not payload or not checksum:
        raise refused
    try:
        after = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise refused from None
    if checksum != _checksum(after, _fingerprint(path, filters)):
        raise refused
    return after


def page_query(request: Request, limit: int, cursor: str | None, **filters: Any) -> PageQuery:
    """The store query for this request's page (the cursor checked against the filters)."""
    after = decode_cursor(cursor, request.url.path, filters)
    known = {k: v for k, v in filters.items() if k in ("owner", "kind", "subject", "updated_since")}
    return PageQuery(limit=limit, after=after, **known)


def page_body(
    request: Request,
    response: Response,
    page: Page[Any],
    to_dict: Callable[[Any], dict[str, Any]],
    limit: int,
    filters: Mapping[str, Any],
    position: Callable[[Any], str] = lambda item: item.id,
) -> dict[str, Any]:
    """`{"items": [...], "next_cursor": ..., "next": ...}`, and the same link in a `Link` header.
    `position` names where the next page starts after an item (its id, for lists ordered by id)."""
    next_cursor = next_url = None
    if page.more and page.items:
        next_cursor = encode_cursor(position(page.items[-1]), request.url.path, filters)
        params = {k: _text(v) for k, v in filters.items() if v is not None}
        next_url = f"{request.url.path}?{urlencode({**params, 'limit': limit, 'cursor': next_cursor})}"
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return {"items": [to_dict(i) for i in page.items], "next_cursor": next_cursor, "next": next_url}


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class PageBody(BaseModel):
    """One page of a list: its items, and where the next page is (both null on the last page)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page.")
    next: str | None = Field(description="The next page's URL (also sent in the `Link` header).")


__all__ = ["DEFAULT_PAGE", "CursorQ", "LimitQ", "PageBody", "page_body", "page_query"]
