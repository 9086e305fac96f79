"""The claims and inquiries desk over HTTP.

`POST /v1/cases` (multipart: `kind`, `entities`, `text`, and `ledger_id`, `link` and/or `file`)
files a case for the caller's rightsholder; `GET /v1/cases` lists the caller's cases (the desk:
all of them) by deadline; `GET /v1/cases/overdue`; `GET /v1/cases/{id}` with its history;
`POST /v1/cases/{id}/transitions` (`{"to": state, "note": text}`) moves it. Another
rightsholder's case answers 404 exactly like an unknown id. The work (tracing and re-matching an
uploaded output, adding references on uphold) runs in the threadpool.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kyodaku.api.auth import Caller
from kyodaku.api.media import read_upload
from kyodaku.api.paging import (
    DEFAULT_PAGE,
    CursorQ,
    LimitQ,
    PageBody,
    decode_cursor,
    page_body,
)
from kyodaku.claims.desk import NewCase
from kyodaku.claims.model import CaseKind, CaseState
from kyodaku.registry.paging import Page

router = APIRouter(tags=["claims"])


class MoveBody(BaseModel):
    to: CaseState
    note: str = Field("", max_length=20_000)


def _desk(request: Request):
    return request.app.state.desk


@router.post("/v1/cases", status_code=201)
async def file_case(
    request: Request,
    who: Caller,
    kind: Annotated[CaseKind, Form()],
    entities: Annotated[str, Form(description="Comma-separated ids of your entries the case is about.")],
    text: Annotated[str, Form(max_length=20_000)],
    ledger_id: Annotated[str | None, Form()] = None,
    link: Annotated[str | None, Form(max_length=2_000)] = None,
    file: UploadFile | None = None,
) -> dict[str, Any]:
    """File a claim (about an output: a file, a ledger id, or a link with a copy) or an inquiry."""
    data = None
    if file is not None and (file.filename or file.size):
        data = await read_upload(file, request.app.state.max_upload_bytes)
    new = NewCase(
        kind=kind, entities=entities.split(","), text=text, ledger_id=ledger_id or None, link=link or None,
        file=data, file_name=file.filename if file is not None and data is not None else None,
    )  # fmt: skip
    case = await run_in_threadpool(_desk(request).file, who, new)
    return case.to_dict()


@router.get("/v1/cases", response_model=PageBody)
def list_cases(
    request: Request,
    response: Response,
    who: Caller,
    state: CaseState | None = None,
    limit: LimitQ = DEFAULT_PAGE,
    cursor: CursorQ = None,
) -> dict[str, Any]:
    """The caller's cases (the desk's: everyone's), the nearest deadline first, a page at a time. The
    order follows the cases' deadlines, which move as cases do: a case moved meanwhile may appear on
    an earlier page than expected, never twice on the way."""
    filters = {"state": state.value if state else None}
    after_text = decode_cursor(cursor, request.url.path, filters)
    after = None
    if after_text is not None:
        due, _, case_id = after_text.partition("|")
        after = (datetime.fromisoformat(due), case_id)
    cases = _desk(request).list(who, [state] if state else None, limit + 1, after=after)
    page = Page(cases[:limit], more=len(cases) > limit)
    # The cursor carries the last case's deadline and id (keyset paging on the queue's order).
    return page_body(request, response, page, lambda c: c.to_dict(events=False), limit, filters,
                     position=lambda c: f"{_sort_key(c).isoformat()}|{c.id}")  # fmt: skip


def _sort_key(case) -> datetime:
    """The deadline the store sorts by (claims/store.py `_next_deadline`)."""
    if case.state is CaseState.RECEIVED and case.acknowledge_by < case.decide_by:
        return case.acknowledge_by
    return case.decide_by


@router.get("/v1/cases/overdue")
def overdue_cases(request: Request, who: Caller) -> dict[str, Any]:
    """Open cases past their deadline, the most overdue first."""
    desk = _desk(request)
    now = desk.clock()
    return {
        "now": now.isoformat(),
        "cases": [
            {**c.to_dict(events=False), "overdue": c.overdue(now).to_dict()} for c in desk.overdue(who, now)
        ],
    }


@router.get("/v1/cases/{case_id}")
def get_case(case_id: str, request: Request, who: Caller) -> dict[str, Any]:
    return _desk(request).get(who, case_id).to_dict()


@router.post("/v1/cases/{case_id}/transitions")
def move_case(case_id: str, body: MoveBody, request: Request, who: Caller) -> dict[str, Any]:
    """Move a case (the desk: acknowledge, review, decide, escalate; the claimant: withdraw, appeal)."""
    return _desk(request).move(who, case_id, body.to, body.note).to_dict()
