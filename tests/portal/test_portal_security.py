"""The portal's refusals: other tenants' ids, forms without their token, replayed and revoked
sessions, markup in names and claim texts, roles."""

from __future__ import annotations

import pytest

from helpers.pictures import png, png_bomb
from helpers.portal import browser, csrf_of, make_world, post_form, sign_in
from kyodaku_samples.synthetic import draw_image


@pytest.fixture()
def world(tmp_path):
    w = make_world(tmp_path)
    with browser(w):
        yield w


def _claim(client, text="ours", picture=None):
    files = {"file": ("found.png", png(picture), "image/png")} if picture is not None else None
    data = {"kind": "claim", "entities": ["pikachu"], "text": text, "link": "https://example.com/p/1"}
    return post_form(client, "/portal/cases/new", "/portal/cases/new", data, files=files)


def test_when_another_rightsholder_opens_a_case_entry_or_file_by_url_then_404_like_an_unknown_id(world):
    owner, other = browser(world), browser(world)
    sign_in(owner, world.keys["pokemon"])
    sign_in(other, world.keys["dc"])
    case_url = _claim(owner, picture=draw_image("scene", 5, (200, 200)).convert("RGB")).headers["location"]
    assert owner.get(case_url).status_code == 200
    for url in (case_url, f"{case_url}/file", f"{case_url}/move?to=withdrawn", "/portal/entries/pikachu"):
        assert other.get(url).status_code == 404, url
    assert other.get("/portal/cases/case_0000000000000000").status_code == 404
    moved = post_form(other, "/portal/home", f"{case_url}/move", {"to": "withdrawn"})
    assert moved.status_code == 404
    assert "received" in owner.get(case_url).text


def test_when_a_form_comes_without_its_token_or_with_another_sessions_then_403_and_nothing_changes(world):
    mine, theirs = browser(world), browser(world)
    sign_in(mine, world.keys["pokemon"])
    sign_in(theirs, world.keys["pokemon"])
    form = {"id": "forged", "subject": "pikachu", "uses": ["generate"], "effect": "allow"}
    assert mine.post("/portal/permissions", data=form).status_code == 403
    stolen = csrf_of(theirs.get("/portal/permissions").text)
    assert mine.post("/portal/permissions", data={**form, "csrf": stolen}).status_code == 403
    assert "forged" not in mine.get("/portal/permissions").text


def test_when_a_form_is_posted_from_another_site_then_403_even_with_the_token(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    token = csrf_of(client.get("/portal/permissions").text)
    data = {"csrf": token, "id": "cross-site", "subject": "pikachu", "uses": ["generate"]}
    answer = client.post("/portal/permissions", data=data, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert "cross-site" not in client.get("/portal/permissions").text


def test_when_the_sign_in_form_lacks_its_cookie_pair_then_it_is_refused(world):
    client = browser(world)
    token = csrf_of(client.get("/portal/signin").text)
    fresh = browser(world)  # no sign-in cookie: a form forged on another site
    assert fresh.post("/portal/signin", data={"csrf": token, "key": world.keys["pokemon"]}).status_code == 403


def test_when_a_wrong_key_is_given_then_401_says_so_and_no_session_starts(world):
    client = browser(world)
    token = csrf_of(client.get("/portal/signin").text)
    answer = client.post("/portal/signin", data={"csrf": token, "key": "kyk_not-a-key"})
    assert answer.status_code == 401 and "invalid or revoked API key" in answer.text
    assert "kyodaku_session" not in client.cookies
    assert client.get("/portal/home").status_code == 303


def test_when_a_session_cookie_is_replayed_after_sign_out_then_it_signs_nobody_in(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    cookie = client.cookies.get("kyodaku_session")
    assert post_form(client, "/portal/home", "/portal/signout", {}).status_code == 303
    replay = browser(world)
    replay.cookies.set("kyodaku_session", cookie, path="/portal")
    answer = replay.get("/portal/home")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/signin"


def test_when_the_api_key_is_revoked_then_its_open_sessions_end(world):
    client = browser(world)
    sign_in(client, world.keys["dc"])
    assert client.get("/portal/home").status_code == 200
    key_id = world.app.state.store.authenticate(world.keys["dc"]).key_id
    world.app.state.store.revoke_key(key_id)
    assert client.get("/portal/home").status_code == 303


def test_when_the_session_cookie_is_set_then_it_is_httponly_samesite_and_scoped_to_the_portal(world):
    client = browser(world)
    page = client.get("/portal/signin")
    token = csrf_of(page.text)
    answer = client.post("/portal/signin", data={"csrf": token, "key": world.keys["pokemon"]})
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "kyodaku_session=" in v)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/portal" in cookie
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no script
    assert page.headers["x-frame-options"] == "DENY"


def test_when_names_and_claim_texts_hold_markup_then_pages_show_it_as_text(world):
    client = browser(world)
    admin = {"Authorization": f"Bearer {world.keys['admin']}"}
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    put = client.put(
        "/v1/entities/pikachu",
        headers=admin,
        json={"kind": "character", "owner": "pokemon-company", "work": "pokemon", "names": {"en": [evil]}},
    )
    assert put.status_code == 200, put.text
    sign_in(client, world.keys["pokemon"])
    case_url = _claim(client, text=evil).headers["location"]
    for url in ("/portal/catalog", "/portal/entries/pikachu", case_url, "/portal/permissions"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url


def test_when_an_operator_tries_to_grant_or_a_claimant_to_decide_then_403(world):
    operator, claimant = browser(world), browser(world)
    sign_in(operator, world.keys["operator"])
    sign_in(claimant, world.keys["pokemon"])
    grant = post_form(operator, "/portal/permissions", "/portal/permissions",
                      {"id": "op-grant", "subject": "pikachu", "uses": ["generate"]})  # fmt: skip
    assert grant.status_code == 403
    case_url = _claim(claimant).headers["location"]
    assert claimant.get(f"{case_url}/move", params={"to": "acknowledged"}).status_code == 422
    decide = post_form(claimant, case_url, f"{case_url}/move", {"to": "acknowledged"})
    assert decide.status_code == 403
    form = {"kind": "claim", "entities": ["pikachu"], "text": "x", "link": "https://x.example"}
    assert post_form(operator, "/portal/queue", "/portal/cases/new", form).status_code == 403


def test_when_a_claimed_file_is_a_bomb_or_too_large_then_the_page_refuses_it_and_files_nothing(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    data = {"kind": "claim", "entities": ["pikachu"], "text": "x"}
    bomb = post_form(client, "/portal/cases/new", "/portal/cases/new", data,
                     files={"file": ("bomb.png", png_bomb(), "image/png")})  # fmt: skip
    assert 400 <= bomb.status_code < 500
    huge = post_form(client, "/portal/cases/new", "/portal/cases/new", data,
                     files={"file": ("huge.png", b"\x89PNG" + b"0" * 3_000_000, "image/png")})  # fmt: skip
    assert huge.status_code == 413
    assert "case_" not in client.get("/portal/cases").text


def test_when_a_claim_names_another_rightsholders_entry_then_404_and_no_case(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    data = {"kind": "claim", "entities": ["superman"], "text": "not ours", "link": "https://x.example/1"}
    answer = post_form(client, "/portal/cases/new", "/portal/cases/new", data)
    assert answer.status_code == 404 and "superman" in answer.text
    assert "case_" not in client.get("/portal/cases?state=all").text
