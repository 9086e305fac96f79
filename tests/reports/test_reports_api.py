"""`GET /v1/reports/transparency` and `GET /v1/reports/parity` on the real app, router included."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from kyodaku.api.app import create_app
from kyodaku.api.reports import router
from kyodaku.screening import GuardOptions

PROMPTS = [
    "Pikachu surfing",
    "ピカチュウのイラスト",
    "Hello Kitty",
    "Superman flying",
    "Spider-Man",
    "a lighthouse",
]


def _app(tmp_path, catalog, **kw):
    app = create_app(
        f"sqlite:///{tmp_path / 'r.db'}", GuardOptions(semantic=False, themes=False), catalog=catalog, **kw
    )
    app.include_router(router)
    return app


@pytest.fixture()
def api(tmp_path, tiny_catalog_path):
    app = _app(tmp_path, tiny_catalog_path)
    store = app.state.store
    secrets = {
        "operator": store.create_key("operator").secret,
        "admin": store.create_key("admin").secret,
        "dc": store.create_key("rightsholder", rightsholder="dc").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
    }
    with TestClient(app) as client:
        headers = {k: {"Authorization": f"Bearer {v}"} for k, v in secrets.items()}
        for text in PROMPTS:
            r = client.post("/v1/screen/prompt", json={"text": text}, headers=headers["operator"])
            assert r.status_code == 200, r.text
        yield client, headers


def test_when_an_operator_asks_for_transparency_then_every_decision_and_rightsholder_is_counted(api):
    client, h = api
    r = client.get("/v1/reports/transparency", headers=h["operator"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["totals"]["decisions"] == len(PROMPTS) and body["scope"] == "all"
    assert {row["key"] for row in body["by_rightsholder"]} == {"pokemon-company", "sanrio", "dc", "marvel"}
    assert body["claims"]["received"] == 0 and body["claims"]["overdue"] == 0  # the desk has no cases yet


def test_when_a_rightsholder_asks_for_transparency_then_it_sees_its_rows_and_safe_country_totals(api):
    client, h = api
    dc = client.get("/v1/reports/transparency", headers=h["dc"]).json()
    assert [row["key"] for row in dc["by_rightsholder"]] == ["dc"]
    assert dc["totals"]["decisions"] == 1 and dc["scope"] == {"rightsholder": "dc"}
    # JP: pokemon-company and sanrio, two others for dc: shown. US: dc and marvel, one other: withheld.
    countries = {row["key"]: row for row in dc["by_country"]}
    assert countries["JP"]["decisions"] == 3 and countries["US"] == {
        "key": "US",
        "country": "US",
        "suppressed": True,
    }
    assert "marvel" not in json.dumps(dc) and "sanrio" not in json.dumps(dc)
    pokemon = client.get("/v1/reports/transparency", headers=h["pokemon"]).json()
    # For pokemon-company, JP has one other rightsholder (withheld), US two (shown).
    assert {row["key"]: row.get("suppressed", False) for row in pokemon["by_country"]} == {
        "JP": True,
        "US": False,
    }


def test_when_html_is_asked_then_a_page_comes_back_in_the_language_asked(api):
    client, h = api
    r = client.get("/v1/reports/transparency?format=html&lang=ja", headers=h["admin"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="ja">' in r.text and "<svg" in r.text
    bad = client.get("/v1/reports/transparency?format=pdf", headers=h["admin"])
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"


def test_when_no_key_is_given_then_reports_refuse(api):
    client, _ = api
    assert client.get("/v1/reports/transparency").status_code == 401
    assert client.get("/v1/reports/parity").status_code == 401


def test_when_the_server_keeps_no_ledger_then_the_ledger_reports_answer_409_but_the_set_still_runs(
    tmp_path, tiny_catalog_path
):
    app = _app(tmp_path, tiny_catalog_path, ledger=False)
    secret = app.state.store.create_key("operator").secret
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        for path in ("/v1/reports/transparency", "/v1/reports/parity?source=ledger"):
            r = client.get(path, headers=headers)
            assert r.status_code == 409 and r.json()["code"] == "configuration_error"
            assert "ledger" in r.json()["detail"]
        assert client.get("/v1/reports/parity?source=catalog", headers=headers).status_code == 200


def test_when_parity_runs_on_the_shipped_set_then_unregistered_items_are_dropped_and_a_gap_comes_out(api):
    client, h = api
    shipped = client.get("/v1/reports/parity", headers=h["operator"]).json()
    assert shipped["dropped"] > 0 and shipped["gap"]["gap"]["estimate"] is not None
    own = client.get("/v1/reports/parity?source=catalog&licensee=acme", headers=h["operator"]).json()
    assert own["dropped"] == 0 and own["flagged"] is True and own["context"]["licensee"] == "acme"


def test_when_a_rightsholder_asks_for_parity_then_the_rightsholder_table_holds_only_itself(api):
    client, h = api
    body = client.get("/v1/reports/parity?source=catalog&licensee=acme", headers=h["dc"]).json()
    assert [row["key"] for row in body["by_rightsholder"]] == ["dc"]
    assert all(m["rightsholder"] == "dc" for m in body["mismatches"])
    assert {c["country"] for c in body["countries"]} == {"JP", "US"}


def test_when_the_registry_changes_then_the_cached_parity_report_is_recomputed(api):
    client, h = api
    url = "/v1/reports/parity?source=catalog&licensee=acme"
    first = client.get(url, headers=h["operator"]).json()
    assert client.get(url, headers=h["operator"]).json()["generated_at"] == first["generated_at"]
    grant = {"id": "jp-acme", "subject": "pikachu", "uses": ["generate"], "licensees": ["acme"]}
    assert client.post("/v1/permissions", json=grant, headers=h["pokemon"]).status_code == 201
    after = client.get(url, headers=h["operator"]).json()
    jp = {c["country"]: c for c in after["countries"]}["JP"]
    before_jp = {c["country"]: c for c in first["countries"]}["JP"]
    assert (
        jp["blocked"] < before_jp["blocked"] and after["context"]["snapshot"] != first["context"]["snapshot"]
    )
