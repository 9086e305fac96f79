"""The real app served over HTTP on loopback, in this process, for a browser to drive.

Why not TestClient: a browser needs a real socket. Why in-process (a uvicorn thread) rather than a
`kyodaku serve` subprocess: the test can reach `server.app.state` (the store, the ledger) directly to
set up or check what a page did, and start-up costs a quarter of a second instead of a fresh
interpreter's imports. Shared by tests/portal/conftest.py and scripts/portal_screenshots.py.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = ROOT / "examples" / "demo-catalog.yaml"
# Two rightsholders of the demo catalog that own works and characters (Pokémon; Superman and co.).
RIGHTSHOLDER_A = "pokemon-company"
RIGHTSHOLDER_B = "dc-comics"


@dataclass(frozen=True)
class Keys:
    """Bearer secrets, one per kind of caller the portal serves."""

    admin: str
    operator: str
    rightsholder_a: str
    rightsholder_b: str


@dataclass
class LiveServer:
    """A running server: `url` has no trailing slash; `app` is the FastAPI app it serves."""

    url: str
    app: object  # fastapi.FastAPI (not imported at module level: the script imports this file first)
    keys: Keys
    rightsholder_a: str = RIGHTSHOLDER_A
    rightsholder_b: str = RIGHTSHOLDER_B


def _listening_socket() -> socket.socket:
    """A socket already bound to a free loopback port: handing it to uvicorn leaves no window in which
    another process could take the port between choosing it and binding it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via an env proxy
    try:
        with opener.open(f"{url}/healthz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


@contextmanager
def serve_app(app: object, start_timeout: float = 30.0, log_level: str = "warning") -> Iterator[str]:
    """Serve an app built by `create_app` on a free loopback port until the block ends; yields its URL
    once `/healthz` answers. Shared by `live_server` and bench/api_contract.py."""
    import uvicorn

    sock = _listening_socket()
    host, port = sock.getsockname()[:2]
    # lifespan "on": a start-up failure (the refresher) fails the caller instead of serving half an app.
    # A short graceful shutdown: a browser's idle keep-alive connections must not hold teardown.
    config = uvicorn.Config(
        app, host=host, port=port, lifespan="on", log_level=log_level, access_log=False,
        timeout_graceful_shutdown=3,
    )  # fmt: skip
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported by the waiting thread, which can raise it usefully
            failure.append(exc)

    thread = threading.Thread(target=serve, name=f"live-server-{port}", daemon=True)
    thread.start()
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while not (server.started and _healthy(url)):
            if not thread.is_alive():
                raise RuntimeError(f"the live server at {url} stopped while starting") from (
                    failure[0] if failure else None
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"the live server at {url} did not answer /healthz in {start_timeout}s")
            time.sleep(0.02)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():  # a request still running: stop waiting for it
            server.force_exit = True
            thread.join(timeout=5)
        sock.close()


@contextmanager
def live_server(
    workdir: Path, catalog: Path | None = DEMO_CATALOG, start_timeout: float = 30.0
) -> Iterator[LiveServer]:
    """Serve a fresh registry (a SQLite file in `workdir`, seeded from `catalog`) until the block ends.

    The guard runs without the semantic model and the themes lexicon, as in tests/api: loading the
    model takes seconds and pages do not depend on it. Reference files go under `workdir` too, so a
    run leaves nothing in the checkout.
    """
    from kyodaku.api.app import create_app
    from kyodaku.screening import GuardOptions

    workdir.mkdir(parents=True, exist_ok=True)
    options = GuardOptions(semantic=False, themes=False, reference_store=str(workdir / "references"))
    app = create_app(f"sqlite:///{workdir / 'registry.db'}", options, catalog=catalog, ledger=True)
    store = app.state.store
    keys = Keys(
        admin=store.create_key("admin", label="portal-tests admin").secret,
        operator=store.create_key("operator", label="portal-tests operator").secret,
        rightsholder_a=store.create_key("rightsholder", RIGHTSHOLDER_A, "portal-tests a").secret,
        rightsholder_b=store.create_key("rightsholder", RIGHTSHOLDER_B, "portal-tests b").secret,
    )
    with serve_app(app, start_timeout) as url:
        yield LiveServer(url=url, app=app, keys=keys)
