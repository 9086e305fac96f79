"""IPTC plus:DataMining read from XMP embedded in real image files (written by Pillow)."""

from __future__ import annotations

import pytest

from kyodaku.scan.model import Consent, Location, Member, Sample
from kyodaku.scan.signals.xmp import IptcSignal, data_mining_values, read_xmp
from kyodaku.scan.signals.xmp_containers import find_xmp
from kyodaku_samples.optout import (
    entity_bomb_xmp,
    image_with_xmp,
    jpeg_with_extended_xmp,
    xmp_packet,
)

PROHIBITING = [
    "DMI-PROHIBITED-AIMLTRAINING",
    "DMI-PROHIBITED-GENAIMLTRAINING",
    "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
    "DMI-PROHIBITED",
    "DMI-PROHIBITED-SEECONSTRAINT",
    "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR",
    "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR",
]


def _sample(*members: Member) -> Sample:
    return Sample("shard-0/0001", Location("shard-0.tar", key="0001"), members=members)


@pytest.mark.parametrize("code", PROHIBITING)
def test_when_jpeg_carries_a_prohibiting_dmi_value_then_prohibited(code: str) -> None:
    reading = read_xmp(image_with_xmp("jpeg", xmp_packet(code)), "0001.jpg")
    assert reading is not None
    assert reading.consent is Consent.PROHIBITED
    assert reading.value == f"http://ns.useplus.org/ldf/vocab/{code}"
    assert reading.signal == "iptc" and reading.source == "0001.jpg"
    assert reading.reason == "optout:iptc"


@pytest.mark.parametrize(
    ("code", "consent"), [("DMI-ALLOWED", Consent.ALLOWED), ("DMI-UNSPECIFIED", Consent.UNSAID)]
)
def test_when_value_allows_or_is_unspecified_then_allowed_or_unsaid(code: str, consent: Consent) -> None:
    reading = read_xmp(image_with_xmp("png", xmp_packet(code)), "a.png")
    assert reading is not None
    assert reading.consent is consent
    assert reading.reason is None


@pytest.mark.parametrize("form", ["attribute", "element", "resource"])
@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "gif", "tiff"])
def test_when_any_form_in_any_container_then_the_value_is_read(fmt: str, form: str) -> None:
    data = image_with_xmp(fmt, xmp_packet("DMI-PROHIBITED-GENAIMLTRAINING", form=form))
    reading = read_xmp(data, f"x.{fmt}")
    assert reading is not None
    assert reading.consent is Consent.PROHIBITED
    assert reading.value.endswith("DMI-PROHIBITED-GENAIMLTRAINING")
    assert fmt in reading.detail


@pytest.mark.parametrize("chunk", ["iTXt-z", "zTXt", "tEXt"])
def test_when_png_keeps_xmp_in_compressed_or_latin1_text_then_it_is_read(chunk: str) -> None:
    data = image_with_xmp("png", xmp_packet("DMI-PROHIBITED"), png_chunk=chunk)
    packets = find_xmp(data)
    assert [p.where for p in packets] == [f"png {chunk.split('-')[0]}"]
    reading = read_xmp(data, "a.png")
    assert reading is not None and reading.consent is Consent.PROHIBITED


def test_when_webp_has_an_odd_sized_chunk_before_xmp_then_the_padding_is_skipped() -> None:
    data = image_with_xmp("webp", xmp_packet("DMI-PROHIBITED"), exif=b"Exif\x00\x00II*")
    assert b"EXIF\x03\x00\x00\x00II*\x00XMP " in data  # a 3-byte chunk and its padding byte
    reading = read_xmp(data, "a.webp")
    assert reading is not None and reading.consent is Consent.PROHIBITED


@pytest.mark.parametrize("value", ["dmi-prohibited-aimltraining", "DMI-Prohibited-AIMLTraining"])
def test_when_value_has_no_vocab_prefix_or_odd_case_then_it_is_still_read(value: str) -> None:
    reading = read_xmp(image_with_xmp("jpeg", xmp_packet(value, prefix=False)), "a.jpg")
    assert reading is not None
    assert reading.consent is Consent.PROHIBITED
    assert reading.value == value


def test_when_value_is_unknown_then_unreadable() -> None:
    reading = read_xmp(image_with_xmp("jpeg", xmp_packet("DMI-MAYBE-LATER")), "a.jpg")
    assert reading is not None
    assert reading.consent is Consent.UNREADABLE
    assert reading.reason == "unreadable:iptc"
    assert "DMI-MAYBE-LATER" in reading.detail


