"""HTTP routes for references: a rightsholder uploads images and clips of its own entries.

    POST   /v1/entities/{entity_id}/references   multipart/form-data, one or more parts named `file`
    GET    /v1/entities/{entity_id}/references
    GET    /v1/references/{reference_id}
    DELETE /v1/references/{reference_id}

Uploads are streamed, never held in memory or spooled elsewhere: each part goes
straight into a staged file in the reference store, counted against
`max_upload_bytes` as it arrives (413 the moment a file passes it, whatever the
Content-Length said; the app's `BodyLimit` bounds the whole body the same way).
The caller's right to the entry is checked before a byte of the body is read.
Then every file is hashed before any is recorded, so a request with one corrupt
file (422/415, the file named) attaches none of them; and a refused request
leaves nothing in the store.

The upload route is `async` so the body streams in without holding a worker thread for as long as a
slow client takes; everything slow after that (the caller check, hashing the files, recording them,
recompiling the guard's snapshot) runs in the threadpool (`run_in_threadpool`), since on the event
loop it would hold up every other request of the server. The other routes are plain `def`, which
FastAPI runs in its threadpool.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect

from kyodaku.api.auth import Caller
from kyodaku.api.paging import DEFAULT_PAGE, CursorQ, LimitQ, PageBody, page_body, page_query
from kyodaku.api.schemas import IdPath, IfMatchH
from kyodaku.domain.access import Principal
from kyodaku.domain.errors import InvalidInput, MalformedRequest, PayloadTooLarge, PreconditionFailed
from kyodaku.media.hashing import HashOptions
from kyodaku.media.refstore import ReferenceStore, StagedFile, Upload
from kyodaku.refs.ingest import attached, hash_options, hash_staged, new_reference, record_hashed
from kyodaku.registry.etags import etag_of, matches
from kyodaku.registry.references import ReferenceInfo
from kyodaku.settings import Settings, load_settings

MAX_FILES = 64
FILE_FIELDS = ("file", "files")
MAX_FIELD_BYTES = 1024

router = APIRouter(tags=["references"])


def install_references(app: FastAPI, settings: Settings | None = None) -> None:
    """Add the routes, and the reference store and limits they use, to the app."""
    settings = settings or load_settings()
    app.state.refstore = ReferenceStore(settings.reference_store)
    app.state.hash_options = hash_options(settings)
    if not hasattr(app.state, "max_upload_bytes"):  # create_app sets it (its argument wins)
        app.state.max_upload_bytes = settings.max_upload_bytes
    app.include_router(router)


@router.post("/v1/entities/{entity_id}/references", status_code=201)
async def add_references(entity_id: IdPath, request: Request, who: Caller) -> JSONResponse:
    """Attach reference images or clips to an entry of the caller's (201; 200 if all were attached already).

    Send `multipart/form-data` with one or more parts named `file`, e.g.
    `curl -F file=@pikachu-1.png -F file=@pikachu-2.png`.
    """
    state = request.app.state
    service = state.service
    await run_in_threadpool(service.check_reference_write, who, entity_id)
    refstore: ReferenceStore = state.refstore
    staged = await _receive(request, refstore, state.max_upload_bytes)
    try:
        infos = await run_in_threadpool(_record_all, request, who, entity_id, staged, state.hash_options)
    finally:
        for item in staged:
            refstore.discard(item)
    new = [info.version for info in infos if info.new]
    version = max(new) if new else await run_in_threadpool(state.store.current_version)
    if new:
        await run_in_threadpool(state.refresher.refresh)  # the next screening request sees them
    body = {
        "entity": entity_id,
        "references": [{**info.to_dict(), "new": info.new} for info in infos],
        "registry_version": version,
    }
    return JSONResponse(body, status_code=201 if new else 200)


@router.get("/v1/entities/{entity_id}/references", response_model=PageBody)
def list_references(
    entity_id: IdPath, request: Request, response: Response, who: Caller, limit: LimitQ = DEFAULT_PAGE,
    cursor: CursorQ = None,
) -> dict[str, Any]:  # fmt: skip
    """An entry's references by id, a page at a time."""
    page = request.app.state.service.page_references(who, entity_id, page_query(request, limit, cursor))
    return page_body(request, response, page, lambda info: info.to_dict(), limit, {})


def _tagged(info: ReferenceInfo) -> dict[str, str]:
    """What a reference's tag covers: it never changes while attached (its id comes from its content)."""
    return {"id": info.id, "sha256": info.sha256, "entity": info.entity_id}


def _tag(info: ReferenceInfo) -> str:
    return etag_of(_tagged(info))


