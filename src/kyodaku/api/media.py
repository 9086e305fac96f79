"""Media screening over HTTP: `POST /v1/screen/image` and `POST /v1/screen/video` (multipart).

Each takes one `file` part (the generated output) and optional form fields: `prompt` (the prompt that
made it: prompt and output then give one decision), `licensee`, `region`, `at`, `use`, `id`. The
answer is the same decision object as `POST /v1/screen/prompt` and `kyodaku screen --json`, and as
there an output whose screening raises unexpectedly answers 200 with a BLOCK failed closed (reason
`screening_error`), or 503 with no decision when fail-closed is switched off; an unreadable upload
stays the caller's error (415/422).

The handlers are `async` so the upload is read without holding a worker thread while it arrives;
screening it (decoding, hashing every sampled frame, matching) then runs in the threadpool
(`run_in_threadpool`), because on the event loop a video screen of a few hundred milliseconds would
hold up every other request of the server, a `/healthz` included, for as long.

Upload size is bounded twice: by the request-body limit (Content-Length, and bytes counted while
the body streams in, see `BodyLimit`), and here by the file's own size, so a 10 GB upload is refused
with 413 without being stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from kyodaku.api.auth import Caller
from kyodaku.api.errors import error_response
from kyodaku.domain.access import Action, Principal, require
from kyodaku.domain.errors import InvalidInput, PayloadTooLarge
from kyodaku.domain.model import Use, to_utc
from kyodaku.policy.engine import ScreenContext

router = APIRouter(tags=["screening"])

UPLOAD_PATHS = ("/v1/screen/image", "/v1/screen/video", "/v1/trace", "/v1/cases", "/portal/cases/new")


def _context(licensee: str | None, region: str | None, at: str | None, use: str | None) -> ScreenContext:
    try:
        when: datetime | None = to_utc(at) if at else None
        return ScreenContext(
            licensee=licensee or None,
            region=region.upper() if region else None,
            at=when,
            use=Use(use) if use else None,
        )
    except ValueError as exc:
        raise InvalidInput(f"bad context field: {exc}") from exc


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    name = upload.filename or "upload"
    data = bytearray()
    while chunk := await upload.read(1 << 20):
        data.extend(chunk)
        if len(data) > limit:
            raise PayloadTooLarge(f"{name}: larger than the upload limit of {limit:,} bytes", limit=limit)
    if not data:
        raise InvalidInput(f"{name}: the file is empty", file=name)
    return bytes(data)


async def _screen(
    request: Request, who: Principal, file: UploadFile, form: dict[str, str | None], expect: str
) -> dict:
    """Check the role, read the upload (async), then screen it off the event loop."""
    require(who, Action.SCREEN)
    guard = request.app.state.guard
    data = await read_upload(file, request.app.state.max_upload_bytes)
    ctx = _context(form.get("licensee"), form.get("region"), form.get("at"), form.get("use"))
    prompt = form.get("prompt")
    decision = await run_in_threadpool(
        guard.screen_output,
        prompt=prompt if prompt else None,
        media=[data],
        context=ctx,
        names=[file.filename or "upload"],
        item_id=form.get("id"),
        expect=expect,
    )
    from kyodaku.api.ledger import record

    entry_id = await run_in_threadpool(record, request, who, decision, prompt if prompt else None)
    return {**decision.to_dict(), **({"ledger_id": entry_id} if entry_id else {})}


Text = Annotated[str | None, Form()]


def screen_form(
    prompt: Text = None,
    licensee: Text = None,
    region: Text = None,
    at: Text = None,
    use: Text = None,
    id: Text = None,
) -> dict[str, str | None]:
    """The optional form fields both media endpoints take beside the file."""
    return {"prompt": prompt, "licensee": licensee, "region": region, "at": at, "use": use, "id": id}


Fields = Annotated[dict[str, str | None], Depends(screen_form)]


@router.post("/v1/screen/image")
async def screen_image(request: Request, who: Caller, file: UploadFile, form: Fields) -> dict[str, Any]:
    """Screen a generated image against the registered references (plus its prompt, if given)."""
    return await _screen(request, who, file, form, "image")


@router.post("/v1/screen/video")
async def screen_video(request: Request, who: Caller, file: UploadFile, form: Fields) -> dict[str, Any]:
    """Screen a generated video (vPDQ-style frame matching; shares and time ranges in the evidence)."""
    return await _screen(request, who, file, form, "video")


class BodyLimit:
    """ASGI middleware: refuse request bodies over a limit with 413, before or while they stream in.

    Content-Length is checked up front; bodies without one (chunked) are counted as they arrive and
    cut off at the limit, so no route ever buffers more than it allows. Upload routes (`upload_prefixes`)
    get the upload limit, every other route the small JSON limit.
    """

    def __init__(self, app, default_limit: int, upload_limit: int, upload_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.upload_limit = upload_limit
        self.upload_prefixes = upload_prefixes

    def _limit(self, path: str) -> int:
        is_upload = path in self.upload_prefixes or path.endswith("/references")
        return self.upload_limit if is_upload else self.default_limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > limit:
            await _too_large(scope, receive, send, limit)
            return
        seen = 0
        refused = False

        async def counted():
            # Past the limit, answer 413 ourselves and tell the app the client went away, so it stops
            # reading (frameworks turn an exception raised here into their own 400).
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    await _too_large(scope, receive, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, guarded_send)


async def _too_large(scope, receive, send, limit: int) -> None:
    """The 413 answer, through the one error mapping (`api/errors.py`) like any other refusal."""
    exc = PayloadTooLarge(f"request body over {limit:,} bytes", limit=limit)
    await error_response(exc)(scope, receive, send)
