"""Claims and inquiries in the portal: the claimant's list, form and case page; the desk's queue
(sorted by deadline) and the case view with the evidence side by side and its actions, each behind
a confirmation page. Every read and move goes through the claims desk, which answers another
rightsholder's case exactly like an unknown id (404) and refuses moves the table does not allow.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from kyodaku.claims.desk import NewCase
from kyodaku.claims.model import DECIDED, CaseKind, CaseState, Party, allowed_moves
from kyodaku.domain.access import Role
from kyodaku.domain.errors import InvalidInput, NotFound
from kyodaku.portal.files import thumbnail_response
from kyodaku.portal.web import PREFIX, check_form, read_form, redirect, render, viewer

router = APIRouter(prefix=PREFIX, include_in_schema=False)
QUEUE_PAGE = 50
OPEN = [s for s in CaseState if s not in DECIDED]


def _desk(request: Request):
    return request.app.state.desk


@router.get("/cases")
def cases(request: Request, state: str = "open", offset: int = 0):
    """The claimant's own cases (the desk's queue for operators), nearest deadline first."""
    who = viewer(request)
    desk = _desk(request)
    states = OPEN if state == "open" else None if state == "all" else [_state_of(state)]
    offset = max(0, offset)
    page = desk.list(who.principal, states, limit=QUEUE_PAGE, offset=offset)
    now = desk.clock()
    return render(
        request,
        "cases.html",
        who,
        cases=page,
        now=now,
        state=state,
        offset=offset,
        page=QUEUE_PAGE,
        overdue=desk.count(who.principal, overdue=True),
        open_count=desk.count(who.principal, OPEN),
        states=list(CaseState),
    )


@router.get("/queue")
def queue(request: Request, state: str = "open", offset: int = 0):
    return cases(request, state, offset)


def _state_of(value: str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        raise InvalidInput(f"unknown case state {value!r}") from None


@router.get("/cases/new")
def new_case(request: Request):
    who = viewer(request)
    entities = request.app.state.service.list_entities(who.principal) if who.rightsholder else []
    return render(request, "case_new.html", who, entities=entities, kinds=list(CaseKind))


@router.post("/cases/new")
async def file_case(request: Request):
    who = viewer(request)
    form = await read_form(request, files=1)
    check_form(request, form, who.session.csrf)
    upload = form.get("file")
    data = name = None
    if upload is not None and not isinstance(upload, str) and upload.filename:
        limit = request.app.state.max_upload_bytes
        data = await upload.read(limit + 1)
        name = upload.filename
        if not data:
            data = name = None
    try:
        kind = CaseKind(str(form.get("kind") or "claim"))
    except ValueError:
        raise InvalidInput("kind must be claim or inquiry") from None
    new = NewCase(
        kind=kind,
        entities=[str(x) for x in form.getlist("entities")],
        text=str(form.get("text") or ""),
        ledger_id=str(form.get("ledger_id") or "").strip() or None,
        link=str(form.get("link") or "").strip() or None,
        file=data,
        file_name=name,
    )
    case = await run_in_threadpool(_desk(request).file, who.principal, new)
    return redirect(f"{PREFIX}/cases/{case.id}")


def _reference_ids(value: Any) -> list[str]:
    """The reference ids a re-match's evidence names (wherever in its facts they are)."""
    found: list[str] = []
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, dict) and isinstance(ref.get("id"), str):
            found.append(ref["id"])
        for v in value.values():
            found.extend(_reference_ids(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(_reference_ids(v))
    return list(dict.fromkeys(found))


def _moves(case, who) -> list[CaseState]:
    """The moves this caller may make now (the table's, filtered by party)."""
    out = []
    for to, party in allowed_moves(case.state).items():
        if (party is Party.DESK and who.is_desk) or (
            party is Party.CLAIMANT
            and (who.principal.role is Role.ADMIN or who.rightsholder == case.rightsholder)
        ):
            out.append(to)
    return out


@router.get("/cases/{case_id}")
def case_view(request: Request, case_id: str):
    who = viewer(request)
    desk = _desk(request)
    case = desk.get(who.principal, case_id)  # another's: 404, as unknown
    rematch = case.evidence.get("rematch") or {}
    refs = _reference_ids(rematch.get("findings") or [])[:6]
    return render(
        request,
        "case.html",
        who,
        case=case,
        now=desk.clock(),
        moves=_moves(case, who),
        reference_ids=refs,
        deadline=case.next_deadline(),
        overdue=case.overdue(desk.clock()),
    )


@router.get("/cases/{case_id}/file")
def case_file(request: Request, case_id: str):
    who = viewer(request)
    case = _desk(request).get(who.principal, case_id)
    if not case.file_sha256:
        raise NotFound(f"case {case_id} has no file")
    return thumbnail_response(request, case.file_sha256, "file")


@router.get("/cases/{case_id}/move")
def move_confirm(request: Request, case_id: str, to: str):
    who = viewer(request)
    case = _desk(request).get(who.principal, case_id)
    target = _state_of(to)
    if target not in _moves(case, who):
        raise InvalidInput(f"case {case_id} is {case.state.value}: you cannot make it {target.value}")
    return render(request, "move.html", who, case=case, to=target)


@router.post("/cases/{case_id}/move")
async def move(request: Request, case_id: str):
    who = viewer(request)
    form = await read_form(request)
    check_form(request, form, who.session.csrf)
    target = _state_of(str(form.get("to") or ""))
    await run_in_threadpool(_desk(request).move, who.principal, case_id, target, str(form.get("note") or ""))
    return redirect(f"{PREFIX}/cases/{case_id}")