@router.get("/v1/references/{reference_id}")
def get_reference(reference_id: IdPath, request: Request, response: Response, who: Caller) -> dict[str, Any]:
    """A reference's metadata: its file, content digest, media, and how many hashes it has."""
    info = request.app.state.service.get_reference(who, reference_id)
    response.headers["ETag"] = _tag(info)
    return info.to_dict()


@router.delete("/v1/references/{reference_id}")
def remove_reference(
    reference_id: IdPath, request: Request, who: Caller, if_match: IfMatchH = None
) -> dict[str, Any]:
    """Detach a reference from the next registry version on (the stored file stays for the history).
    A reference never changes (its id comes from its content), so `If-Match` only guards against
    removing one that was already removed and attached again."""
    state = request.app.state
    if if_match is not None:
        info = state.service.get_reference(who, reference_id)
        if not matches(if_match, _tagged(info)):
            stale = f"reference {reference_id!r} is not the one you read"
            raise PreconditionFailed(stale, current_etag=_tag(info))
    change = state.service.remove_reference(who, reference_id)
    state.refresher.refresh()
    return {"reference": reference_id, "removed": True, "registry_version": change.version}


def _record_all(
    request: Request, who: Principal, entity_id: str, staged: list[StagedFile], options: HashOptions
) -> list[ReferenceInfo]:
    """Hash every file first (one bad file refuses the request), then record each."""
    state = request.app.state
    store, refstore = state.store, state.refstore
    checked = []
    for item in staged:
        existing = attached(store, refstore, entity_id, item.sha256)
        checked.append((item, existing or hash_staged(store, item, item.name, options)))
    infos = []
    for item, found in checked:
        if isinstance(found, ReferenceInfo):
            infos.append(found)
        else:
            reference = new_reference(entity_id, found, item.name)
            infos.append(record_hashed(store, refstore, who, reference, item))
    return infos


async def _receive(request: Request, refstore: ReferenceStore, max_bytes: int) -> list[StagedFile]:
    """Stream the multipart body into staged files; on any failure none of them is left behind."""
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise InvalidInput("send the files as multipart/form-data, in one or more parts named 'file'")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FILES * max_bytes + (1 << 20):
        raise PayloadTooLarge(
            f"a request body of {int(length):,} bytes is over the upload limit", limit=max_bytes
        )
    parts = _Parts(refstore, max_bytes)
    parser = MultipartParser(params[b"boundary"], parts.callbacks())
    try:
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except ClientDisconnect:  # gone, or cut off by the app's BodyLimit (which answered 413 itself)
            raise InvalidInput(
                "the upload ended before its body did (client gone or body over the limit)"
            ) from None
        except MultipartParseError as exc:  # not multipart at all, whatever the header says
            raise MalformedRequest(f"the multipart body cannot be read: {exc}") from None
        if parts.current is not None:
            raise InvalidInput("the multipart body ends inside a part (truncated upload)")
        staged = [await run_in_threadpool(upload.finish) for upload in parts.done]
    except BaseException:
        parts.abort()
        raise
    if not staged:
        raise InvalidInput("no file in the request: send one or more multipart parts named 'file'")
    return staged


class _Parts:
    """python-multipart callbacks: file parts go straight into store uploads, as they arrive."""

    def __init__(self, refstore: ReferenceStore, max_bytes: int) -> None:
        self.refstore = refstore
        self.max_bytes = max_bytes
        self.done: list[Upload] = []
        self.current: Upload | None = None
        self.field_bytes = 0
        self._headers: dict[bytes, bytes] = {}
        self._name = b""
        self._value = b""

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self._headers, self._name, self._value, self.field_bytes = {}, b"", b"", 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._name.lower()] = self._value
        self._name, self._value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        field = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if field not in FILE_FIELDS:
            if filename is not None:
                raise InvalidInput(f"unexpected file part {field!r}: name file parts 'file'")
            return  # a plain form field: read and ignored
        if len(self.done) >= MAX_FILES:
            raise InvalidInput(f"too many files in one request (at most {MAX_FILES})")
        name = filename.decode("utf-8", "replace") if filename is not None else "upload"
        self.current = self.refstore.begin(name or "upload", self.max_bytes)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.current is not None:
            self.current.write(data[start:end])  # PayloadTooLarge past the limit
            return
        self.field_bytes += end - start
        if self.field_bytes > MAX_FIELD_BYTES:
            raise InvalidInput(f"a form field is over {MAX_FIELD_BYTES} bytes; only files are expected")

    def on_part_end(self) -> None:
        if self.current is not None:
            self.done.append(self.current)
            self.current = None

    def abort(self) -> None:
        for upload in [*self.done, *([self.current] if self.current else [])]:
            upload.abort()