def test_when_data_mining_element_is_empty_then_unreadable() -> None:
    packet = xmp_packet("X", form="element").replace(b"http://ns.useplus.org/ldf/vocab/X", b"")
    assert data_mining_values(packet) == [""]
    reading = read_xmp(image_with_xmp("jpeg", packet), "a.jpg")
    assert reading is not None and reading.consent is Consent.UNREADABLE


def test_when_xmp_is_truncated_then_unreadable() -> None:
    packet = xmp_packet("DMI-ALLOWED")
    reading = read_xmp(image_with_xmp("jpeg", packet[: len(packet) // 2]), "a.jpg")
    assert reading is not None
    assert reading.consent is Consent.UNREADABLE
    assert "not well-formed" in reading.detail


def test_when_xmp_is_an_entity_bomb_then_unreadable_without_expanding() -> None:
    reading = read_xmp(image_with_xmp("png", entity_bomb_xmp()), "bomb.png")
    assert reading is not None
    assert reading.consent is Consent.UNREADABLE
    assert "DOCTYPE" in reading.detail


def test_when_image_has_no_xmp_then_no_reading() -> None:
    for fmt in ("jpeg", "png", "webp", "gif", "tiff"):
        assert read_xmp(image_with_xmp(fmt, None), f"a.{fmt}") is None


def test_when_xmp_has_no_data_mining_then_no_reading() -> None:
    assert read_xmp(image_with_xmp("webp", xmp_packet(None)), "a.webp") is None


def test_when_extended_xmp_holds_the_value_then_it_is_reassembled_and_read() -> None:
    extended = xmp_packet("DMI-PROHIBITED-AIMLTRAINING", form="element") + b" " * 900
    data = jpeg_with_extended_xmp(xmp_packet(None), extended, chunk=300)
    assert len(find_xmp(data)) == 2
    reading = read_xmp(data, "a.jpg")
    assert reading is not None and reading.consent is Consent.PROHIBITED
    assert "ExtendedXMP" in reading.detail


def test_when_extended_xmp_is_incomplete_then_unreadable() -> None:
    data = jpeg_with_extended_xmp(
        xmp_packet(None), xmp_packet("DMI-ALLOWED") + b" " * 900, chunk=300, drop_last=True
    )
    reading = read_xmp(data, "a.jpg")
    assert reading is not None
    assert reading.consent is Consent.UNREADABLE
    assert "incomplete" in reading.detail


def test_when_png_is_cut_before_iend_then_unreadable_since_xmp_may_follow() -> None:
    data = image_with_xmp("png", None)
    reading = read_xmp(data[: len(data) - 20], "a.png")
    assert reading is not None
    assert reading.consent is Consent.UNREADABLE
    assert "png structure broken" in reading.detail


def test_when_jpeg_is_cut_inside_the_image_data_then_its_xmp_is_still_read() -> None:
    data = image_with_xmp("jpeg", xmp_packet("DMI-PROHIBITED"))
    reading = read_xmp(data[: len(data) - 30], "a.jpg")
    assert reading is not None and reading.consent is Consent.PROHIBITED


def test_when_one_file_says_allowed_and_prohibited_then_prohibited_wins() -> None:
    two = xmp_packet("DMI-ALLOWED").replace(
        b"</rdf:RDF>",
        b'<rdf:Description xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="DMI-PROHIBITED"/>'
        b"</rdf:RDF>",
    )
    reading = read_xmp(image_with_xmp("jpeg", two), "a.jpg")
    assert reading is not None and reading.consent is Consent.PROHIBITED


def test_when_sample_has_media_and_an_xmp_sidecar_then_one_reading_each() -> None:
    sample = _sample(
        Member("0001.jpg", "jpg", image_with_xmp("jpeg", xmp_packet("DMI-PROHIBITED"))),
        Member("0001.xmp", "xmp", xmp_packet("DMI-ALLOWED")),
        Member("0001.txt", "txt", b"a caption saying plus:DataMining DMI-PROHIBITED"),
        Member("0002.png", "png", None),
    )
    readings = IptcSignal().read(sample)
    assert [(r.source, r.consent) for r in readings] == [
        ("0001.jpg", Consent.PROHIBITED),
        ("0001.xmp", Consent.ALLOWED),
    ]


def test_when_a_media_member_is_not_an_image_at_all_then_no_reading() -> None:
    sample = _sample(Member("0001.jpg", "jpg", b"<html>not a picture</html>"))
    assert IptcSignal().read(sample) == []
