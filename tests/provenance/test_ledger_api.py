"""The ledger over HTTP: every screen recorded, entries by id with ownership, trace uploads, signed heads."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers.pictures import jpeg, png, png_bomb
from kyodaku.api.app import create_app
from kyodaku.audit.signing import load_public_key
from kyodaku.screening import GuardOptions
from kyodaku_samples.synthetic import draw_image

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


@pytest.fixture()
def api(tmp_path, keys):
    options = GuardOptions(semantic=False, themes=False)
    app = create_app(f"sqlite:///{tmp_path / 'r.db'}", options, catalog=MINI, ledger_key=keys["private"])
    store = app.state.store
    secrets = {
        "operator": store.create_key("operator").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
        "dc": store.create_key("rightsholder", rightsholder="dc").secret,
    }
    with TestClient(app) as client:
        yield client, {k: {"Authorization": f"Bearer {v}"} for k, v in secrets.items()}


def _screen(client, headers, text: str) -> dict:
    r = client.post("/v1/screen/prompt", json={"text": text, "licensee": "acme"}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_when_a_prompt_is_screened_then_the_answer_names_its_ledger_entry(api):
    client, h = api
    decision = _screen(client, h["operator"], "Pikachu at the beach")
    entry = client.get(f"/v1/ledger/{decision['ledger_id']}", headers=h["operator"])
    assert entry.status_code == 200
    body = entry.json()
    assert body["entry"]["verdict"] == decision["verdict"] and body["entry"]["source"] == "api"
    assert "text" not in body["entry"]["prompt"]


def test_when_a_rightsholder_reads_entries_then_only_those_about_its_own_entries_are_visible(api):
    client, h = api
    about_pikachu = _screen(client, h["operator"], "Pikachu at the beach")["ledger_id"]
    about_superman = _screen(client, h["operator"], "Superman over the city")["ledger_id"]
    assert client.get(f"/v1/ledger/{about_pikachu}", headers=h["pokemon"]).status_code == 200
    hidden = client.get(f"/v1/ledger/{about_superman}", headers=h["pokemon"])
    unknown = client.get("/v1/ledger/le_" + "0" * 24, headers=h["pokemon"])
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["code"] == unknown.json()["code"] == "not_found"


def test_when_no_key_is_given_then_the_ledger_refuses(api):
    client, h = api
    entry_id = _screen(client, h["operator"], "a lighthouse")["ledger_id"]
    assert client.get(f"/v1/ledger/{entry_id}").status_code == 401
    assert client.get("/v1/ledger/head").status_code == 401


def test_when_the_head_is_asked_then_it_is_signed_over_every_entry_and_verifies(api, keys):
    client, h = api
    for text in ("a lighthouse", "Pikachu", "a cat"):
        _screen(client, h["operator"], text)
    head = client.get("/v1/ledger/head", headers=h["dc"]).json()
    assert head["tree_size"] == 3
    import base64

    load_public_key(keys["public"]).verify(base64.b64decode(head["signature"]), head["signed"].encode())


def test_when_an_uploaded_output_is_traced_then_its_screen_is_found(api):
    client, h = api
    picture = draw_image("scene", 21, (384, 384)).convert("RGB")
    files = {"file": ("out.png", png(picture), "image/png")}
    screened = client.post("/v1/screen/image", files=files, headers=h["operator"])
    assert screened.status_code == 200, screened.text
    found = client.post(
        "/v1/trace", files={"file": ("copy.jpg", jpeg(picture.resize((256, 256))), "image/jpeg")},
        headers=h["operator"],
    )  # fmt: skip
    assert found.status_code == 200, found.text
    assert [m["entry_id"] for m in found.json()["matches"]] == [screened.json()["ledger_id"]]


def test_when_a_trace_upload_is_not_media_then_it_is_refused_with_4xx(api):
    client, h = api
    r = client.post("/v1/trace", files={"file": ("x.txt", b"hello", "text/plain")}, headers=h["operator"])
    assert 400 <= r.status_code < 500 and r.json()["code"] in ("unsupported_media", "invalid_input")


def test_when_a_rightsholder_traces_another_owners_output_then_nothing_is_shown(api):
    client, h = api
    picture = draw_image("scene", 22, (384, 384)).convert("RGB")
    files = {"file": ("out.png", png(picture), "image/png")}
    client.post("/v1/screen/image", files=files, data={"prompt": "Superman"}, headers=h["operator"])
    upload = {"file": ("copy.png", png(picture), "image/png")}
    assert client.post("/v1/trace", files=upload, headers=h["dc"]).json()["matches"] != []
    assert client.post("/v1/trace", files=upload, headers=h["pokemon"]).json()["matches"] == []


def test_when_a_trace_upload_is_a_decompression_bomb_then_it_is_refused_before_decoding(api):
    client, h = api
    r = client.post("/v1/trace", files={"file": ("bomb.png", png_bomb(), "image/png")}, headers=h["operator"])
    assert r.status_code == 413 and "bomb.png" in r.json()["detail"]


def test_when_a_trace_upload_is_larger_than_the_limit_then_it_is_refused_with_413(tmp_path):
    app = create_app(
        f"sqlite:///{tmp_path / 'r.db'}", GuardOptions(semantic=False, themes=False), catalog=MINI,
        max_upload_bytes=10_000,
    )  # fmt: skip
    secret = app.state.store.create_key("operator").secret
    with TestClient(app) as client:
        big = {"file": ("big.png", png(draw_image("scene", 1, (512, 512))), "image/png")}
        r = client.post("/v1/trace", files=big, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 413
