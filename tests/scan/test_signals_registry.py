"""The signal registry: order, names, selection, and that no reader failure escapes as an exception."""

from __future__ import annotations

from typing import ClassVar

import pytest

from kyodaku.domain.errors import ConfigurationError
from kyodaku.scan.model import Consent, Location, Member, Sample, SignalReading
from kyodaku.scan.signals import (
    read_signals,
    register_signal,
    registered_signals,
    signal_readers,
    unregister_signal,
)
from kyodaku.scan.signals.base import guard_member
from kyodaku_samples.optout import html_page, image_with_xmp, xmp_packet


def _sample(*members: Member, headers: dict | None = None) -> Sample:
    return Sample("s/0001", Location("s.tar", key="0001"), members=members, headers=headers or {})


def test_when_imported_then_the_built_in_readers_are_registered_in_order() -> None:
    assert [cls.name for cls in registered_signals()][:4] == ["iptc", "c2pa", "tdmrep", "noai"]


def test_when_a_name_is_taken_then_a_second_reader_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="taken"):

        @register_signal
        class Impostor:
            name: ClassVar[str] = "iptc"

            def read(self, sample: Sample) -> list[SignalReading]:
                return []


def test_when_an_unknown_signal_is_asked_for_then_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="nosuch"):
        signal_readers(["iptc", "nosuch"])


def test_when_a_sample_says_no_in_every_way_then_every_signal_reads_it() -> None:
    sample = _sample(
        Member("0001.jpg", "jpg", image_with_xmp("jpeg", xmp_packet("DMI-PROHIBITED"))),
        Member("0001.html", "html", html_page({"robots": "noai", "tdm-reservation": "1"})),
        headers={"tdm-reservation": "1"},
    )
    readings = read_signals(sample)
    assert [(r.signal, r.source, r.consent) for r in readings] == [
        ("iptc", "0001.jpg", Consent.PROHIBITED),
        ("tdmrep", "headers", Consent.UNSAID),  # the page's metadata supersedes the header (TDMRep)
        ("tdmrep", "0001.html", Consent.PROHIBITED),
        ("noai", "0001.html", Consent.PROHIBITED),
    ]
    assert [r.signal for r in read_signals(sample, ["noai"])] == ["noai"]


def test_when_a_reader_raises_then_one_unreadable_reading_instead() -> None:
    @register_signal
    class Broken:
        name: ClassVar[str] = "broken-test-signal"

        def read(self, sample: Sample) -> list[SignalReading]:
            raise RuntimeError("boom")

    try:
        [reading] = read_signals(_sample(), ["broken-test-signal"])
    finally:
        unregister_signal("broken-test-signal")
    assert reading.consent is Consent.UNREADABLE
    assert reading.source == "sample"
    assert "RuntimeError: boom" in reading.detail
    assert "broken-test-signal" not in [cls.name for cls in registered_signals()]


def test_when_reading_one_member_raises_then_that_member_is_named_unreadable() -> None:
    member = Member("bad.jpg", "jpg", b"x")

    def explode(m: Member) -> list[SignalReading]:
        raise MemoryError("too big")

    [reading] = guard_member("iptc", member, explode)
    assert (reading.signal, reading.source, reading.consent) == ("iptc", "bad.jpg", Consent.UNREADABLE)
    assert "MemoryError" in reading.detail


def test_when_a_member_is_missing_then_readers_skip_it() -> None:
    sample = _sample(Member("0001.jpg", "jpg", None), Member("0001.html", "html", None))
    assert read_signals(sample) == []
