"""IPTC / PLUS `plus:DataMining` in embedded XMP: the opt-out a photographer or agency writes into the
file itself, so it travels with every copy (signal name "iptc").

The property (namespace `http://ns.useplus.org/ldf/xmp/1.0/`) takes a value from the PLUS "Data
Mining" vocabulary (`http://ns.useplus.org/ldf/vocab/DMI-...`). Writers disagree on the form:
Debian's exiv2 writes it as an attribute of `rdf:Description`, others as an element with the value
as text or as `rdf:resource`; both are read, the value with or without the vocabulary URI and in
any case. What a value means for training:

* every `DMI-PROHIBITED*` value (AI/ML training, generative AI/ML training, all mining, "except
  search engine indexing", "see constraint / embedded / linked rights expression") -> PROHIBITED:
  each of them rules out training without a further licence, and the "see ..." forms point to terms
  this scanner cannot evaluate, so consent is not given;
* `DMI-ALLOWED` -> ALLOWED; `DMI-UNSPECIFIED` -> UNSAID;
* an unknown or empty value, a packet that is not well-formed XML, or a packet that cannot be
  extracted -> UNREADABLE (consent first: it may be an opt-out written in a way we do not know).

No XMP, or XMP without the property -> no reading. When one file holds several packets or values,
the most restrictive wins (PROHIBITED, then UNREADABLE, then UNSAID, then ALLOWED): a file is
allowed only if everything it says allows.

XML safety: a packet over 4 MiB is refused, and any DOCTYPE or ENTITY declaration is refused before
it takes effect (no entity expansion "billion laughs", no external entities). defusedxml is not a
dependency; expat's own handlers give the same guarantee for the one thing read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar
from xml.parsers import expat

from kyodaku.scan.model import Consent, Member, Sample, SignalReading
from kyodaku.scan.signals.base import guard_member, present, register_signal, severity
from kyodaku.scan.signals.xmp_containers import MAX_PACKET, XmpPacket, find_xmp

SIGNAL = "iptc"
PLUS_NS = "http://ns.useplus.org/ldf/xmp/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
VOCAB = "http://ns.useplus.org/ldf/vocab/"

_DATA_MINING = f"{PLUS_NS} DataMining"
_RDF_LI = f"{RDF_NS} li"
_RDF_RESOURCE = f"{RDF_NS} resource"

#: PLUS Data Mining vocabulary (upper-case code after the vocabulary URI) -> consent and why.
DMI_VALUES: dict[str, tuple[Consent, str]] = {
    "DMI-UNSPECIFIED": (Consent.UNSAID, "data mining unspecified"),
    "DMI-ALLOWED": (Consent.ALLOWED, "data mining allowed"),
    "DMI-PROHIBITED-AIMLTRAINING": (Consent.PROHIBITED, "prohibited for AI/ML training"),
    "DMI-PROHIBITED-GENAIMLTRAINING": (Consent.PROHIBITED, "prohibited for generative AI/ML training"),
    "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING": (
        Consent.PROHIBITED,
        "prohibited except for search engine indexing",
    ),
    "DMI-PROHIBITED": (Consent.PROHIBITED, "data mining prohibited"),
    "DMI-PROHIBITED-SEECONSTRAINT": (Consent.PROHIBITED, "prohibited, see the constraint in the file"),
    "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR": (
        Consent.PROHIBITED,
        "prohibited, see the embedded rights expression",
    ),
    "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR": (
        Consent.PROHIBITED,
        "prohibited, see the linked rights expression",
    ),
}

#: Members read besides media: a standalone XMP sidecar (`<key>.xmp`) is one packet.
XMP_SIDECAR_EXT = "xmp"


class XmpError(ValueError):
    """An XMP packet that cannot be read safely (not XML, too large, declares a DOCTYPE/ENTITY)."""


def _refuse(what: str):
    def handler(*_args: object) -> None:
        raise XmpError(f"XMP declares {what}; refused (entity expansion)")

    return handler


@dataclass
class _DataMiningCollector:
    """expat handlers that gather every plus:DataMining value, attribute or element form."""

    values: list[str] = field(default_factory=list)
    depth: int = 0  # > 0 while inside a plus:DataMining element
    text: list[str] = field(default_factory=list)
    took: int = 0  # values taken from the current element

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _DATA_MINING in attrs:
            self.values.append(attrs[_DATA_MINING])
        if self.depth:
            self.depth += 1
            if name == _RDF_LI:
                self._flush()
        elif name == _DATA_MINING:
            self.depth, self.text, self.took = 1, [], 0
        if self.depth and _RDF_RESOURCE in attrs:
            self.values.append(attrs[_RDF_RESOURCE])
            self.took += 1

    def end(self, name: str) -> None:
        if not self.depth:
            return
        if name == _RDF_LI:
            self._flush()
        self.depth -= 1
        if not self.depth:
            self._flush()
            if not self.took:  # <plus:DataMining/>: present, says nothing we know
                self.values.append("")

    def chars(self, data: str) -> None:
        if self.depth:
            self.text.append(data)

    def _flush(self) -> None:
        value = "".join(self.text).strip()
        self.text = []
        if value:
            self.values.append(value)
            self.took += 1


def data_mining_values(packet: bytes) -> list[str]:
    """Every `plus:DataMining` value in one XMP packet (empty: the property is not there).

    Raises XmpError on a packet that is too large, not well-formed, or declares a DOCTYPE/ENTITY."""
    if len(packet) > MAX_PACKET:
        raise XmpError(f"XMP packet of {len(packet)} bytes is over the {MAX_PACKET}-byte limit")
    if packet[:1] == b"<":  # UTF-8 / ASCII: writers pad with NULs that XML forbids
        packet = packet.rstrip(b"\x00")
    collector = _DataMiningCollector()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse("a DOCTYPE")
    parser.EntityDeclHandler = _refuse("an ENTITY")
    parser.ExternalEntityRefHandler = _refuse("an external entity")
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.chars
    try:
        parser.Parse(packet, True)
    except expat.ExpatError as exc:
        raise XmpError(f"XMP is not well-formed XML: {exc}") from exc
    return collector.values


def dmi_code(value: str) -> str:
    """The vocabulary code of a DataMining value: upper case, without the vocabulary URI."""
    code = value.strip()
    if code.lower().startswith(VOCAB):
        code = code[len(VOCAB) :]
    return code.upper()


def data_mining_consent(value: str) -> tuple[Consent, str]:
    """What one DataMining value says about training, and why (unknown -> UNREADABLE)."""
    code = dmi_code(value)
    known = DMI_VALUES.get(code)
    if known is not None:
        return known
    if not code:
        return Consent.UNREADABLE, "empty plus:DataMining value"
    return Consent.UNREADABLE, f"unknown plus:DataMining value {value.strip()[:100]!r}"


def most_restrictive(readings: list[SignalReading]) -> SignalReading:
    """The reading that decides for a file that says several things."""
    return min(readings, key=lambda r: severity(r.consent))


def read_packets(packets: list[XmpPacket], source: str) -> SignalReading | None:
    """The one reading for a file's XMP packets, or None when none of them carries DataMining."""
    readings: list[SignalReading] = []
    for packet in packets:
        if packet.error is not None:
            readings.append(SignalReading(SIGNAL, Consent.UNREADABLE, "", source, f"XMP: {packet.error}"))
            continue
        try:
            values = data_mining_values(packet.data)
        except XmpError as exc:
            readings.append(SignalReading(SIGNAL, Consent.UNREADABLE, "", source, f"{packet.where}: {exc}"))
            continue
        for value in values:
            consent, why = data_mining_consent(value)
            readings.append(
                SignalReading(
                    SIGNAL, consent, value[:200], source, f"plus:DataMining in {packet.where}: {why}"
                )
            )
    return most_restrictive(readings) if readings else None


def read_xmp(data: bytes, source: str, *, sidecar: bool = False) -> SignalReading | None:
    """The IPTC DataMining reading of one file's bytes (a media file, or a `.xmp` sidecar packet)."""
    packets = [XmpPacket("xmp sidecar", data)] if sidecar else find_xmp(data)
    return read_packets(packets, source)


@register_signal
class IptcSignal:
    """Reads plus:DataMining from every media member's embedded XMP and every `.xmp` sidecar."""

    name: ClassVar[str] = SIGNAL

    def read(self, sample: Sample) -> list[SignalReading]:
        readings: list[SignalReading] = []
        members = [m for m in present(sample.members) if m.is_image or m.is_video or m.ext == XMP_SIDECAR_EXT]
        for member in members:
            readings.extend(guard_member(SIGNAL, member, self._read_member))
        return readings

    @staticmethod
    def _read_member(member: Member) -> list[SignalReading]:
        reading = read_xmp(member.data or b"", member.name, sidecar=member.ext == XMP_SIDECAR_EXT)
        return [] if reading is None else [reading]
