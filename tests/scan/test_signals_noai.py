"""noai / noimageai directives read from saved X-Robots-Tag headers and HTML robots metas."""

from __future__ import annotations

import pytest

from kyodaku.scan.model import Consent, Location, Member, Sample
from kyodaku.scan.signals.noai import Directive, NoAiSignal, parse_robots
from kyodaku_samples.optout import html_page, image_with_xmp

JPEG = Member("0001.jpg", "jpg", image_with_xmp("jpeg", None))
CAPTION = Member("0001.txt", "txt", b"a caption")


def _read(*members: Member, headers: dict | None = None) -> list:
    sample = Sample("s/0001", Location("s.tar", key="0001"), members=members, headers=headers or {})
    return NoAiSignal().read(sample)


@pytest.mark.parametrize("value", ["noai", "noai, noimageai", "index, follow, noai", "NoAI", "noimageai"])
def test_when_header_opts_out_of_ai_on_an_image_sample_then_prohibited(value: str) -> None:
    [reading] = _read(JPEG, headers={"x-robots-tag": value})
    assert reading.consent is Consent.PROHIBITED
    assert reading.source == "headers"
    assert reading.value == value
    assert reading.reason == "optout:noai"


def test_when_header_is_scoped_to_one_user_agent_then_it_still_counts() -> None:
    [reading] = _read(JPEG, headers={"X-Robots-Tag": "googlebot: noindex, otherbot: noai"})
    assert reading.consent is Consent.PROHIBITED
    assert "otherbot" in reading.detail


def test_when_noimageai_on_a_text_only_sample_then_unsaid() -> None:
    [reading] = _read(CAPTION, headers={"x-robots-tag": "noimageai"})
    assert reading.consent is Consent.UNSAID


def test_when_noai_on_a_text_only_sample_then_prohibited() -> None:
    [reading] = _read(CAPTION, headers={"x-robots-tag": "noai"})
    assert reading.consent is Consent.PROHIBITED


@pytest.mark.parametrize(
    "value", ["noindex, nofollow", "unavailable_after: 25 Jun 2030 15:00:00 PST", "none"]
)
def test_when_header_has_no_ai_directive_then_no_reading(value: str) -> None:
    assert _read(JPEG, headers={"x-robots-tag": value}) == []


def test_when_repeated_headers_are_saved_as_a_list_then_all_are_read() -> None:
    [reading] = _read(JPEG, headers={"x-robots-tag": ["noindex", "noimageai"]})
    assert reading.consent is Consent.PROHIBITED


def test_when_parsing_then_agents_scope_the_following_directives() -> None:
    assert parse_robots("noarchive, bingbot: noai, noimageai, max-snippet: 20") == [
        Directive("noarchive"),
        Directive("noai", "bingbot"),
        Directive("noimageai", "bingbot"),
        Directive("max-snippet", "bingbot"),
    ]


@pytest.mark.parametrize("name", ["robots", "googlebot", "CCBot", "img2dataset"])
def test_when_html_robots_meta_says_noai_then_prohibited(name: str) -> None:
    [reading] = _read(JPEG, Member("0001.html", "html", html_page({name: "noai, noimageai"})))
    assert reading.consent is Consent.PROHIBITED
    assert reading.source == "0001.html"


def test_when_html_http_equiv_x_robots_tag_says_noimageai_then_prohibited() -> None:
    [reading] = _read(JPEG, Member("0001.htm", "htm", html_page(http_equiv={"X-Robots-Tag": "noimageai"})))
    assert reading.consent is Consent.PROHIBITED


def test_when_noai_appears_only_in_prose_metas_and_body_then_no_reading() -> None:
    page = html_page({"description": "noai noimageai", "keywords": "noai"}, body="<p>noai</p>")
    assert _read(JPEG, Member("0001.html", "html", page)) == []


def test_when_header_and_page_both_opt_out_then_one_reading_each() -> None:
    readings = _read(
        JPEG, Member("0001.html", "html", html_page({"robots": "noai"})), headers={"x-robots-tag": "noai"}
    )
    assert [(r.source, r.consent) for r in readings] == [
        ("headers", Consent.PROHIBITED),
        ("0001.html", Consent.PROHIBITED),
    ]
