"""TDMRep read from saved headers, tdmrep.json sidecars (per sample and per dataset) and HTML metas."""

from __future__ import annotations

import pytest

from kyodaku.scan.model import Consent, Location, Member, Sample
from kyodaku.scan.signals.tdmrep import TdmRepSignal, location_matches
from kyodaku_samples.optout import html_page, image_with_xmp, tdmrep_json

JPEG = image_with_xmp("jpeg", None)


def _sample(*members: Member, headers: dict[str, str] | None = None) -> Sample:
    return Sample("s/0001", Location("s.tar", key="0001"), members=members, headers=headers or {})


def _read(sample: Sample) -> list:
    return TdmRepSignal().read(sample)


def test_when_header_reserves_then_prohibited_with_the_policy() -> None:
    [reading] = _read(
        _sample(
            Member("0001.jpg", "jpg", JPEG),
            headers={"tdm-reservation": "1", "tdm-policy": "https://example.org/tdm-policy.json"},
        )
    )
    assert reading.consent is Consent.PROHIBITED
    assert reading.source == "headers"
    assert reading.reason == "optout:tdmrep"
    assert "https://example.org/tdm-policy.json" in reading.detail


def test_when_header_is_zero_then_allowed() -> None:
    [reading] = _read(_sample(headers={"TDM-Reservation": " 0 "}))
    assert reading.consent is Consent.ALLOWED


@pytest.mark.parametrize("value", ["yes", "2", "", "true"])
def test_when_header_value_is_not_0_or_1_then_unreadable(value: str) -> None:
    [reading] = _read(_sample(headers={"tdm-reservation": value}))
    assert reading.consent is Consent.UNREADABLE


def test_when_repeated_header_values_disagree_then_the_reservation_wins() -> None:
    [reading] = _read(_sample(headers={"tdm-reservation": "0, 1"}))
    assert reading.consent is Consent.PROHIBITED


def test_when_no_header_no_sidecar_then_no_reading() -> None:
    assert _read(_sample(Member("0001.jpg", "jpg", JPEG), headers={"content-type": "image/jpeg"})) == []


def test_when_per_sample_sidecar_is_one_object_then_it_covers_the_sample() -> None:
    sidecar = tdmrep_json({"tdm-reservation": 1, "tdm-policy": "https://example.org/p"})
    [reading] = _read(
        _sample(Member("0001.jpg", "jpg", JPEG), Member("0001.tdmrep.json", "tdmrep.json", sidecar))
    )
    assert reading.consent is Consent.PROHIBITED
    assert reading.source == "0001.tdmrep.json"
    assert "https://example.org/p" in reading.detail


def test_when_several_rules_match_a_file_then_the_first_in_sequence_applies() -> None:
    # The protocol: "The most specific match is the first in sequence": specific rules come first.
    rules = tdmrep_json(
        [
            {"location": "/open/*.png$", "tdm-reservation": 1},
            {"location": "/open/*", "tdm-reservation": 0},
            {"location": "/", "tdm-reservation": 1, "tdm-policy": "https://example.org/all"},
        ]
    )
    sample = _sample(
        Member("open/a.jpg", "jpg", JPEG),
        Member("open/b.png", "png", JPEG),
        Member("closed/c.jpg", "jpg", JPEG),
        Member("0001.tdmrep.json", "tdmrep.json", rules),
    )
    readings = {r.detail.split(" for ")[1].split(":")[0]: r.consent for r in _read(sample)}
    assert readings == {
        "open/a.jpg": Consent.ALLOWED,
        "open/b.png": Consent.PROHIBITED,
        "closed/c.jpg": Consent.PROHIBITED,
    }


def test_when_a_general_rule_comes_first_then_it_applies_to_every_file_it_matches() -> None:
    rules = tdmrep_json(
        [{"location": "/", "tdm-reservation": 1}, {"location": "/open/*", "tdm-reservation": 0}]
    )
    sample = _sample(Member("open/a.jpg", "jpg", JPEG), Member("0001.tdmrep.json", "tdmrep.json", rules))
    assert [r.consent for r in _read(sample)] == [Consent.PROHIBITED]


def test_when_a_rule_has_no_location_then_it_matches_every_file_at_its_place_in_the_order() -> None:
    rules = tdmrep_json([{"location": "/free/*", "tdm-reservation": 0}, {"tdm-reservation": 1}])
    sample = _sample(
        Member("free/a.jpg", "jpg", JPEG),
        Member("b.jpg", "jpg", JPEG),
        Member("0001.tdmrep.json", "tdmrep.json", rules),
    )
    assert [r.consent for r in _read(sample)] == [Consent.ALLOWED, Consent.PROHIBITED]


