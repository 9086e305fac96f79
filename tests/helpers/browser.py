"""Debian's Chromium under Playwright's sync API: where it is, how it is launched, and how it shares
the main thread with the rest of the test session.

Why Debian's package and not `playwright install`: the tests must run offline and on a clean
machine from `make test`, and a browser download is neither. Playwright only drives the executable
it is given (`executable_path`); it never fetches one here.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import Any

CHROMIUM_ENV = "KYODAKU_CHROMIUM"
# Debian's /usr/bin/chromium is a shell wrapper that sources /etc/chromium.d (extension and GPU flags,
# a /dev/shm check that prints "[: unexpected operator" on some machines) and then execs this binary.
# The binary itself is preferred: the same browser, without flags the tests did not ask for.
_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium", "chromium-browser")

# No network here: without the background-networking flags Chromium keeps dialling Google (component
# updates, sync, safe browsing) and floods the log with refused connections. --no-sandbox: the tests
# run as root in CI, where Chromium's sandbox refuses to start. --disable-dev-shm-usage: containers
# have a small /dev/shm.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Every host name resolves to nothing, so a page that pulls a script or a font from a CDN fails at
    # once (and visibly) instead of waiting on DNS; the server under test is an IP literal.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)


def find_chromium() -> str | None:
    """The Chromium executable: $KYODAKU_CHROMIUM if set (it must exist), else Debian's."""
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        return override if Path(override).is_file() else None
    for candidate in _CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found and os.access(found, os.X_OK):
            return found
    return None


def launch(playwright: Any, executable: str) -> Any:
    """A headless Chromium from `executable`, with the flags above."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))


class ThreadLoop:
    """Lends the main thread's asyncio state to Playwright only while browser code runs.

    Why: the sync API runs its event loop in a greenlet of the calling thread, and between two sync
    calls that loop stays *marked as running* in the thread (asyncio's running loop is per thread, not
    per greenlet). For as long as a browser is open, `asyncio.run()` and `anyio.run()` in any later
    test of the session then fail with "cannot be called from a running event loop". `release()`
    takes the mark (and the loop's async-generator hooks) off the thread after Playwright was used;
    `claim()` puts them back before it is used again. The suspended loop itself is untouched: it is
    resumed exactly as it was left.
    """

    def __init__(self) -> None:
        self._outer_hooks = sys.get_asyncgen_hooks()  # taken before Playwright starts
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hooks: Any = None
        self.released = False

    def release(self) -> None:
        if self.released:
            return
        self._loop, self._hooks = asyncio.events._get_running_loop(), sys.get_asyncgen_hooks()
        asyncio.events._set_running_loop(None)
        sys.set_asyncgen_hooks(*self._outer_hooks)
        self.released = True

    def claim(self) -> None:
        if not self.released:
            return
        running = asyncio.events._get_running_loop()
        if running is not None and running is not self._loop:
            raise RuntimeError("Playwright's sync API cannot be used while another asyncio loop runs here")
        asyncio.events._set_running_loop(self._loop)
        sys.set_asyncgen_hooks(*self._hooks)
        self.released = False
