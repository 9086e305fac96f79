"""The desk over HTTP: filing with a file, the queue, moves, and the refusals across tenants."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers.pictures import png, png_bomb
from kyodaku.api.app import create_app
from kyodaku.screening import GuardOptions
from kyodaku_samples.synthetic import draw_image

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


@pytest.fixture()
def api(tmp_path):
    options = GuardOptions(semantic=False, themes=False, reference_store=str(tmp_path / "refs"))
    app = create_app(f"sqlite:///{tmp_path / 'r.db'}", options, catalog=MINI, max_upload_bytes=2_000_000)
    store = app.state.store
    secrets = {
        "operator": store.create_key("operator").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
        "dc": store.create_key("rightsholder", rightsholder="dc").secret,
    }
    with TestClient(app) as client:
        yield client, {k: {"Authorization": f"Bearer {v}"} for k, v in secrets.items()}


def _file(client, headers, *, entities="pikachu", text="our character", picture=None, **form):
    files = {"file": ("found.png", png(picture), "image/png")} if picture is not None else None
    data = {"kind": "claim", "entities": entities, "text": text, **form}
    return client.post("/v1/cases", data=data, files=files, headers=headers)


def test_when_a_claim_with_an_output_is_filed_and_upheld_then_that_output_is_blocked(api):
    client, h = api
    picture = draw_image("scene", 51, (320, 320)).convert("RGB")
    screened = client.post("/v1/screen/image", files={"file": ("out.png", png(picture), "image/png")},
                           headers=h["operator"])  # fmt: skip
    assert screened.json()["verdict"] == "allow"
    filed = _file(client, h["pokemon"], picture=picture)
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert [m["entry_id"] for m in case["evidence"]["trace"]["matches"]] == [screened.json()["ledger_id"]]
    for to in ("acknowledged", "under_review", "upheld"):
        moved = client.post(f"/v1/cases/{case['id']}/transitions", json={"to": to, "note": "checked"},
                            headers=h["operator"])  # fmt: skip
        assert moved.status_code == 200, moved.text
    seen = client.get(f"/v1/cases/{case['id']}", headers=h["pokemon"]).json()
    assert [e["to"] for e in seen["events"]] == ["received", "acknowledged", "under_review", "upheld"]
    assert seen["answer"]["ja"] and seen["answer"]["en"]
    again = client.post("/v1/screen/image", files={"file": ("again.png", png(picture), "image/png")},
                        headers=h["operator"])  # fmt: skip
    assert again.json()["verdict"] == "block"


def test_when_another_rightsholder_asks_for_a_case_then_it_is_not_found_like_an_unknown_id(api):
    client, h = api
    case = _file(client, h["pokemon"], link="https://example.com/post/1").json()
    other = client.get(f"/v1/cases/{case['id']}", headers=h["dc"])
    unknown = client.get("/v1/cases/case_0000000000000000", headers=h["dc"])
    assert other.status_code == unknown.status_code == 404
    assert client.get("/v1/cases", headers=h["dc"]).json()["items"] == []
    move = client.post(f"/v1/cases/{case['id']}/transitions", json={"to": "withdrawn"}, headers=h["dc"])
    assert move.status_code == 404


def test_when_a_claim_names_another_owners_entry_or_a_forged_ledger_id_then_it_is_refused(api):
    client, h = api
    assert _file(client, h["pokemon"], entities="superman", link="https://x.example").status_code == 404
    assert _file(client, h["pokemon"], ledger_id="le_" + "0" * 24).status_code == 404


def test_when_the_claimed_file_is_a_bomb_or_not_media_then_it_is_refused_with_4xx(api):
    client, h = api
    form = {"kind": "claim", "entities": "pikachu", "text": "x"}
    bomb = client.post("/v1/cases", data=form, files={"file": ("bomb.png", png_bomb(), "image/png")},
                       headers=h["pokemon"])  # fmt: skip
    assert bomb.status_code == 413
    text = client.post("/v1/cases", data={"kind": "claim", "entities": "pikachu", "text": "x"},
                       files={"file": ("a.txt", b"hello", "text/plain")}, headers=h["pokemon"])  # fmt: skip
    assert text.status_code == 415
    assert client.get("/v1/cases", headers=h["operator"]).json()["items"] == []


def test_when_the_desk_jumps_or_the_claimant_acknowledges_then_the_move_is_refused(api):
    client, h = api
    case = _file(client, h["pokemon"], link="https://example.com/post/2").json()
    path = f"/v1/cases/{case['id']}/transitions"
    assert client.post(path, json={"to": "upheld"}, headers=h["operator"]).status_code == 422
    assert client.post(path, json={"to": "acknowledged"}, headers=h["pokemon"]).status_code == 403
    assert client.post(path, json={"to": "nonsense"}, headers=h["operator"]).status_code == 422


def test_when_a_claim_text_carries_markup_then_it_is_kept_as_text(api):
    client, h = api
    payload = "<script>alert(1)</script> & <b>bold</b>"
    case = _file(client, h["pokemon"], text=payload, link="https://example.com/p").json()
    assert client.get(f"/v1/cases/{case['id']}", headers=h["operator"]).json()["text"] == payload


def test_when_the_queue_is_paged_then_every_case_comes_once_in_deadline_order(api):
    client, h = api
    filed = [_file(client, h["pokemon"], link=f"https://example.com/p/{i}").json()["id"] for i in range(7)]
    client.post(f"/v1/cases/{filed[2]}/transitions", json={"to": "acknowledged"}, headers=h["operator"])
    seen, url = [], "/v1/cases?limit=3"
    while url:
        page = client.get(url, headers=h["operator"])
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        url = page.json()["next"]
    assert sorted(c["id"] for c in seen) == sorted(filed)
    assert seen[-1]["id"] == filed[2]  # acknowledged: its deadline is now the decision's, the latest
    bad = client.get("/v1/cases?limit=3&cursor=abc.0123456789abcdef", headers=h["operator"])
    assert bad.status_code == 422
