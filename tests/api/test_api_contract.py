"""The API as a contract: the problem format, the OpenAPI document, paging, conditional writes,
idempotent retries and rate limits, each with its refusals."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.api.app import create_app
from kyodaku.api.contract import OPERATIONS, PUBLIC
from kyodaku.api.paging import decode_cursor, encode_cursor
from kyodaku.domain.errors import InvalidInput
from kyodaku.screening import GuardOptions

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def _app(tmp_path: Path, **kw):
    return create_app(
        f"sqlite:///{tmp_path / 'r.db'}", GuardOptions(semantic=False, themes=False), catalog=MINI, **kw
    )


@pytest.fixture()
def api(tmp_path):
    app = _app(tmp_path)
    store = app.state.store
    keys = {
        "admin": store.create_key("admin").secret,
        "operator": store.create_key("operator").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
        "dc": store.create_key("rightsholder", rightsholder="dc").secret,
    }
    with TestClient(app) as client:
        yield client, {k: {"Authorization": f"Bearer {v}"} for k, v in keys.items()}


def _character(n: int, owner: str = "pokemon-company") -> dict:
    return {"kind": "character", "owner": owner, "names": {"en": [f"Zorblax Number {n}"]}}


# -- the problem format ---------------------------------------------------------------------------
def test_when_an_entry_is_unknown_then_the_answer_is_a_problem_document(api):
    client, h = api
    r = client.get("/v1/entities/nobody-registered-this", headers=h["admin"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"] == "urn:kyodaku:problem:not_found" and body["code"] == "not_found"
    assert (
        body["status"] == 404 and body["title"] == "Not Found" and "nobody-registered-this" in body["detail"]
    )
    assert body["instance"] == "/v1/entities/nobody-registered-this"


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00garbage", b'{"text": "a"'])
def test_when_the_body_cannot_be_read_then_400_malformed_request(api, raw):
    client, h = api
    r = client.post(
        "/v1/screen/prompt", content=raw, headers={**h["operator"], "Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["code"] == "malformed_request"


def test_when_a_field_is_wrong_then_422_points_at_it(api):
    client, h = api
    r = client.put(
        "/v1/entities/x1",
        json={"kind": "character", "names": {"en": ["X"]}, "colour": "red"},
        headers=h["pokemon"],
    )
    assert r.status_code == 422
    assert {"pointer": "#/colour"}.items() <= r.json()["errors"][0].items()


def test_when_a_route_or_method_does_not_exist_then_the_problem_format_too(api):
    client, h = api
    missing = client.get("/v1/nothing-here", headers=h["admin"])
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = client.patch("/v1/entities/pikachu", headers=h["admin"])
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
    assert "PUT" in wrong.headers["allow"]


# -- the document ---------------------------------------------------------------------------------
def test_when_the_document_is_read_then_every_operation_is_in_the_contract_table_with_its_refusals(api):
    client, _ = api
    doc = client.get("/openapi.json").json()
    operations = {(m, p) for p, ms in doc["paths"].items() for m in ms}
    assert operations == set(OPERATIONS)
    assert set(doc["components"]["securitySchemes"]) == {"bearer", "apiKey"}
    for (method, path), op in OPERATIONS.items():
        operation = doc["paths"][path][method]
        assert operation["description"].startswith("**Who may call:**"), (method, path)
        params = {p["name"].lower() for p in operation.get("parameters", [])}
        assert "authorization" not in params and "x-api-key" not in params
        if op.who != PUBLIC:
            assert {"401", "403", "422", "429"} <= set(operation["responses"]), (method, path)
            problem = operation["responses"]["401"]["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}
    put = doc["paths"]["/v1/entities/{entity_id}"]["put"]
    assert {"404", "409", "412"} <= set(put["responses"])
    assert put["parameters"][0]["schema"]["pattern"].startswith("^[A-Za-z0-9]")


# -- paging ---------------------------------------------------------------------------------------
def test_when_entries_are_paged_then_each_is_seen_once_in_order_and_the_link_leads_on(api):
    client, h = api
    for n in range(23):
        assert (
            client.put(f"/v1/entities/zz-{n:02d}", json=_character(n), headers=h["admin"]).status_code == 200
        )
    seen, url, pages = [], "/v1/entities?limit=7", 0
    while url:
        page = client.get(url, headers=h["admin"])
        assert page.status_code == 200
        body = page.json()
        seen += [e["id"] for e in body["items"]]
        url = body["next"]
        if url:
            assert page.headers["link"] == f'<{url}>; rel="next"'
        pages += 1
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {f"zz-{n:02d}" for n in range(23)} <= set(seen) and pages == -(-len(seen) // 7)


def test_when_a_rightsholder_pages_or_filters_then_only_its_own_entries_appear(api):
    client, h = api
    mine = client.get("/v1/entities?limit=100", headers=h["dc"]).json()["items"]
    assert mine and {e["owner"] for e in mine} == {"dc"}
    assert client.get("/v1/entities?owner=pokemon-company", headers=h["dc"]).json()["items"] == []
    styles = client.get("/v1/entities?kind=style", headers=h["admin"]).json()["items"]
    assert [e["id"] for e in styles] == ["ghibli-style"]


def test_when_a_cursor_is_altered_or_used_with_other_filters_then_422_names_the_cursor(api):
    client, h = api
    first = client.get("/v1/entities?limit=2", headers=h["admin"]).json()
    cursor = first["next_cursor"]
    tampered = cursor[:-1] + ("0" if cursor[-1] != "0" else "1")
    for url in (
        f"/v1/entities?limit=2&cursor={tampered}",
        f"/v1/entities?limit=2&kind=work&cursor={cursor}",
        f"/v1/permissions?limit=2&cursor={cursor}",
    ):
        r = client.get(url, headers=h["admin"])
        assert r.status_code == 422 and r.json()["errors"][0]["parameter"] == "cursor", url


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_when_any_text_is_given_as_a_cursor_then_it_is_refused_or_names_an_id_never_crashes(text):
    try:
        after = decode_cursor(text, "/v1/entities", {"kind": None})
    except InvalidInput:
        return
    assert after is None or encode_cursor(after, "/v1/entities", {"kind": None}) == text


# -- conditional writes ---------------------------------------------------------------------------
def test_when_a_write_names_a_stale_etag_then_412_and_nothing_changes(api):
    client, h = api
    read = client.get("/v1/entities/pikachu", headers=h["pokemon"])
    tag = read.headers["etag"]
    body = {k: v for k, v in read.json().items() if k in ("kind", "work", "names", "description")}
    first = client.put(
        "/v1/entities/pikachu",
        json={**body, "names": {"en": ["Pikachu", "Pika"]}},
        headers={**h["pokemon"], "If-Match": tag},
    )
    assert first.status_code == 200 and first.headers["etag"] != tag
    stale = client.put(
        "/v1/entities/pikachu",
        json={**body, "names": {"en": ["Pikachu", "Other"]}},
        headers={**h["pokemon"], "If-Match": tag},
    )
    assert stale.status_code == 412 and stale.json()["current_etag"] == first.headers["etag"]
    assert client.get("/v1/entities/pikachu", headers=h["pokemon"]).json()["names"]["en"] == [
        "Pikachu",
        "Pika",
    ]
    gone = client.delete("/v1/permissions/p1", headers={**h["pokemon"], "If-Match": '"0000"'})
    assert (
        gone.status_code == 412 and client.get("/v1/permissions/p1", headers=h["pokemon"]).status_code == 200
    )


def test_when_two_editors_write_with_the_same_etag_at_once_then_exactly_one_wins(api):
    client, h = api
    tag = client.get("/v1/entities/superman", headers=h["dc"]).headers["etag"]
    statuses: list[int] = []

    def edit(name: str) -> None:
        body = {"kind": "character", "names": {"en": ["Superman", name]}}
        statuses.append(
            client.put("/v1/entities/superman", json=body, headers={**h["dc"], "If-Match": tag}).status_code
        )

    threads = [threading.Thread(target=edit, args=(f"Name {i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 412, 412, 412]


# -- idempotent retries ---------------------------------------------------------------------------
def _grant(pid: str = "retry-1", licensee: str = "acme") -> dict:
    return {"id": pid, "subject": "pikachu", "uses": ["generate"], "licensees": [licensee]}


def test_when_a_create_is_retried_with_its_key_then_the_first_answer_comes_back_and_nothing_runs_twice(api):
    client, h = api
    headers = {**h["pokemon"], "Idempotency-Key": "grant-7f3a"}
    first = client.post("/v1/permissions", json=_grant(), headers=headers)
    again = client.post("/v1/permissions", json=_grant(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == first.headers["etag"]
    other = client.post("/v1/permissions", json=_grant(licensee="globex"), headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert client.get("/v1/permissions/retry-1", headers=h["pokemon"]).json()["licensees"] == ["acme"]


def test_when_the_first_attempt_failed_then_the_key_is_free_and_keys_are_per_caller(api):
    client, h = api
    bad = client.post(
        "/v1/permissions",
        json={**_grant(), "subject": "superman"},
        headers={**h["pokemon"], "Idempotency-Key": "k-1"},
    )
    assert bad.status_code in (403, 422)
    good = client.post(
        "/v1/permissions", json=_grant("retry-2"), headers={**h["pokemon"], "Idempotency-Key": "k-1"}
    )
    assert good.status_code == 201 and "idempotent-replayed" not in good.headers
    theirs = client.post(
        "/v1/permissions",
        json={"id": "dc-1", "subject": "superman", "uses": ["train"]},
        headers={**h["dc"], "Idempotency-Key": "k-1"},
    )
    assert theirs.status_code == 201 and theirs.json()["permission"] == "dc-1"


def test_when_an_idempotency_key_is_malformed_then_422_names_the_header(api):
    client, h = api
    r = client.post("/v1/permissions", json=_grant(), headers={**h["pokemon"], "Idempotency-Key": "x" * 201})
    assert r.status_code == 422 and r.json()["errors"][0]["parameter"] == "Idempotency-Key"


# -- rate limits ----------------------------------------------------------------------------------
def test_when_a_key_goes_over_its_rate_then_429_with_retry_after_and_other_keys_go_on(tmp_path):
    app = _app(tmp_path, rate_limit="3/minute")
    one, two = (app.state.store.create_key("operator").secret for _ in range(2))
    with TestClient(app) as client:
        answers = [client.get("/v1/entities", headers={"Authorization": f"Bearer {one}"}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.json()["code"] == "rate_limited" and 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.get("/v1/entities", headers={"Authorization": f"Bearer {two}"}).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_when_the_catalog_schema_and_the_api_describe_ids_and_languages_then_they_say_the_same():
    import json
    from importlib import resources

    from kyodaku.domain.model import ID_REGEX, LANG_REGEX

    schema = json.loads(resources.files("kyodaku").joinpath("schemas/catalog.schema.json").read_text())
    defs = schema["$defs"]
    assert defs["id"]["pattern"] == ID_REGEX and defs["lang"]["pattern"] == LANG_REGEX


def test_when_bodies_are_empty_where_the_document_says_non_empty_then_422_points_at_the_field(api):
    client, h = api
    char = {"kind": "character"}
    grant = {"subject": "pikachu", "uses": ["train"]}
    cases = [
        ("post", "/v1/screen/prompt", h["operator"], {"text": ""}, "#/text"),
        ("put", "/v1/entities/e1", h["pokemon"], {**char, "names": {}}, "#/names"),
        ("put", "/v1/entities/e1", h["pokemon"], {**char, "names": {"en": [" "]}}, "#/names/en/0"),
        ("post", "/v1/permissions", h["pokemon"], {**grant, "id": ""}, "#/id"),
        ("post", "/v1/permissions", h["pokemon"], {**grant, "id": "p9", "uses": []}, "#/uses"),
    ]
    for method, url, headers, body, pointer in cases:
        r = getattr(client, method)(url, json=body, headers=headers)
        assert r.status_code == 422, (url, body)
        assert pointer in [e.get("pointer") for e in r.json()["errors"]], (url, body, r.json())


@pytest.mark.parametrize("media", ["text/plain", "application/xml", None])
def test_when_a_json_operation_gets_another_media_type_then_415_says_to_send_json(api, media):
    client, h = api
    headers = {**h["operator"], **({"Content-Type": media} if media else {})}
    r = client.post("/v1/screen/prompt", content=b'{"text": "Pikachu"}', headers=headers)
    assert r.status_code == 415 and "application/json" in r.json()["detail"]
