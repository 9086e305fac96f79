"""The browser harness itself: a real Chromium reaches the real server, and sharing the thread with
Playwright leaves asyncio usable for the rest of the session.

Why: every portal test stands on these fixtures; when one of these fails, the portal is not the
thing to debug.
"""

from __future__ import annotations

import asyncio
import json


def test_when_browser_opens_healthz_then_page_body_reports_status_ok(page, live_server):
    answer = page.goto(f"{live_server.url}/healthz")

    assert answer is not None and answer.status == 200
    # Chromium shows a JSON document as text in a <pre> (newer ones add a pretty-print toggle beside it).
    body = json.loads(page.locator("pre").first.inner_text())
    assert body["status"] == "ok"
    assert body["registry_version"] >= 1  # the demo catalog was imported


def test_when_browser_opens_docs_then_swagger_page_title_names_the_service(page, live_server):
    page.goto("/docs")  # relative: the page's context has the live server as its base URL

    assert "kyodaku" in page.title()
    assert page.locator("#swagger-ui").count() == 1


def test_when_browser_is_open_then_asyncio_run_still_works_in_the_same_thread(_playwright_session):
    """Other tests of the session run coroutines with asyncio.run() while the browser stays open."""

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert _playwright_session.browser.is_connected()
    assert asyncio.run(answer()) == 42
