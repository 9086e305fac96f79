"""Heavy screening runs off the event loop: the server keeps answering while a video is screened.

Decoding and hashing a long video takes a second or so; done inside an `async` route it would hold
the event loop, and with it every other request of the server, for as long (a `/healthz` sent during
a video upload once took 335 ms instead of about 1 ms). The test screens a video long enough to
take clearly longer than the health budget and asks for `/healthz` while it is being screened.

httpx's ASGITransport runs both requests on one event loop, as uvicorn does, so it shows what a
blocked loop does to a concurrent request without a real server. (A uvicorn server in a thread
with an httpx client in another would measure this process's GIL hand-offs between three threads,
tens of milliseconds, rather than the server: measured with curl from outside, health took 2-4 ms
during a video screen, and about 550 ms before screening moved off the loop.)
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest

from kyodaku.api.app import create_app
from kyodaku.screening import GuardOptions
from kyodaku_samples.synthetic import draw_frames, encode_video

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"
HEALTH_BUDGET_S = 0.050


@pytest.fixture(scope="module")
def long_video(tmp_path_factory) -> bytes:
    """300 frames at 1 frame/s: every frame is sampled (the query rate is 1/s), so screening decodes
    and hashes 300 frames (about a second), while the file stays small and quick to encode."""
    path = tmp_path_factory.mktemp("video") / "long.mp4"
    return encode_video(path, draw_frames(5, seconds=300, fps=1), fps=1).read_bytes()


@pytest.fixture()
def app_with_references(tmp_path, monkeypatch):
    """An app over a temporary SQLite registry, with a reference clip attached over HTTP (so the
    video screen matches its frames against a real bank), and an operator key."""
    monkeypatch.setenv("KYODAKU_REFERENCE_STORE", str(tmp_path / "store"))
    app = create_app(
        f"sqlite:///{tmp_path / 'registry.db'}", GuardOptions(semantic=False, themes=False), catalog=MINI
    )
    store = app.state.store
    admin = {"Authorization": f"Bearer {store.create_key('admin').secret}"}
    operator = {"Authorization": f"Bearer {store.create_key('operator').secret}"}
    clip = encode_video(tmp_path / "ref.mp4", draw_frames(3, seconds=2, fps=12), fps=12).read_bytes()

    async def attach() -> None:
        async with _client(app) as client:
            files = {"file": ("ref.mp4", clip, "video/mp4")}
            r = await client.post("/v1/entities/superman/references", files=files, headers=admin)
            assert r.status_code == 201, r.text

    asyncio.run(attach())
    return app, operator


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kyodaku.test")


def _observe_screening(monkeypatch, guard) -> tuple[threading.Event, threading.Event]:
    """Events set when `guard.screen_output` starts and when it returns (whichever thread runs it)."""
    started, finished = threading.Event(), threading.Event()
    screen_output = guard.screen_output

    def observed(*args, **kwargs):
        started.set()
        try:
            return screen_output(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(guard, "screen_output", observed)
    return started, finished


async def _health_during_video_screen(app, operator, video: bytes, started, finished):
    """Start the video screen, wait until it is screening, ask for /healthz; return the health
    latency, whether the screen was still running when health answered, and both responses."""
    async with _client(app) as client:
        assert (await client.get("/healthz")).status_code == 200  # warm: the first request sets up routes
        files = {"file": ("long.mp4", video, "video/mp4")}
        screen = asyncio.create_task(client.post("/v1/screen/video", files=files, headers=operator))
        deadline = time.monotonic() + 60
        while not started.is_set() and not screen.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        began = time.perf_counter()
        health = await client.get("/healthz")
        latency = time.perf_counter() - began
        still_screening = not finished.is_set()
        screened = await screen
    return latency, still_screening, health, screened


def test_when_a_long_video_is_being_screened_then_health_answers_within_50_ms(
    app_with_references, long_video, monkeypatch
):
    app, operator = app_with_references
    started, finished = _observe_screening(monkeypatch, app.state.guard)

    screen_began = time.perf_counter()
    latency, still_screening, health, screened = asyncio.run(
        _health_during_video_screen(app, operator, long_video, started, finished)
    )
    screen_took = time.perf_counter() - screen_began

    assert screened.status_code == 200, screened.text
    assert screened.json()["media"][0]["name"] == "long.mp4"
    assert screen_took > 4 * HEALTH_BUDGET_S, f"the video screened in {screen_took:.3f}s: too quick to tell"
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert still_screening, "the health answer came only after the video screen had finished"
    assert latency < HEALTH_BUDGET_S, f"/healthz took {latency * 1000:.1f} ms during a video screen"
