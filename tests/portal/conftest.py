"""Browser fixtures for the portal's end-to-end tests: a real server, a real (headless) Chromium.

- `chromium_path` (session): Debian's Chromium; the tests are skipped, saying why, without one.
- `browser` (session): one Chromium for the whole run (launching costs ~0.1 s, but a run has many
  tests), driven through Playwright's sync API.
- `page` (function): a fresh browser context and page per test, so cookies and storage never leak
  from one test into the next. Default timeout 15 s. When the test also uses `live_server`, the
  context's base URL is the server's, so `page.goto("/portal/...")` works. On a failure, a full-page
  screenshot and the page's console errors are attached to the report.
- `live_server` (function): the real app on 127.0.0.1 in a uvicorn thread, with a fresh SQLite
  registry seeded from examples/demo-catalog.yaml, so what one test writes is gone in the next. Its
  `.keys` hold admin, operator and two rightsholder secrets (see tests/helpers/live_server.py).

Playwright's sync API leaves its event loop marked as running in the main thread, which breaks
`asyncio.run()` in every later test of the session; `_playwright_thread` lends the thread to the
browser only during the tests that use it (see `helpers.browser.ThreadLoop`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from helpers.browser import CHROMIUM_ENV, ThreadLoop, find_chromium, launch
from helpers.live_server import LiveServer
from helpers.live_server import live_server as serve

DEFAULT_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1280, "height": 900}
_FAILURE_DIR = pytest.StashKey[Path]()
_CONSOLE = pytest.StashKey[list[str]]()


@dataclass
class _Playwright:
    playwright: Any
    browser: Any
    thread: ThreadLoop = field(repr=False)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Where Chromium is ($KYODAKU_CHROMIUM, else Debian's package); skips the test without one."""
    found = find_chromium()
    if found is None and os.environ.get(CHROMIUM_ENV):
        pytest.skip(f"{CHROMIUM_ENV}={os.environ[CHROMIUM_ENV]} is not a file: the browser tests are skipped")
    if found is None:
        pytest.skip(
            "no Chromium executable (set KYODAKU_CHROMIUM, or install Debian's chromium: "
            "`make system-deps` does it as root): the browser tests are skipped"
        )
    return found


@pytest.fixture(scope="session")
def _playwright_session(chromium_path: str) -> Iterator[_Playwright]:
    """Playwright and one Chromium for the session, the thread released to other tests between uses."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is absent: pip install -e '.[dev]'"
    )
    thread = ThreadLoop()
    playwright = sync_api.sync_playwright().start()
    try:
        browser = launch(playwright, chromium_path)
    except BaseException:
        playwright.stop()
        raise
    thread.release()
    try:
        yield _Playwright(playwright, browser, thread)
    finally:
        thread.claim()
        try:
            browser.close()
        finally:
            playwright.stop()  # ends the loop's run: the thread's running-loop mark goes with it


@pytest.fixture(scope="session")
def browser(_playwright_session: _Playwright) -> Any:
    """The session's Chromium (playwright.sync_api.Browser)."""
    return _playwright_session.browser


@pytest.fixture(autouse=True)
def _playwright_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """Around each test that uses the browser: the thread's asyncio state is Playwright's.

    `live_server` is started before the claim and stopped after the release, so the app is built and
    torn down in a thread with no loop marked as running, as it would be in production.
    """
    if "browser" not in request.fixturenames:
        yield
        return
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server")
    session: _Playwright = request.getfixturevalue("_playwright_session")
    session.thread.claim()
    try:
        yield
    finally:
        session.thread.release()


@pytest.fixture()
def page(browser: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A new page in a new context (playwright.sync_api.Page), closed with its context after the test."""
    options: dict[str, Any] = {"viewport": VIEWPORT}
    if "live_server" in request.fixturenames:
        options["base_url"] = request.getfixturevalue("live_server").url
    context = browser.new_context(**options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    request.node.stash[_FAILURE_DIR] = tmp_path
    request.node.stash[_CONSOLE] = console
    try:
        yield page
    finally:
        context.close()


@pytest.fixture()
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app served on a free loopback port, fresh registry per test (~0.3 s to start).

    Attributes: url, app, keys.admin, keys.operator, keys.rightsholder_a, keys.rightsholder_b,
    rightsholder_a ("pokemon-company"), rightsholder_b ("dc-comics").
    """
    with serve(tmp_path / "live-server") as server:
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """On a failed test that had a page: a full-page screenshot under its tmp_path, named in the report,
    with the console errors, while the page is still open (fixtures are torn down after this)."""
    report = yield
    if report.when != "call" or not report.failed or _FAILURE_DIR not in item.stash:
        return report
    page = getattr(item, "funcargs", {}).get("page")
    if page is None:
        return report
    path = item.stash[_FAILURE_DIR] / (re.sub(r"[^\w.-]+", "_", item.name)[:100] + ".png")
    try:
        page.screenshot(path=str(path), full_page=True)
        report.sections.append(("portal screenshot", f"{path}\nat URL {page.url}"))
    except Exception as exc:  # the test's own failure is what matters; say why there is no picture
        report.sections.append(("portal screenshot", f"none taken: {exc}"))
    if item.stash[_CONSOLE]:
        report.sections.append(("portal console", "\n".join(item.stash[_CONSOLE])))
    return report
