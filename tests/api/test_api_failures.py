"""The HTTP API when screening itself breaks (a bug, provoked with a plug-in matcher registered
through the public `register_matcher`): the guard's BLOCK failed closed is the answer (200), and
with fail-closed switched off a 503 that carries no decision."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kyodaku.api.app import create_app
from kyodaku.screening import GuardOptions

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


@pytest.fixture
def serve(tmp_path, buggy):
    """Start the API (with the buggy matcher registered) under some options: (client, headers)."""
    with ExitStack() as running:

        def start(**options) -> tuple[TestClient, dict[str, str]]:
            app = create_app(
                f"sqlite:///{tmp_path / 'registry.db'}",
                GuardOptions(semantic=False, themes=False, **options),
                catalog=MINI,
            )
            key = app.state.store.create_key("operator").secret
            return running.enter_context(TestClient(app)), {"Authorization": f"Bearer {key}"}

        yield start


def test_when_screening_a_prompt_raises_then_200_with_a_block_failed_closed(serve):
    client, auth = serve()
    r = client.post("/v1/screen/prompt", json={"text": "POISON", "id": "p1"}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "block" and body["failed_closed"] is True and body["id"] == "p1"
    assert body["reason"] == "screening_error" and body["error_class"] == "IndexError"
    assert "IndexError" in body["message"]["en"] and "IndexError" in body["message"]["ja"]
    ok = client.post("/v1/screen/prompt", json={"text": "Pikachu"}, headers=auth).json()
    assert ok["verdict"] == "block" and ok["failed_closed"] is False
    assert ok["findings"][0]["entity"] == "pikachu"


def test_when_screening_raises_and_fail_closed_is_off_then_503_carries_no_decision(serve):
    client, auth = serve(fail_closed=False)
    r = client.post("/v1/screen/prompt", json={"text": "POISON"}, headers=auth)
    assert r.status_code == 503
    body = r.json()
    assert body["code"] == "screening_unavailable" and "IndexError" in body["detail"]
    assert "verdict" not in body and "failed_closed" not in body
