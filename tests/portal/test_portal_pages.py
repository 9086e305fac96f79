"""The portal's pages through their forms: what a rightsholder and the desk see and do."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from helpers.pictures import png
from helpers.portal import browser, make_world, post_form, sign_in
from kyodaku_samples.synthetic import draw_image


@pytest.fixture()
def world(tmp_path):
    w = make_world(tmp_path)
    with browser(w):  # runs the app's lifespan (snapshot refresher) for the test
        yield w


def _api(client, secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("path", ["/portal/home", "/portal/catalog", "/portal/permissions", "/portal/blocked",
                                  "/portal/cases", "/portal/queue", "/portal/entries/pikachu"])  # fmt: skip
def test_when_nobody_is_signed_in_then_every_page_sends_the_browser_to_sign_in(world, path):
    answer = browser(world).get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/signin"


def test_when_a_rightsholder_signs_in_then_its_pages_show_its_own_entries_and_nobody_elses(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    catalog = client.get("/portal/catalog").text
    assert "pikachu" in catalog and "superman" not in catalog
    home = client.get("/portal/home")
    assert home.status_code == 200 and "<svg" in home.text
    assert "pokemon-company" in home.text


def test_when_a_permission_is_added_then_the_next_screens_obey_it(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    before = client.get("/portal/permissions", params={"licensee": "studio-x", "region": "FR"}).text
    row = re.compile(r'data-entity="pikachu" data-use="generate">.*?class="verdict (\w+)"', re.S)
    assert row.search(before).group(1) == "block"  # nothing is permitted by default
    saved = post_form(client, "/portal/permissions", "/portal/permissions",
                      {"id": "studio-x-gen", "subject": "pikachu", "uses": ["generate"], "effect": "allow",
                       "licensees": "studio-x", "regions": "*"})  # fmt: skip
    assert saved.status_code == 303
    after = client.get("/portal/permissions", params={"licensee": "studio-x", "region": "FR"}).text
    assert row.search(after).group(1) == "allow" and "studio-x-gen" in after
    screened = client.post("/v1/screen/prompt", json={"text": "Pikachu on a beach", "licensee": "studio-x"},
                           headers=_api(client, world.keys["operator"]))  # fmt: skip
    assert screened.json()["verdict"] == "allow"


def test_when_a_permission_is_revoked_then_history_shows_both_changes_and_the_past_view_still_has_it(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    post_form(client, "/portal/permissions", "/portal/permissions",
              {"id": "tmp-grant", "subject": "pikachu", "uses": ["train"], "effect": "allow"})  # fmt: skip
    confirm = client.get("/portal/permissions/tmp-grant/revoke")
    assert confirm.status_code == 200 and "tmp-grant" in confirm.text
    revoke = "/portal/permissions/tmp-grant/revoke"
    done = post_form(client, revoke, revoke, {})
    assert done.status_code == 303
    page = client.get("/portal/permissions").text
    history = page[page.index("<h2>History</h2>") :]
    assert history.count("<code>tmp-grant</code>") == 2  # granted, then revoked
    current = page[: page.index("<h2>History</h2>")]
    assert "tmp-grant" not in current


def test_when_a_reference_is_uploaded_then_the_entry_page_shows_its_thumbnail(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    picture = png(draw_image("character", 3, (400, 300)).convert("RGB"))
    answer = post_form(client, "/portal/entries/pikachu", "/portal/entries/pikachu/references", {},
                       files={"file": ("pika-ref.png", picture, "image/png")})  # fmt: skip
    assert answer.status_code == 303, answer.text
    page = client.get("/portal/entries/pikachu").text
    thumb = re.search(r'src="(/portal/references/[^"]+/thumb)"', page).group(1)
    image = client.get(thumb)
    assert image.headers["content-type"] == "image/png"
    assert max(Image.open(io.BytesIO(image.content)).size) <= 240


def test_when_a_claim_is_filed_acknowledged_and_upheld_in_the_pages_then_the_claimant_reads_the_answer(world):
    claimant, desk = browser(world), browser(world)
    sign_in(claimant, world.keys["pokemon"])
    sign_in(desk, world.keys["operator"])
    picture = draw_image("scene", 77, (320, 320)).convert("RGB")
    filed = post_form(claimant, "/portal/cases/new", "/portal/cases/new",
                      {"kind": "claim", "entities": ["pikachu"], "text": "This output copies our character."},
                      files={"file": ("found.png", png(picture), "image/png")})  # fmt: skip
    assert filed.status_code == 303, filed.text
    case_url = filed.headers["location"]
    assert case_url in desk.get("/portal/queue").text
    for to in ("acknowledged", "under_review", "upheld"):
        page = desk.get(f"{case_url}/move", params={"to": to})
        assert page.status_code == 200, page.text
        moved = post_form(desk, f"{case_url}/move?to={to}", f"{case_url}/move", {"to": to, "note": "checked"})
        assert moved.status_code == 303, moved.text
    seen = claimant.get(case_url, params={"lang": "ja"}).text
    assert "認容" in seen and 'lang="ja"' in seen and 'lang="en"' in seen  # the answer in both languages
    assert claimant.get(f"{case_url}/file").headers["content-type"] == "image/png"
    again = claimant.post("/v1/screen/image", files={"file": ("again.png", png(picture), "image/png")},
                          headers=_api(claimant, world.keys["operator"]))  # fmt: skip
    assert again.json()["verdict"] == "block"


def test_when_prompts_were_screened_then_the_blocked_page_counts_them_for_their_owner_only(world):
    client = browser(world)
    for text in ("Pikachu surfing", "a poster of Pikachu", "Superman flying"):
        client.post("/v1/screen/prompt", json={"text": text}, headers=_api(client, world.keys["operator"]))
    sign_in(client, world.keys["pokemon"])
    page = client.get("/portal/blocked").text
    assert "<strong>2</strong> block / 2 Total" in page
    assert page.count('href="/portal/entries/pikachu"') == 2 and "superman" not in page
    other = browser(world)
    sign_in(other, world.keys["dc"])
    assert _ledger_rows(other.get("/portal/blocked").text) == 1


def _ledger_rows(page: str) -> int:
    return page.count("<code>le_")


def test_when_the_language_is_switched_to_japanese_then_pages_stay_japanese(world):
    client = browser(world)
    sign_in(client, world.keys["pokemon"])
    first = client.get("/portal/catalog", params={"lang": "ja"}).text
    assert "カタログ" in first and 'lang="ja"' in first
    assert "許諾" in client.get("/portal/permissions").text  # remembered by the session


def test_when_the_parity_page_is_opened_then_the_desk_sees_every_rightsholder_and_a_rightsholder_only_itself(
    world,
):
    desk, holder = browser(world), browser(world)
    sign_in(desk, world.keys["operator"])
    sign_in(holder, world.keys["pokemon"])
    everyone, own = desk.get("/portal/parity").text, holder.get("/portal/parity").text
    for page in (everyone, own):
        assert "<svg" in page and "JP" in page and "US" in page
    assert "square-enix" in everyone and "studio-ghibli" in everyone
    assert "pokemon-company" in own and "square-enix" not in own and "studio-ghibli" not in own


def test_when_a_blocked_decision_is_opened_then_its_ledger_page_says_why_and_others_get_404(world):
    client = browser(world)
    operator = _api(client, world.keys["operator"])
    client.post("/v1/screen/prompt", json={"text": "Pikachu surfing"}, headers=operator)
    sign_in(client, world.keys["pokemon"])
    link = re.search(r'href="(/portal/ledger/le_[0-9a-f]+)"', client.get("/portal/blocked").text).group(1)
    page = client.get(link).text
    assert "pikachu" in page and "Pikachu" in page  # the finding's matched text
    assert "no permission to generate" in page  # the policy's reason: nothing permitted by default
    other = browser(world)
    sign_in(other, world.keys["dc"])
    assert other.get(link).status_code == 404
    assert other.get("/portal/ledger/le_" + "0" * 24).status_code == 404


def test_when_the_desk_opens_the_registry_pages_then_every_owners_entries_show_a_page_at_a_time(world):
    client = browser(world)
    operator = _api(client, world.keys["operator"])
    client.post("/v1/screen/prompt", json={"text": "Superman flying"}, headers=operator)
    sign_in(client, world.keys["operator"])
    for url in ("/portal/home", "/portal/blocked", "/portal/permissions"):
        assert client.get(url).status_code == 200, url
    catalog = client.get("/portal/catalog").text
    assert "pikachu" in catalog and "superman" in catalog
    assert "Superman" in client.get("/portal/blocked").text  # the entry's name, from the snapshot
