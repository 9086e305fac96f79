"""A portal over the mini catalog, driven through its HTML forms (no browser): sign in, read the form
token from the page, post forms as a browser would. The browser tests (tests/portal/browser) drive
the same pages in chromium; these cover every refusal quickly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from kyodaku.api.app import create_app
from kyodaku.screening import GuardOptions

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"
BASE = "http://testserver"
_CSRF = re.compile(r'name="csrf" value="([^"]*)"')


@dataclass
class PortalWorld:
    app: object
    keys: dict[str, str]


def make_world(tmp_path: Path, catalog: Path = MINI) -> PortalWorld:
    options = GuardOptions(semantic=False, themes=False, reference_store=str(tmp_path / "refs"))
    app = create_app(f"sqlite:///{tmp_path / 'r.db'}", options, catalog=catalog, max_upload_bytes=2_000_000)
    store = app.state.store
    keys = {
        "admin": store.create_key("admin").secret,
        "operator": store.create_key("operator").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
        "dc": store.create_key("rightsholder", rightsholder="dc").secret,
    }
    return PortalWorld(app, keys)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def browser(world: PortalWorld) -> TestClient:
    """A client that keeps cookies, like a browser (same origin as the test server)."""
    return TestClient(world.app, base_url=BASE, follow_redirects=False)


def sign_in(client: TestClient, secret: str) -> None:
    page = client.get("/portal/signin")
    answer = client.post("/portal/signin", data={"csrf": csrf_of(page.text), "key": secret})
    assert answer.status_code == 303, answer.text


def post_form(client: TestClient, form_page: str, action: str, data: dict, files=None, **kw):
    """Post `data` to `action` with the token of the page at `form_page` (as the page's form would)."""
    token = csrf_of(client.get(form_page).text)
    return client.post(action, data={"csrf": token, **data}, files=files, **kw)
