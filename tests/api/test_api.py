"""The HTTP API: screening, the registry under each role, and the refusals."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kyodaku.api.app import create_app
from kyodaku.screening import GuardOptions

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


@pytest.fixture()
def api(tmp_path):
    app = create_app(
        f"sqlite:///{tmp_path / 'registry.db'}", GuardOptions(semantic=False, themes=False), catalog=MINI
    )
    store = app.state.store
    keys = {
        "admin": store.create_key("admin").secret,
        "operator": store.create_key("operator").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
        "dc": store.create_key("rightsholder", rightsholder="dc").secret,
    }
    with TestClient(app) as client:
        yield client, keys


def _h(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_when_operator_screens_then_decision_json_is_returned(api):
    client, keys = api
    r = client.post(
        "/v1/screen/prompt",
        json={"text": "ピカチュウがノルマンディーに上陸する"},
        headers=_h(keys["operator"]),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["verdict"] == "block"
    assert body["findings"][0]["entity"] == "pikachu"
    assert body["entities"][0]["rule"] == "default-deny"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer kyk_wrong"}, {"Authorization": "Basic abc"}]
)
def test_when_key_is_missing_or_wrong_then_401_with_json(api, headers):
    client, _ = api
    r = client.post("/v1/screen/prompt", json={"text": "Pikachu"}, headers=headers)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_when_rightsholder_key_screens_then_403(api):
    client, keys = api
    r = client.post("/v1/screen/prompt", json={"text": "Pikachu"}, headers=_h(keys["pokemon"]))
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "status"), [({"text": ""}, 422), ({"text": "x" * 50_000}, 422), ({"txt": "a"}, 422)]
)
def test_when_prompt_is_bad_then_4xx_says_what_is_wrong(api, body, status):
    client, keys = api
    r = client.post("/v1/screen/prompt", json=body, headers=_h(keys["operator"]))
    assert r.status_code == status
    assert r.json()["detail"]


def test_when_rightsholder_grants_permission_then_next_screen_obeys(api):
    client, keys = api
    ask = {"text": "Superman over Metropolis", "licensee": "acme", "region": "US"}
    assert (
        client.post("/v1/screen/prompt", json=ask, headers=_h(keys["operator"])).json()["verdict"] == "block"
    )
    grant = {
        "id": "dc-acme",
        "subject": "superman",
        "uses": ["generate"],
        "licensees": ["acme"],
        "regions": ["US"],
    }
    r = client.post("/v1/permissions", json=grant, headers=_h(keys["dc"]))
    assert r.status_code == 201, r.text
    after = client.post("/v1/screen/prompt", json=ask, headers=_h(keys["operator"])).json()
    assert after["verdict"] == "allow"
    assert after["registry_version"] == r.json()["registry_version"]
    assert after["entities"][0]["rule"] == "allow:dc-acme"
    client.delete("/v1/permissions/dc-acme", headers=_h(keys["dc"]))
    assert (
        client.post("/v1/screen/prompt", json=ask, headers=_h(keys["operator"])).json()["verdict"] == "block"
    )


def test_when_rightsholder_grants_on_anothers_entry_then_403(api):
    client, keys = api
    grant = {"id": "steal", "subject": "pikachu", "uses": ["generate"]}
    assert client.post("/v1/permissions", json=grant, headers=_h(keys["dc"])).status_code == 403
    grant_as = {**grant, "owner": "pokemon-company"}
    assert client.post("/v1/permissions", json=grant_as, headers=_h(keys["dc"])).status_code == 403


def test_when_rightsholder_lists_entries_then_only_its_own_are_visible(api):
    client, keys = api
    ids = {e["id"] for e in client.get("/v1/entities", headers=_h(keys["dc"])).json()["items"]}
    assert ids == {"superman"}
    assert client.get("/v1/entities/pikachu", headers=_h(keys["dc"])).status_code == 404
    assert client.get("/v1/entities/pikachu", headers=_h(keys["pokemon"])).status_code == 200


def test_when_rightsholder_registers_a_character_then_guard_blocks_it_at_once(api):
    client, keys = api
    body = {"kind": "character", "names": {"en": ["Krypto the Superdog"], "ja": ["クリプト"]}}
    r = client.put("/v1/entities/krypto", json=body, headers=_h(keys["dc"]))
    assert r.status_code == 200, r.text
    d = client.post(
        "/v1/screen/prompt", json={"text": "Krypto the Superdog at the park"}, headers=_h(keys["operator"])
    )
    assert d.json()["verdict"] == "block"


def test_when_operator_writes_or_non_admin_creates_keys_then_403(api):
    client, keys = api
    body = {"kind": "character", "owner": "dc", "names": {"en": ["Lex Luthor"]}}
    assert client.put("/v1/entities/lex", json=body, headers=_h(keys["operator"])).status_code == 403
    for who in ("operator", "pokemon"):
        r = client.post("/v1/keys", json={"role": "admin"}, headers=_h(keys[who]))
        assert r.status_code == 403


def test_when_admin_creates_a_key_then_it_authenticates(api):
    client, keys = api
    r = client.post("/v1/keys", json={"role": "operator", "label": "ci"}, headers=_h(keys["admin"]))
    assert r.status_code == 201
    secret = r.json()["secret"]
    assert client.post("/v1/screen/prompt", json={"text": "a dog"}, headers=_h(secret)).status_code == 200


def test_when_openapi_is_requested_then_screen_route_is_documented(api):
    client, _ = api
    assert "/v1/screen/prompt" in client.get("/openapi.json").json()["paths"]
