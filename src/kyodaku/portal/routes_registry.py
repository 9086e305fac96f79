"""A rightsholder's own part of the registry in the portal: dashboard, catalog, entries with their
references, permissions (current, as of a past time, their history, and what they let whom do), and
what was blocked for them. Operators and admins see every rightsholder's; a rightsholder asking for
another's entry or reference by id gets the same 404 as for an id nobody registered (the registry
service decides, exactly as for the API).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import Effect, EntityKind, Permission, Use, to_utc
from kyodaku.policy.engine import PolicyEngine, ScreenContext
from kyodaku.portal.activity import activity
from kyodaku.portal.charts import bar_chart, day_chart
from kyodaku.portal.files import thumbnail_response
from kyodaku.portal.web import PREFIX, check_form, read_form, redirect, render, viewer
from kyodaku.registry.paging import PageQuery

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PAGE = 100
"""Entries per catalog page (a 40,000-entry registry is paged, never sent whole)."""
DAY_CHOICES = (7, 30, 90)


def _state(request: Request):
    return request.app.state


def _names(state, who, ids) -> dict[str, str]:
    """Display names of the entries a page shows: a rightsholder's own (few); for the desk only the
    ids on the page, from the serving snapshot (a 40,000-entry registry is never read per view)."""
    if who.rightsholder:
        return {e.id: e.display_name() for e in state.service.list_entities(who.principal)}
    entities = state.guard.snapshot.entities
    return {i: entities[i].display_name() for i in ids if i in entities}


def _counts(state, who) -> tuple[int, int]:
    """Entries and permissions the caller sees (the desk: the serving snapshot's, without a query)."""
    if who.rightsholder:
        p = who.principal
        return len(state.service.list_entities(p)), len(state.service.list_permissions(p))
    snapshot = state.guard.snapshot
    return len(snapshot.entities), len(snapshot.catalog.permissions)


@router.get("/home")
def home(request: Request, days: int = 30):
    who = viewer(request)
    state = _state(request)
    p = who.principal
    days = days if days in DAY_CHOICES else 30
    act = activity(state.store.engine, who.rightsholder, days=days)
    entity_count, permission_count = _counts(state, who)
    open_cases = [c for c in state.desk.list(p, limit=200) if c.next_deadline() is not None]
    t_title = "blocked_by_day"
    return render(
        request,
        "home.html",
        who,
        act=act,
        days=days,
        day_choices=DAY_CHOICES,
        entity_count=entity_count,
        permission_count=permission_count,
        open_cases=open_cases[:10],
        day_svg=day_chart(act.by_day, t_title),
        entity_svg=bar_chart(act.by_entity, "by entry"),
        matcher_svg=bar_chart(act.by_matcher, "by matcher"),
    )


@router.get("/blocked")
def blocked(request: Request, days: int = 30):
    who = viewer(request)
    state = _state(request)
    days = days if days in DAY_CHOICES else 30
    act = activity(state.store.engine, who.rightsholder, days=days, recent=100)
    names = _names(state, who, {d.entity for d in act.recent})
    return render(
        request,
        "blocked.html",
        who,
        act=act,
        days=days,
        day_choices=DAY_CHOICES,
        names=names,
        day_svg=day_chart(act.by_day, "by day"),
        entity_svg=bar_chart(act.by_entity, "by entry"),
        matcher_svg=bar_chart(act.by_matcher, "by matcher"),
    )


@router.get("/catalog")
def catalog(request: Request, after: str | None = None):
    """The entries by id, a page at a time (the registry's paging: never the whole of it)."""
    who = viewer(request)
    state = _state(request)
    page = state.service.page_entities(who.principal, PageQuery(limit=PAGE, after=after or None))
    refs: dict[str, int] = {}
    for info in state.service.list_references(who.principal) if who.rightsholder else ():
        refs[info.entity_id] = refs.get(info.entity_id, 0) + 1
    total, _ = _counts(state, who)
    return render(request, "catalog.html", who, entities=page.items, total=total,
                  next_after=page.last_id if page.more else None, refs=refs)  # fmt: skip


@router.get("/entries/{entity_id}")
def entry(request: Request, entity_id: str):
    who = viewer(request)
    state = _state(request)
    entity = state.service.get_entity(who.principal, entity_id)  # another's: 404, as unknown
    references = state.service.list_references(who.principal, entity_id)
    permissions = [
        x
        for x in state.service.list_permissions(who.principal)
        if x.owner == entity.owner and x.subject in (entity.id, entity.work, "*")
    ]
    return render(
        request,
        "entry.html",
        who,
        entity=entity,
        references=references,
        permissions=permissions,
        can_write=who.principal.role.value != "operator",
    )


@router.post("/entries/{entity_id}/references")
async def upload_reference(request: Request, entity_id: str):
    who = viewer(request)
    form = await read_form(request, files=1)
    check_form(request, form, who.session.csrf)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise InvalidInput("choose a file to upload")
    state = _state(request)
    await run_in_threadpool(state.service.check_reference_write, who.principal, entity_id)

    def attach() -> None:
        from kyodaku.refs.ingest import ingest_reference

        upload.file.seek(0)
        ingest_reference(
            state.store,
            state.refstore,
            who.principal,
            entity_id,
            upload.file,
            filename=upload.filename,
            options=state.hash_options,
            max_bytes=state.max_upload_bytes,
        )
        state.refresher.refresh()  # the next screening request sees it

    await run_in_threadpool(attach)
    return redirect(f"{PREFIX}/entries/{entity_id}?saved=1")


@router.get("/references/{reference_id}/thumb")
def reference_thumb(request: Request, reference_id: str):
    who = viewer(request)
    state = _state(request)
    info = state.service.get_reference(who.principal, reference_id)  # another's: 404
    return thumbnail_response(request, info.sha256, info.media_type)


# -- permissions ----------------------------------------------------------------------------------
def _as_of(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = to_utc(value)
    except ValueError:
        raise InvalidInput(f"not a date or time: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _access(catalog, licensee: str | None, region: str | None, at: datetime) -> list[dict]:
    """What the policy decides for each entry and use, before any content is looked at."""
    engine = PolicyEngine(catalog)
    ctx_base = ScreenContext(licensee=licensee or None, region=(region or "").upper() or None, at=at)
    rows = []
    for e in catalog.entities:
        uses = [Use.STYLE, Use.TRAIN] if e.kind is EntityKind.STYLE else [Use.GENERATE, Use.TRAIN]
        cells = []
        for use in uses:
            ctx = ScreenContext(ctx_base.licensee, ctx_base.region, at, use)
            outcome = engine.decide(e, ctx, at, [])
            cells.append(
                {
                    "use": use.value,
                    "verdict": outcome.verdict.value,
                    "reason": outcome.reason,
                    "permission": outcome.permission,
                }
            )
        rows.append({"entity": e, "cells": cells})
    return rows


@router.get("/permissions")
def permissions(
    request: Request,
    at: str | None = None,
    licensee: str | None = None,
    region: str | None = None,
    saved: str | None = None,
):
    who = viewer(request)
    state = _state(request)
    when = _as_of(at)
    catalog = (
        state.service.catalog_at(who.principal, at=when) if when else state.service.catalog_at(who.principal)
    )
    history = state.store.permission_history(who.rightsholder, limit=100)
    check_at = when or datetime.now(UTC)
    access = _access(catalog, licensee, region, check_at) if who.rightsholder else []
    return render(
        request,
        "permissions.html",
        who,
        catalog=catalog,
        at=at or "",
        licensee=licensee or "",
        region=region or "",
        history=history,
        access=access,
        saved=saved,
        entities=state.service.list_entities(who.principal),
        can_write=who.principal.role.value != "operator",
    )


def _listed(value: object) -> tuple[str, ...]:
    return tuple(x.strip() for x in str(value or "*").split(",") if x.strip()) or ("*",)


def _permission_from(form, owner: str | None, service, principal) -> Permission:
    """The permission a form describes; InvalidInput naming the field that is wrong. Rules between
    entries (the subject exists and is the owner's, the id is free) are the registry's, as for the API."""
    subject = str(form.get("subject") or "").strip()
    if not subject:
        raise InvalidInput("choose the entry the permission is about", field="subject")
    if owner is None:  # an admin grants for the subject's owner
        if subject == "*":
            raise InvalidInput("an admin grants on a named entry (its owner is the permission's owner)")
        owner = service.get_entity(principal, subject).owner
    try:
        uses = tuple(Use(str(u)) for u in form.getlist("uses"))
    except ValueError:
        raise InvalidInput("uses are generate, style or train", field="uses") from None
    if not uses:
        raise InvalidInput("tick at least one use", field="uses")
    try:
        effect = Effect(str(form.get("effect") or "allow"))
    except ValueError:
        raise InvalidInput("the effect is allow or deny", field="effect") from None
    dates = {}
    for name in ("valid_from", "valid_until"):
        value = str(form.get(name) or "").strip()
        dates[name] = _as_of(value) if value else None
    return Permission(
        id=str(form.get("id") or "").strip() or f"perm-{secrets.token_hex(4)}",
        owner=owner,
        subject=subject,
        uses=uses,
        effect=effect,
        licensees=_listed(form.get("licensees")),
        regions=tuple(r.upper() for r in _listed(form.get("regions"))),
        valid_from=dates["valid_from"],
        valid_until=dates["valid_until"],
    )


@router.post("/permissions")
async def add_permission(request: Request):
    who = viewer(request)
    form = await read_form(request)
    check_form(request, form, who.session.csrf)
    state = _state(request)

    def save() -> str:
        permission = _permission_from(form, who.rightsholder, state.service, who.principal)
        state.service.put_permission(who.principal, permission)
        state.refresher.refresh()  # the next screening request obeys it
        return permission.id

    saved = await run_in_threadpool(save)
    return redirect(f"{PREFIX}/permissions?saved={saved}")


@router.get("/permissions/{permission_id}/revoke")
def revoke_confirm(request: Request, permission_id: str):
    who = viewer(request)
    permission = _state(request).service.get_permission(who.principal, permission_id)
    return render(request, "revoke.html", who, permission=permission)


@router.post("/permissions/{permission_id}/revoke")
async def revoke(request: Request, permission_id: str):
    who = viewer(request)
    form = await read_form(request)
    check_form(request, form, who.session.csrf)
    state = _state(request)

    def run() -> None:
        state.service.revoke_permission(who.principal, permission_id)
        state.refresher.refresh()

    await run_in_threadpool(run)
    return redirect(f"{PREFIX}/permissions")