def test_when_the_header_says_not_reserved_then_it_supersedes_a_reserving_tdm_file() -> None:
    sidecar = Member("0001.tdmrep.json", "tdmrep.json", tdmrep_json({"tdm-reservation": 1}))
    readings = _read(_sample(Member("0001.jpg", "jpg", JPEG), sidecar, headers={"tdm-reservation": "0"}))
    assert [(r.source, r.consent) for r in readings] == [
        ("0001.tdmrep.json", Consent.UNSAID),
        ("headers", Consent.ALLOWED),
    ]
    assert readings[0].detail.startswith("superseded by the tdm-reservation header")
    assert all(r.reason is None for r in readings)  # nothing to exclude


def test_when_the_page_reserves_then_it_supersedes_a_header_that_does_not() -> None:
    page = Member("0001.html", "html", html_page({"tdm-reservation": "1"}))
    readings = _read(_sample(Member("0001.jpg", "jpg", JPEG), page, headers={"tdm-reservation": "0"}))
    assert [(r.source, r.consent) for r in readings] == [
        ("headers", Consent.UNSAID),
        ("0001.html", Consent.PROHIBITED),
    ]


def test_when_the_more_authoritative_source_is_unreadable_then_the_lesser_one_still_counts() -> None:
    sidecar = Member("0001.tdmrep.json", "tdmrep.json", tdmrep_json({"tdm-reservation": 1}))
    readings = _read(_sample(Member("0001.jpg", "jpg", JPEG), sidecar, headers={"tdm-reservation": "maybe"}))
    assert [(r.source, r.consent) for r in readings] == [
        ("0001.tdmrep.json", Consent.PROHIBITED),
        ("headers", Consent.UNREADABLE),
    ]


def test_when_dataset_level_file_matches_relative_to_its_well_known_folder_then_read() -> None:
    rules = tdmrep_json([{"location": "/images/artist/*", "tdm-reservation": 1}])
    sample = _sample(
        Member("ds/images/artist/0001.jpg", "jpg", JPEG),
        Member("ds/.well-known/tdmrep.json", "tdmrep.json", rules),
    )
    [reading] = _read(sample)
    assert reading.consent is Consent.PROHIBITED
    assert reading.source == "ds/.well-known/tdmrep.json"
    assert "ds/images/artist/0001.jpg" in reading.detail


def test_when_dataset_level_rules_match_nothing_then_no_reading() -> None:
    rules = tdmrep_json([{"location": "/other/*", "tdm-reservation": 1}])
    assert (
        _read(_sample(Member("images/0001.jpg", "jpg", JPEG), Member("tdmrep.json", "tdmrep.json", rules)))
        == []
    )


def test_when_dataset_level_file_is_a_single_object_then_it_is_read_as_one_rule() -> None:
    rules = tdmrep_json({"location": "/a*", "tdm-reservation": 0})
    [reading] = _read(_sample(Member("a.jpg", "jpg", JPEG), Member("tdmrep.json", "tdmrep.json", rules)))
    assert reading.consent is Consent.ALLOWED
    assert "'/a*' for a.jpg" in reading.detail


@pytest.mark.parametrize(
    "body",
    [
        b'[{"location": "/", "tdm-reservation": 1',
        b"\xff\xfe garbage",
        b'"just a string"',
        b'[{"location": "/"}]',
    ],
)
def test_when_sidecar_is_malformed_then_unreadable(body: bytes) -> None:
    [reading] = _read(_sample(Member("a.jpg", "jpg", JPEG), Member("a.tdmrep.json", "tdmrep.json", body)))
    assert reading.consent is Consent.UNREADABLE
    assert reading.source == "a.tdmrep.json"
    assert reading.reason == "unreadable:tdmrep"


def test_when_html_sidecar_has_reservation_meta_then_prohibited_with_policy() -> None:
    page = html_page({"tdm-reservation": "1", "tdm-policy": "https://example.org/policy"})
    [reading] = _read(_sample(Member("a.jpg", "jpg", JPEG), Member("a.html", "html", page)))
    assert reading.consent is Consent.PROHIBITED
    assert reading.source == "a.html"
    assert "https://example.org/policy" in reading.detail


def test_when_html_sidecar_has_no_tdm_meta_then_no_reading() -> None:
    page = html_page({"description": "tdm-reservation 1"})
    assert _read(_sample(Member("a.html", "html", page))) == []


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/", "/a/b.jpg", True),
        ("/images/*", "/images/x/y.jpg", True),
        ("/images/*", "/imagesx/y.jpg", False),
        ("/images", "/images2/y.jpg", True),  # a prefix, as in robots.txt
        ("*.png$", "/a/b.png", True),
        ("*.png$", "/a/b.png.jpg", False),
        ("images/*.jpg", "/images/a.jpg", True),
        ("/a.jpg$", "/a.jpg", True),
    ],
)
def test_when_location_patterns_are_matched_then_robots_rules_apply(
    pattern: str, path: str, matches: bool
) -> None:
    assert location_matches(pattern, path) is matches
