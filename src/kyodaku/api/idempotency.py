"""Safe retries: a creating POST sent with `Idempotency-Key` runs once; a retry gets the first answer.

ASGI middleware, so it sees the raw body (to tell a retry from a different request) and the whole
response (to store it), for any route it covers, without each route knowing. The caller is told
apart by a digest of its API key, never the key itself. What a retry gets:

- the same key, the same request, the first one done: its answer again (status, body, `ETag`,
  `Location`), with `Idempotent-Replayed: true`; nothing runs twice;
- the same key while the first is still running: 409;
- the same key with a different method, path or body: 422 (`idempotency_key_reused`);
- a first request that failed (any non-2xx): nothing is kept, so the key can be used again.

A multipart body is compared without its boundary string, which clients regenerate on each retry.
"""

from __future__ import annotations

import hashlib
import json
import re

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyodaku.api.errors import error_response
from kyodaku.domain.errors import Conflict, InvalidInput
from kyodaku.registry.idempotency import IdempotencyKeys

HEADER = b"idempotency-key"
_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_KEPT_HEADERS = (b"content-type", b"etag", b"location", b"link")


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency_key_reused"


def covered(method: str, path: str) -> bool:
    """The POSTs that create or change something (screening and tracing only read, or append a log)."""
    if method != "POST":
        return False
    # Not reference uploads: they are streamed to disk (this middleware would hold the body in
    # memory), and attaching the same file twice is one reference anyway.
    return path in ("/v1/permissions", "/v1/keys", "/v1/cases") or path.endswith("/transitions")


def _owner(headers: dict[bytes, bytes]) -> str:
    secret = headers.get(b"authorization", b"") or headers.get(b"x-api-key", b"")
    return hashlib.sha256(b"kyodaku-idempotency\n" + secret).hexdigest()


def _request_hash(method: str, path: str, headers: dict[bytes, bytes], body: bytes) -> str:
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    boundary = re.search(r"boundary=\"?([^\";]+)", content_type)
    if boundary:
        body = body.replace(boundary.group(1).encode("latin-1"), b"BOUNDARY")
    return hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()


class Idempotency:
    def __init__(self, app: ASGIApp, keys: IdempotencyKeys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not covered(scope["method"], scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not _KEY.fullmatch(key):
            bad = InvalidInput(
                "Idempotency-Key must be 1 to 200 visible ASCII characters",
                errors=[{"parameter": "Idempotency-Key", "in": "header", "detail": "invalid"}],
            )
            await error_response(bad, scope.get("path"))(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:  # the body limit (BodyLimit, outside this middleware) has already bounded it
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
        owner, digest = _owner(headers), _request_hash(scope["method"], scope["path"], headers, bytes(body))
        found = await run_in_threadpool(self.keys.reserve, owner, key, digest)
        if found is not None:
            await self._answer_existing(found, digest, scope, receive, send)
            return
        await self._run_and_keep(scope, bytes(body), owner, key, send)

    async def _answer_existing(self, found, digest: str, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        if found.request_hash != digest:
            reused = IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request (method, path or body): use a new key"
            )
            await error_response(reused, path)(scope, receive, send)
        elif found.state != "done":
            await error_response(
                Conflict("a request with this Idempotency-Key is still running: retry shortly"), path
            )(scope, receive, send)
        else:
            kept = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(found.headers or "[]")]
            kept.append((b"idempotent-replayed", b"true"))
            kept.append((b"content-length", str(len(found.body or b"")).encode()))
            await send({"type": "http.response.start", "status": found.status, "headers": kept})
            await send({"type": "http.response.body", "body": found.body or b""})

    async def _run_and_keep(self, scope: Scope, body: bytes, owner: str, key: str, send: Send) -> None:
        """Run the request once; a 2xx answer is stored *before* its last byte goes out, so a retry
        the client sends the moment it has the answer already finds it (not a pending key)."""
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        kept: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        stored = False

        async def capture(message: Message) -> None:
            nonlocal status, stored
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() in _KEPT_HEADERS:
                        kept.append((name.decode("latin-1"), value.decode("latin-1")))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and 200 <= status < 300:
                    answer = b"".join(chunks)
                    await run_in_threadpool(self.keys.complete, owner, key, status, json.dumps(kept), answer)
                    stored = True
            await send(message)

        try:
            await self.app(scope, replay, capture)
        finally:
            if not stored:
                await run_in_threadpool(self.keys.release, owner, key)
