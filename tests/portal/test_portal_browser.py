"""The portal end to end in Debian's Chromium (Playwright): what a rightsholder and the desk do, and
what the browser is refused. Each test starts a fresh server (tests/portal/conftest.py)."""

from __future__ import annotations

import re

from helpers.pictures import png
from kyodaku_samples.synthetic import draw_image


def sign_in(page, secret: str) -> None:
    page.goto("/portal/signin")
    page.fill("input[name=key]", secret)
    page.click("form[action='/portal/signin'] button[type=submit]")
    page.wait_for_load_state()
    assert "/portal/signin" not in page.url, page.content()[:500]


def access_of(page, entity: str, use: str) -> str:
    cell = page.locator(f"#access tr[data-entity='{entity}'][data-use='{use}'] .verdict")
    return cell.get_attribute("class").split()[-1]


def test_when_a_rightsholder_grants_a_use_in_the_browser_then_the_next_screen_obeys_it(page, live_server):
    sign_in(page, live_server.keys.rightsholder_a)
    page.goto("/portal/permissions?licensee=studio-x&region=FR")
    assert access_of(page, "pikachu", "generate") == "block"
    page.fill("input[name=id]", "studio-x-pikachu")
    page.select_option("select[name=subject]", "pikachu")
    page.check("input[name=uses][value=generate]")
    page.fill("input[name=licensees]", "studio-x")
    page.click("form[action='/portal/permissions'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").inner_text().startswith("Saved")
    page.goto("/portal/permissions?licensee=studio-x&region=FR")
    assert access_of(page, "pikachu", "generate") == "allow"
    assert access_of(page, "pikachu", "train") == "block"  # only the use granted


def test_when_a_reference_is_uploaded_in_the_browser_then_its_thumbnail_is_drawn(page, live_server, tmp_path):
    picture = tmp_path / "pikachu-ref.png"
    picture.write_bytes(png(draw_image("character", 9, (480, 360)).convert("RGB")))
    sign_in(page, live_server.keys.rightsholder_a)
    page.goto("/portal/entries/pikachu")
    page.set_input_files("input[type=file][name=file]", str(picture))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()
    image = page.locator("ul.thumbs img").first
    image.scroll_into_view_if_needed()  # thumbnails load lazily
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") <= 240
    assert "pikachu-ref.png" in page.locator("ul.thumbs").inner_text()


def test_when_a_claim_is_filed_acknowledged_and_upheld_then_the_claimant_reads_the_answer(
    browser, live_server, tmp_path
):
    output = tmp_path / "found.png"
    output.write_bytes(png(draw_image("scene", 31, (320, 320)).convert("RGB")))
    claimant = browser.new_context(base_url=live_server.url).new_page()
    desk = browser.new_context(base_url=live_server.url).new_page()
    try:
        sign_in(claimant, live_server.keys.rightsholder_a)
        claimant.goto("/portal/cases/new")
        claimant.select_option("select[name=entities]", ["pikachu"])
        claimant.fill("textarea[name=text]", "This generated picture copies our character.")
        claimant.set_input_files("input[name=file]", str(output))
        claimant.click("form[action='/portal/cases/new'] button[type=submit]")
        claimant.wait_for_url(re.compile(r"/portal/cases/case_[0-9a-f]+$"))
        case_path = claimant.url.split(live_server.url, 1)[1]

        sign_in(desk, live_server.keys.operator)
        desk.goto("/portal/queue")
        desk.click(f"a[href='{case_path}']")
        for action in ("Acknowledge", "Start review", "Uphold"):
            desk.click(f"#actions a.button:text-is('{action}')")
            desk.fill("textarea[name=note]", f"{action}: checked against the reference")
            desk.click("form button[type=submit]:has-text('Confirm')")
            desk.wait_for_url(re.compile(re.escape(case_path) + "$"))
        assert desk.locator("h1 .state").inner_text() == "upheld"

        claimant.goto(case_path + "?lang=ja")
        answers = claimant.locator("#answer .answer")
        assert answers.count() == 2  # Japanese first, then English
        assert "認めました" in answers.nth(0).inner_text()
        assert "upheld" in answers.nth(1).inner_text()
        shown = claimant.locator("#evidence img").first
        shown.scroll_into_view_if_needed()
        claimant.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shown.element_handle())
    finally:
        claimant.context.close()
        desk.context.close()


def test_when_another_rightsholders_case_url_is_opened_then_the_browser_gets_404(browser, live_server):
    owner = browser.new_context(base_url=live_server.url).new_page()
    other = browser.new_context(base_url=live_server.url).new_page()
    try:
        sign_in(owner, live_server.keys.rightsholder_a)
        owner.goto("/portal/cases/new")
        owner.check("input[name=kind][value=inquiry]")
        owner.select_option("select[name=entities]", ["pikachu"])
        owner.fill("textarea[name=text]", "Was our character in a training set you scanned?")
        owner.click("form[action='/portal/cases/new'] button[type=submit]")
        owner.wait_for_url(re.compile(r"/portal/cases/case_[0-9a-f]+$"))
        case_path = owner.url.split(live_server.url, 1)[1]
        sign_in(other, live_server.keys.rightsholder_b)
        answer = other.goto(case_path)
        assert answer.status == 404
        assert "Was our character" not in other.content()
    finally:
        owner.context.close()
        other.context.close()


def test_when_a_form_is_sent_without_its_csrf_token_then_the_browser_gets_403_and_nothing_is_saved(
    page, live_server
):
    sign_in(page, live_server.keys.rightsholder_a)
    page.goto("/portal/permissions")
    page.fill("input[name=id]", "no-token")
    page.check("input[name=uses][value=train]")
    page.evaluate("document.querySelector(\"form[action='/portal/permissions'] input[name=csrf]\").remove()")
    with page.expect_navigation() as navigation:
        page.click("form[action='/portal/permissions'] button[type=submit]")
    assert navigation.value.status == 403
    assert "security token" in page.content()
    page.goto("/portal/permissions")
    assert "no-token" not in page.content()


def test_when_signed_out_then_the_back_button_and_old_cookie_show_nothing(page, live_server):
    sign_in(page, live_server.keys.rightsholder_a)
    cookie = next(c for c in page.context.cookies() if c["name"] == "kyodaku_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.click("header form[action='/portal/signout'] button")
    page.wait_for_url(re.compile(r"/portal/signin$"))
    page.context.add_cookies([cookie])  # replay the old session cookie
    page.goto("/portal/home")
    assert page.url.endswith("/portal/signin")
