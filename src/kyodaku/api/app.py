"""The HTTP API. Routes are thin: authentication in `api/auth.py`, role checks in the one access
table (`kyodaku.domain.access`) and the registry service, decisions in the guard, error mapping in
`api/errors.py`.

CPU-heavy work never runs on the event loop. Screening (embedding a prompt, decoding and hashing an
image or video), hashing uploaded references and recompiling the snapshot after a write each take
from milliseconds to seconds, and on the loop they would stall every other request, `/healthz`
included, for that long. So the routes doing such work are plain `def` (FastAPI runs those in its
threadpool) or, where they must stay `async` to stream an upload body in, hand the heavy part to
`run_in_threadpool`; `/healthz` is `async` because it only reads two attributes, and so answers
even when every threadpool worker is busy screening.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

from kyodaku import __version__
from kyodaku.api.auth import Caller
from kyodaku.api.cases import router as cases_router
from kyodaku.api.errors import install_error_handlers
from kyodaku.api.ledger import record as record_in_ledger
from kyodaku.api.ledger import router as ledger_router
from kyodaku.api.media import UPLOAD_PATHS, BodyLimit
from kyodaku.api.media import router as media_router
from kyodaku.api.paging import DEFAULT_PAGE, CursorQ, LimitQ, PageBody, page_body, page_query
from kyodaku.api.references import install_references
from kyodaku.api.reports import router as reports_router
from kyodaku.api.schemas import (
    EntityBody,
    IdPath,
    IfMatchH,
    KeyBody,
    KeyCreated,
    OwnerQ,
    PermissionBody,
    ScreenPromptRequest,
    SinceQ,
)
from kyodaku.domain.access import Action, require
from kyodaku.domain.model import EntityKind
from kyodaku.policy.engine import ScreenContext
from kyodaku.refresh import SnapshotRefresher
from kyodaku.registry.catalog import permission_to_dict
from kyodaku.registry.etags import entity_document, etag_of
from kyodaku.registry.store import ChangeResult
from kyodaku.screening import Guard, GuardOptions

MAX_BODY_BYTES = 1_000_000


def _attach_references(store, catalog) -> None:
    """A seed catalog's `references:` are attached too; a file that cannot be hashed stops start-up
    (serving with a character silently unprotected would be worse than not serving)."""
    from kyodaku.domain.errors import InvalidInput
    from kyodaku.refs.ingest import import_references, reference_store

    if not any(e.references for e in catalog.entities):
        return
    report = import_references(store, reference_store(), catalog)
    if report.failed:
        problems = "; ".join(f"{f.item}: {f.message}" for f in report.failed)
        raise InvalidInput(f"could not attach {len(report.failed)} reference file(s): {problems}")


def create_app(
    database_url: str,
    options: GuardOptions | None = None,
    catalog: Path | None = None,
    poll_seconds: float = 0.5,
    max_upload_bytes: int = 512 * 1024 * 1024,
    ledger: bool = True,
    ledger_key: Path | None = None,
    ledger_prompt_text: bool = False,
    rate_limit: str | None = None,
) -> FastAPI:
    """Build the app: registry at `database_url`, optionally seeded from a catalog file."""
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.registry.service import RegistryService
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(database_url)
    store.migrate()
    if catalog is not None:
        seed = load_catalog(catalog)
        store.import_catalog(seed, actor="serve")
        _attach_references(store, seed)
    service = RegistryService(store)
    guard = Guard.from_store(store, options or GuardOptions())
    refresher = SnapshotRefresher(store, guard, poll_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        refresher.start()
        try:
            yield
        finally:
            refresher.stop()
            if app.state.ledger is not None:
                app.state.ledger.close()

    app = FastAPI(
        title="kyodaku",
        version=__version__,
        description=(
            "Consent-first rights control for generative AI. Authenticate with `Authorization: Bearer <key>`."
        ),
        lifespan=lifespan,
        # Short operation ids (the route's function name: `put_entity`, `list_cases`), so a generated
        # client's functions read like the API rather than like its URLs.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.store, app.state.service, app.state.guard, app.state.refresher = (
        store,
        service,
        guard,
        refresher,
    )

    install_error_handlers(app)
    from kyodaku.api.contract import install_contract

    install_contract(app)  # the OpenAPI document: roles and every refusal of each operation
    app.state.max_upload_bytes = max_upload_bytes
    app.state.max_pixels = guard.options.max_pixels
    # The generation ledger (provenance): every screen appended, on by default.
    app.state.ledger = app.state.ledger_index = None
    app.state.ledger_key, app.state.ledger_prompt_text = ledger_key, ledger_prompt_text
    if ledger:
        from kyodaku.provenance.ledger import Ledger
        from kyodaku.provenance.trace import LedgerIndex

        app.state.ledger, app.state.ledger_index = Ledger(database_url), LedgerIndex()
    # The claims desk: cases about outputs, traced through the ledger, upheld into the references.
    from kyodaku.claims.desk import ClaimsDesk
    from kyodaku.claims.store import CaseStore
    from kyodaku.media.refstore import ReferenceStore

    app.state.desk = ClaimsDesk(
        store, CaseStore(store.engine), ledger=app.state.ledger, guard=guard,
        refstore=ReferenceStore(guard.options.reference_store), after_reference=refresher.refresh,
        max_file_bytes=max_upload_bytes,
    )  # fmt: skip
    # Middleware, innermost first: retries answered from the first answer (Idempotency), bodies
    # bounded before anything buffers them (BodyLimit), callers over their rate refused first of all.
    from kyodaku.api.idempotency import Idempotency
    from kyodaku.api.ratelimit import RateLimit
    from kyodaku.registry.idempotency import IdempotencyKeys
    from kyodaku.settings import load_settings

    settings = load_settings()
    app.add_middleware(Idempotency, keys=IdempotencyKeys(store.engine))
    app.add_middleware(
        BodyLimit, default_limit=MAX_BODY_BYTES, upload_limit=max_upload_bytes, upload_prefixes=UPLOAD_PATHS
    )
    app.add_middleware(RateLimit, limit=rate_limit if rate_limit is not None else settings.rate_limit,
                       signin_limit=settings.signin_rate_limit)  # fmt: skip
    app.include_router(media_router)
    app.include_router(ledger_router)
    app.include_router(cases_router)
    app.include_router(reports_router)
    app.state.claims_figures = lambda who, since, until: app.state.desk.figures(who, since, until)
    install_references(app)  # reference uploads: streamed into the reference store, limited per file
    from kyodaku.portal import install_portal

    install_portal(app)  # the web portal under /portal: the same service, rendered as pages

    def _after_write(change: ChangeResult) -> int:
        """Swap the write into the guard before answering, so the next request obeys it.

        Recompiling can take a while on a large catalog: only the `def` routes (threadpool) call this.
        """
        refresher.refresh()
        return change.version

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, Any]:
        """Liveness: on the event loop (two attribute reads), so it answers while screens run."""
        snap = guard.snapshot
        return {"status": "ok", "registry_version": snap.version, "snapshot": snap.label,
                "refresh_error": refresher.last_error}  # fmt: skip

    @app.post("/v1/screen/prompt", tags=["screening"])
    def screen_prompt(body: ScreenPromptRequest, who: Caller, request: Request) -> dict[str, Any]:
        """Screen a prompt; returns the same decision object as `kyodaku screen --json`.

        When screening raises unexpectedly (a bug in a matcher), the answer is still 200 with the
        decision the guard makes for that case: BLOCK, `failed_closed: true`, `reason:
        "screening_error"` and the exception's `error_class` (the traceback goes to the server log),
        exactly as a semantic model that failed to load gives a BLOCK failed closed. With fail-closed
        switched off (KYODAKU_FAIL_CLOSED=false) the guard makes no decision: 503
        `screening_unavailable`, an error body only. A 500 never carries a decision it did not make.

        Plain `def`: the semantic matcher embeds the text (CPU), so FastAPI's threadpool runs it.
        """
        require(who, Action.SCREEN)
        ctx = ScreenContext(licensee=body.licensee, region=body.region.upper() if body.region else None,
                            at=body.at, use=body.use)  # fmt: skip
        decision = guard.screen_prompt(body.text, ctx, item_id=body.id)
        entry_id = record_in_ledger(request, who, decision, body.text)
        return {**decision.to_dict(), **({"ledger_id": entry_id} if entry_id else {})}

    @app.get("/v1/entities", tags=["registry"], response_model=PageBody)
    def list_entities(
        who: Caller,
        request: Request,
        response: Response,
        limit: LimitQ = DEFAULT_PAGE,
        cursor: CursorQ = None,
        owner: OwnerQ = None,
        kind: EntityKind | None = None,
        updated_since: SinceQ = None,
    ) -> dict[str, Any]:
        """Entries by id, a page at a time; filter by owner, kind, or changed since a time."""
        filters = {"owner": owner, "kind": kind.value if kind else None, "updated_since": updated_since}
        page = service.page_entities(who, page_query(request, limit, cursor, **filters))
        return page_body(request, response, page, entity_document, limit, filters)

    @app.get("/v1/entities/{entity_id}", tags=["registry"])
    def get_entity(entity_id: IdPath, who: Caller, response: Response) -> dict[str, Any]:
        """One entry; its `ETag` goes in `If-Match` to change or remove it only if nobody else has."""
        entity = service.get_entity(who, entity_id)
        response.headers["ETag"] = etag_of(entity)
        return entity_document(entity)

    @app.put("/v1/entities/{entity_id}", tags=["registry"])
    def put_entity(
        entity_id: IdPath, body: EntityBody, who: Caller, response: Response, if_match: IfMatchH = None
    ) -> dict[str, Any]:
        """Register or update a work, character or style (a new registry version). With `If-Match`,
        only while the entry is still the version read (412 otherwise; `*`: only if it exists)."""
        owner = body.owner or who.rightsholder or ""
        entity = body.to_entity(entity_id, owner)
        version = service.put_entity(who, entity, if_match=if_match)
        response.headers["ETag"] = etag_of(service.get_entity(who, entity_id))
        return {"entity": entity_id, "registry_version": _after_write(version)}

    @app.delete("/v1/entities/{entity_id}", tags=["registry"])
    def delete_entity(entity_id: IdPath, who: Caller, if_match: IfMatchH = None) -> dict[str, Any]:
        version = service.remove_entity(who, entity_id, if_match=if_match)
        return {"entity": entity_id, "removed": True, "registry_version": _after_write(version)}

    @app.get("/v1/permissions", tags=["registry"], response_model=PageBody)
    def list_permissions(
        who: Caller,
        request: Request,
        response: Response,
        limit: LimitQ = DEFAULT_PAGE,
        cursor: CursorQ = None,
        owner: OwnerQ = None,
        subject: OwnerQ = None,
        updated_since: SinceQ = None,
    ) -> dict[str, Any]:
        """Permissions by id, a page at a time; filter by owner, subject, or changed since a time."""
        filters = {"owner": owner, "subject": subject, "updated_since": updated_since}
        page = service.page_permissions(who, page_query(request, limit, cursor, **filters))
        return page_body(request, response, page, permission_to_dict, limit, filters)

    @app.get("/v1/permissions/{permission_id}", tags=["registry"])
    def get_permission(permission_id: IdPath, who: Caller, response: Response) -> dict[str, Any]:
        permission = service.get_permission(who, permission_id)
        response.headers["ETag"] = etag_of(permission)
        return permission_to_dict(permission)

    @app.post("/v1/permissions", tags=["registry"], status_code=201)
    def add_permission(body: PermissionBody, who: Caller, response: Response) -> dict[str, Any]:
        """Grant (or deny) a use; the next screening request obeys it. Send an `Idempotency-Key` to
        retry safely."""
        owner = body.owner or who.rightsholder or ""
        version = service.put_permission(who, body.to_permission(owner))
        response.headers["ETag"] = etag_of(service.get_permission(who, body.id))
        return {"permission": body.id, "registry_version": _after_write(version)}

    @app.delete("/v1/permissions/{permission_id}", tags=["registry"])
    def revoke_permission(permission_id: IdPath, who: Caller, if_match: IfMatchH = None) -> dict[str, Any]:
        version = service.revoke_permission(who, permission_id, if_match=if_match)
        return {
            "permission": permission_id,
            "revoked": True,
            "registry_version": _after_write(version),
        }

    @app.post("/v1/keys", tags=["admin"], status_code=201)
    def create_key(body: KeyBody, who: Caller) -> KeyCreated:
        created = service.create_key(who, body.role, rightsholder=body.rightsholder, label=body.label)
        return KeyCreated(
            id=created.id, secret=created.secret, role=body.role, rightsholder=body.rightsholder
        )

    return app
