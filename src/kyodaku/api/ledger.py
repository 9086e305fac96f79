"""Provenance over HTTP: every screen recorded, `GET /v1/ledger/head`, `GET /v1/ledger/{id}`,
`POST /v1/trace`.

Who sees what: admins and operators every entry; a rightsholder only entries whose decisions
concern one of its own entries, and any other id answers 404 exactly as an unknown id does, so
guessing ids tells it nothing. A trace by a rightsholder is filtered the same way. The signed tree
head is public by nature (it is meant to be published) and any key may read it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from kyodaku.api.auth import Caller
from kyodaku.api.media import read_upload
from kyodaku.domain.access import Action, Principal, require
from kyodaku.domain.errors import ConfigurationError, NotFound

router = APIRouter(tags=["provenance"])


def record(request: Request, who: Principal, decision, prompt: str | None) -> str | None:
    """Append `decision` to the ledger when the service keeps one; returns the entry id (None when
    off). Called in the threadpool: a SQLite or PostgreSQL commit."""
    ledger = getattr(request.app.state, "ledger", None)
    if ledger is None:
        return None
    from kyodaku.provenance.entry import Record

    keep = request.app.state.ledger_prompt_text
    entry = ledger.append(
        decision, Record(source="api", actor=who.key_id, prompt=prompt, keep_prompt_text=keep)
    )
    return entry.entry_id


def _ledger(request: Request):
    ledger = getattr(request.app.state, "ledger", None)
    if ledger is None:
        raise ConfigurationError("this server keeps no ledger (KYODAKU_LEDGER=false)")
    return ledger


def _visible(who: Principal, entry) -> bool:
    return entry.visible_to(who)


@router.get("/v1/ledger/head")
def ledger_head(request: Request, who: Caller) -> dict[str, Any]:
    """The latest signed tree head; signs a new one first when the ledger grew and a key is set."""
    ledger = _ledger(request)
    key = request.app.state.ledger_key
    if key is not None and ledger.size() > 0:
        try:
            latest = ledger.latest_head().tree_size
        except NotFound:
            latest = 0
        if ledger.size() > latest:
            return ledger.sign_head(key).to_dict()
    return ledger.latest_head().to_dict()


@router.get("/v1/ledger/{entry_id}")
def ledger_entry(entry_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """One ledger entry (a rightsholder: only entries about its own entries; others are 404)."""
    require(who, Action.READ_LEDGER)
    entry = _ledger(request).get(entry_id)
    if not _visible(who, entry):
        raise NotFound(f"no ledger entry {entry_id!r}")
    return entry.to_dict()


@router.post("/v1/trace")
async def trace_upload(request: Request, who: Caller, file: UploadFile) -> dict[str, Any]:
    """The ledger entries an output found later leads to (multipart `file`), each with how it was found."""
    require(who, Action.READ_LEDGER)
    ledger = _ledger(request)
    data = await read_upload(file, request.app.state.max_upload_bytes)
    from kyodaku.provenance.trace import TraceOptions, trace

    result = await run_in_threadpool(
        trace,
        ledger,
        data,
        request.app.state.ledger_index,
        TraceOptions(max_pixels=request.app.state.max_pixels),
        file.filename or "upload",
    )
    result.matches = [m for m in result.matches if _visible(who, m.entry)]
    return result.to_dict()
