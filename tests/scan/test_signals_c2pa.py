"""C2PA training-mining assertions read from images signed by a throwaway CA with c2pa-python."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.domain.errors import ConfigurationError
from kyodaku.scan.model import Consent, Location, Member, Sample
from kyodaku.scan.signals import read_signals
from kyodaku.scan.signals.c2pa_signal import C2paSignal, judge_store, might_hold_manifest
from kyodaku.scan.signals.xmp_containers import jpeg_metadata_end
from kyodaku_samples.optout import image_with_xmp, signed_image, tamper, throwaway_ca


def _signed(fmt: str, entries: dict | None, label: str = "c2pa.training-mining") -> bytes:
    return signed_image(fmt, json.dumps(entries), label)


def _read(data: bytes, ext: str = "jpg", reader: C2paSignal | None = None) -> list:
    sample = Sample("s/1", Location("s.tar", key="1"), members=(Member(f"1.{ext}", ext, data),))
    return (reader or C2paSignal()).read(sample)


def test_when_ai_training_is_not_allowed_then_prohibited_and_untrusted_signer_noted() -> None:
    [reading] = _read(_signed("jpeg", {"c2pa.ai_training": {"use": "notAllowed"}}))
    assert reading.consent is Consent.PROHIBITED
    assert reading.signal == "c2pa" and reading.source == "1.jpg"
    assert reading.value == "c2pa.ai_training=notAllowed"
    assert "untrusted signer" in reading.detail
    assert "validation Valid" in reading.detail


def test_when_generative_training_is_constrained_then_prohibited_with_the_constraint() -> None:
    entries = {
        "c2pa.ai_generative_training": {"use": "constrained", "constraint_info": "licence at example.org"},
        "c2pa.ai_inference": {"use": "allowed"},
    }
    [reading] = _read(_signed("png", entries), "png")
    assert reading.consent is Consent.PROHIBITED
    assert "licence at example.org" in reading.detail


def test_when_every_training_use_is_allowed_then_allowed() -> None:
    entries = {
        "c2pa.ai_training": {"use": "allowed"},
        "c2pa.ai_generative_training": {"use": "allowed"},
        "c2pa.data_mining": {"use": "allowed"},
        "c2pa.ai_inference": {"use": "notAllowed"},  # inference is not training: does not count
    }
    [reading] = _read(_signed("webp", entries), "webp")
    assert reading.consent is Consent.ALLOWED
    assert reading.reason is None


def test_when_only_data_mining_is_not_allowed_then_prohibited() -> None:
    [reading] = _read(
        _signed("jpeg", {"c2pa.data_mining": {"use": "notAllowed"}, "c2pa.ai_training": {"use": "allowed"}})
    )
    assert reading.consent is Consent.PROHIBITED
    assert "c2pa.data_mining=notAllowed" in reading.detail


def test_when_cawg_assertion_says_not_allowed_then_prohibited() -> None:
    [reading] = _read(_signed("jpeg", {"cawg.ai_training": {"use": "notAllowed"}}, "cawg.training-mining"))
    assert reading.consent is Consent.PROHIBITED
    assert "cawg.training-mining" in reading.detail


def test_when_assertion_only_speaks_of_inference_then_unsaid() -> None:
    [reading] = _read(_signed("jpeg", {"c2pa.ai_inference": {"use": "notAllowed"}}))
    assert reading.consent is Consent.UNSAID


def test_when_signed_image_has_no_training_assertion_then_no_reading() -> None:
    assert _read(_signed("jpeg", None)) == []


def test_when_image_has_no_manifest_then_no_reading() -> None:
    assert _read(image_with_xmp("jpeg", None)) == []


def test_when_pixels_changed_after_signing_then_unreadable_with_the_codes() -> None:
    for fmt, ext in (("jpeg", "jpg"), ("png", "png")):
        [reading] = _read(tamper(_signed(fmt, {"c2pa.ai_training": {"use": "allowed"}})), ext)
        assert reading.consent is Consent.UNREADABLE
        assert reading.reason == "unreadable:c2pa"
        assert "assertion.dataHash.mismatch" in reading.detail


def test_when_the_root_is_a_trust_anchor_then_trusted_and_not_noted_untrusted() -> None:
    reader = C2paSignal(trust_anchors=throwaway_ca().root_pem)
    [reading] = _read(_signed("jpeg", {"c2pa.ai_training": {"use": "notAllowed"}}), reader=reader)
    assert reading.consent is Consent.PROHIBITED
    assert "validation Trusted" in reading.detail
    assert "untrusted" not in reading.detail


def test_when_manifest_bytes_are_corrupted_then_unreadable_not_a_crash() -> None:
    data = bytearray(_signed("jpeg", {"c2pa.ai_training": {"use": "allowed"}}))
    at = data.find(b"c2pa.training-mining")
    data[at + 40 : at + 60] = b"\x00" * 20
    [reading] = _read(bytes(data))
    assert reading.consent is Consent.UNREADABLE
    assert reading.source == "1.jpg"


def test_when_use_value_is_unknown_then_unreadable() -> None:
    store = {
        "validation_state": "Valid",
        "active_manifest": "m",
        "manifests": {
            "m": {
                "assertions": [
                    {
                        "label": "c2pa.training-mining",
                        "data": {"entries": {"c2pa.ai_training": {"use": "maybe"}}},
                    }
                ]
            }
        },
    }
    reading = judge_store(store, "x.jpg")
    assert reading is not None and reading.consent is Consent.UNREADABLE
    assert "maybe" in reading.detail


def test_when_format_is_not_one_c2pa_reads_then_it_is_not_tried() -> None:
    assert _read(b"c2pa " * 10, "webm") == []


def test_when_c2pa_cannot_be_imported_then_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "c2pa", None)  # makes `import c2pa` raise ImportError
    with pytest.raises(ConfigurationError, match="c2pa-python"):
        _read(image_with_xmp("jpeg", None))
    sample = Sample("s/1", Location("s.tar"), members=(Member("1.jpg", "jpg", image_with_xmp("jpeg", None)),))
    with pytest.raises(ConfigurationError):
        read_signals(sample, ["c2pa"])
    assert _read(b"text", "txt") == []  # nothing to read: no library needed


def test_when_a_jpeg_signed_with_c2pa_is_sniffed_then_its_metadata_segments_hold_the_manifest() -> None:
    data = _signed("jpeg", {"c2pa.ai_training": {"use": "notAllowed"}})
    end = jpeg_metadata_end(data)
    assert end is not None and data[end : end + 2] == b"\xff\xda"  # stopped at the first scan
    assert might_hold_manifest(data)


def test_when_c2pa_bytes_appear_only_in_a_jpegs_compressed_data_then_the_library_is_not_asked() -> None:
    plain = image_with_xmp("jpeg", None)
    end = jpeg_metadata_end(plain)
    assert end is not None
    inside = plain[: end + 20] + b"c2pa provenance" + plain[end + 20 :]  # scan data, not metadata
    assert not might_hold_manifest(inside)
    assert might_hold_manifest(plain[:end] + b"\xff\xfe\x00\x06c2pa" + plain[end:])  # a COM segment


def test_when_a_jpegs_segment_chain_breaks_then_the_whole_file_is_searched() -> None:
    plain = image_with_xmp("jpeg", None)
    broken = plain[:2] + b"\x00\x00" + plain[4:] + b"c2pa"
    assert jpeg_metadata_end(broken) is None
    assert might_hold_manifest(broken)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_when_jpeg_bytes_are_arbitrary_then_the_metadata_end_lies_inside_them_or_is_none(tail: bytes) -> None:
    data = b"\xff\xd8" + tail
    end = jpeg_metadata_end(data)
    assert end is None or (2 <= end <= len(data) - 2 and data[end] == 0xFF and data[end + 1] in (0xDA, 0xD9))
