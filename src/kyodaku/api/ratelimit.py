"""Rate limits: how many requests one API key (or, without one, one address) may make per window.

A moving window per key (the `limits` library), in the server's memory: each worker counts its own
requests, so with N workers a key gets at most N times the limit; put a shared limiter in front
(or use one worker) where that matters. Over the limit: 429 in the problem format with
`Retry-After` (seconds). The portal's sign-in form is limited per address on its own, much lower,
because it is where keys are guessed. `/healthz` and the portal's pages are not limited.

Configure with `KYODAKU_RATE_LIMIT` (e.g. `600/minute`, `20/second`; `off` disables) and
`KYODAKU_SIGNIN_RATE_LIMIT` (default `20/minute`).
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from kyodaku.api.errors import error_response
from kyodaku.domain.errors import ConfigurationError, RateLimited

DEFAULT_LIMIT = "1200/minute"
DEFAULT_SIGNIN_LIMIT = "20/minute"
OFF = ("", "off", "none", "0")


def parse_limit(value: str | None, default: str):
    """A limit item, or None when switched off; ConfigurationError naming the bad value."""
    text = (default if value is None else value).strip().lower()
    if text in OFF:
        return None
    try:
        return parse(text)
    except ValueError:
        raise ConfigurationError(f"not a rate limit: {value!r} (use e.g. '600/minute', or 'off')") from None


class RateLimit:
    def __init__(self, app: ASGIApp, limit: str | None = None, signin_limit: str | None = None) -> None:
        self.app = app
        self.item = parse_limit(limit, DEFAULT_LIMIT)
        self.signin_item = parse_limit(signin_limit, DEFAULT_SIGNIN_LIMIT)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def _who(self, scope: Scope) -> str:
        headers = dict(scope.get("headers") or [])
        secret = headers.get(b"authorization") or headers.get(b"x-api-key")
        if secret:
            return "key:" + hashlib.sha256(secret).hexdigest()[:24]
        client = scope.get("client") or ("unknown", 0)
        return f"addr:{client[0]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        item, who = None, ""
        if path.startswith("/v1/"):
            item, who = self.item, self._who(scope)
        elif path == "/portal/signin" and scope.get("method") == "POST":
            client = scope.get("client") or ("unknown", 0)
            item, who = self.signin_item, f"signin:{client[0]}"
        if item is not None and not self.limiter.hit(item, "kyodaku", who):
            reset = self.limiter.get_window_stats(item, "kyodaku", who).reset_time
            wait = max(1, math.ceil(reset - time.time()))
            message = f"too many requests: the limit is {item}; retry in {wait} s"
            refused = RateLimited(message, retry_after=wait)
            await error_response(refused, path)(scope, receive, send)
            return
        await self.app(scope, receive, send)
