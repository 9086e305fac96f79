"""Property tests: the signal parsers meet arbitrary bytes and text without raising.

A crawl holds every malformed file there is; the readers promise a reading (or nothing), never an
exception. Each property checks that promise on random input and on random damage to real files.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kyodaku.scan.model import Consent, Location, Member, Sample
from kyodaku.scan.signals import read_signals
from kyodaku.scan.signals.noai import parse_robots, read_html
from kyodaku.scan.signals.tdmrep import TdmRepError, parse_tdmrep
from kyodaku.scan.signals.xmp import read_xmp
from kyodaku.scan.signals.xmp_containers import find_xmp
from kyodaku_samples.optout import html_page, image_with_xmp, xmp_packet

OPTIONAL_OR_UNREADABLE = (None, Consent.UNREADABLE)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REAL_FILES = [
    image_with_xmp(fmt, xmp_packet("DMI-ALLOWED")) for fmt in ("jpeg", "png", "webp", "gif", "tiff")
]
MAGICS = [
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
]


@FAST
@given(st.sampled_from(MAGICS), st.binary(max_size=400))
def test_when_container_bytes_are_arbitrary_then_xmp_reading_never_raises(magic: bytes, tail: bytes) -> None:
    find_xmp(magic + tail)
    reading = read_xmp(magic + tail, "x")
    assert reading is None or reading.consent in (
        Consent.UNREADABLE,
        Consent.PROHIBITED,
        Consent.ALLOWED,
        Consent.UNSAID,
    )


@FAST
@given(st.binary(max_size=600))
def test_when_an_xmp_packet_is_arbitrary_then_none_or_unreadable(packet: bytes) -> None:
    reading = read_xmp(packet, "x.xmp", sidecar=True)
    assert reading is None or reading.consent is Consent.UNREADABLE


@FAST
@given(st.sampled_from(REAL_FILES), st.data())
def test_when_a_real_file_is_damaged_then_xmp_reading_never_raises(data: bytes, draw: st.DataObject) -> None:
    cut = draw.draw(st.integers(0, len(data)))
    flips = draw.draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255)), max_size=4))
    damaged = bytearray(data)
    for at, xor in flips:
        damaged[at] ^= xor
    reading = read_xmp(bytes(damaged[:cut]), "x")
    assert reading is None or isinstance(reading.consent, Consent)


@FAST
@given(st.text(max_size=300))
def test_when_a_header_value_is_arbitrary_text_then_robots_parsing_never_raises(text: str) -> None:
    for directive in parse_robots(text):
        assert directive.token == directive.token.lower()


@FAST
@given(st.one_of(st.binary(max_size=500), st.text(max_size=500).map(str.encode)))
def test_when_a_page_is_arbitrary_then_html_reading_is_none_or_unreadable(page: bytes) -> None:
    reading = read_html(page, True, "x.html")
    assert reading is None or reading.consent in (Consent.UNREADABLE, Consent.PROHIBITED)


@FAST
@given(st.binary(max_size=300))
def test_when_a_tdmrep_file_is_arbitrary_then_it_parses_or_says_why(data: bytes) -> None:
    try:
        rules = parse_tdmrep(data)
    except TdmRepError as exc:
        assert str(exc)
    else:
        assert isinstance(rules, list)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["x-robots-tag", "tdm-reservation", "tdm-policy", "X-Robots-Tag"]),
        st.text(max_size=60),
    ),
    st.binary(max_size=300),
    st.binary(max_size=300),
)
def test_when_a_whole_sample_is_garbage_then_readings_not_exceptions(
    headers: dict, blob: bytes, page: bytes
) -> None:
    sample = Sample(
        "s/1",
        Location("s.tar"),
        members=(
            Member("1.jpg", "jpg", b"\xff\xd8\xff" + blob),
            Member("1.png", "png", blob),
            Member("1.tdmrep.json", "tdmrep.json", blob),
            Member("1.html", "html", html_page({"robots": page.decode("latin-1")[:50]}) + page),
        ),
        headers=headers,
    )
    for reading in read_signals(sample):
        assert reading.signal in ("iptc", "c2pa", "tdmrep", "noai")
        assert reading.source in ("headers", "1.jpg", "1.png", "1.tdmrep.json", "1.html")
