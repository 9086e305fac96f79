"""C2PA training-and-data-mining assertions: the opt-out signed into a file's Content Credentials
(signal name "c2pa"; the module is not named `c2pa` so that it cannot shadow the library).

A C2PA manifest may carry a `c2pa.training-mining` assertion (C2PA 1.x) or its successor
`cawg.training-mining` (CAWG), whose `entries` give a `use` (`allowed`, `notAllowed`,
`constrained` with `constraint_info`) per kind of use: `*.ai_training`, `*.ai_generative_training`,
`*.ai_inference`, `*.data_mining`. For training a model:

* `ai_training`, `ai_generative_training` AND `data_mining` count. Data mining counts because the
  law this signal serves (EU DSM Directive art. 4, Japan art. 30-4 practice) treats training as
  text-and-data mining: a rightsholder who reserved mining has reserved training. `ai_inference`
  does not count (it is about feeding the file to a trained model, not training one).
* `notAllowed` -> PROHIBITED; `constrained` -> PROHIBITED (the constraint is terms to negotiate,
  not consent given; its `constraint_info` goes into the detail); all counted entries `allowed`
  -> ALLOWED; an assertion with no counted entry -> UNSAID; a `use` we do not know -> UNREADABLE.
  Several assertions or entries: the most restrictive wins.
* No manifest, or a manifest without a training-mining assertion -> no reading (provenance alone
  says nothing about consent).

Validation: a manifest that fails validation (`validation_state` "Invalid": a data hash mismatch
after the pixels were edited, a broken signature) -> UNREADABLE with the failure codes: a tampered
manifest's "allowed" is not consent, and its "notAllowed" may be real. An untrusted signer
(`signingCredential.untrusted` with state "Valid") is not tampering: the assertion is read and the
detail says "untrusted signer". An opt-out needs no trusted certificate to count (anyone may say
no to training of their own work); pass `trust_anchors` to have trusted signers reported as such.

Only formats the library reads are tried (by extension: jpeg, png, webp, gif, tiff, avif, heic,
mp4, mov, m4v, avi); a file whose bytes never mention `c2pa` (the JUMBF label every embedded
manifest carries) or a `provenance` reference is skipped without calling the library, which is
both faster and keeps a truncated non-C2PA file from reading as an unreadable manifest. Remote
manifests are not fetched (the scanner runs offline); such a file reads UNREADABLE.

The library is imported on first use. If it cannot be imported, reading raises ConfigurationError
(the scan stops) rather than passing every file as if it had no manifest.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from kyodaku.domain.errors import ConfigurationError
from kyodaku.scan.model import Consent, Member, Sample, SignalReading
from kyodaku.scan.signals.base import guard_member, present, register_signal, severity
from kyodaku.scan.signals.xmp_containers import jpeg_metadata_end, sniff_format

SIGNAL = "c2pa"
TRAINING_ASSERTIONS = ("c2pa.training-mining", "cawg.training-mining")
#: Entry kinds (without their `c2pa.` / `cawg.` prefix) that decide consent to training.
TRAINING_USES = frozenset({"ai_training", "ai_generative_training", "data_mining"})
UNTRUSTED = "signingCredential.untrusted"

MIME_BY_EXT = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "avif": "image/avif",
    "heic": "image/heic",
    "heif": "image/heif",
    "mp4": "video/mp4",
    "m4v": "video/x-m4v",
    "mov": "video/quicktime",
    "avi": "video/x-msvideo",
}

_USES = {
    "notallowed": Consent.PROHIBITED,
    "constrained": Consent.PROHIBITED,
    "allowed": Consent.ALLOWED,
}


def load_c2pa() -> Any:
    """The c2pa-python module, or a ConfigurationError saying how to get it."""
    try:
        import c2pa
    except Exception as exc:  # ImportError, or OSError from its native library
        raise ConfigurationError(
            "the C2PA opt-out signal needs the c2pa-python package (pip install c2pa-python), "
            f"which could not be imported: {type(exc).__name__}: {exc}; "
            "install it or leave 'c2pa' out of the signals to read"
        ) from exc
    return c2pa


def might_hold_manifest(data: bytes) -> bool:
    """Whether the bytes can hold an embedded manifest or a reference to a remote one (the library is
    asked only then). In a JPEG both lie in metadata segments (APP11 JUMBF boxes; XMP's
    `dcterms:provenance` in APP1), which come before the compressed data: only those bytes are
    searched, a tenth of a millisecond less per photograph than the whole file; a JPEG whose segment
    chain breaks first is searched whole."""
    if sniff_format(data) == "jpeg" and (end := jpeg_metadata_end(data)) is not None:
        data = data[:end]
    return b"c2pa" in data or b"provenance" in data


@dataclass(frozen=True)
class EntryUse:
    """One training-mining entry as read: `c2pa.ai_training` -> `notAllowed` (+ constraint)."""

    assertion: str
    entry: str
    use: str
    constraint: str = ""

    @property
    def counts(self) -> bool:
        return self.entry.rsplit(".", 1)[-1] in TRAINING_USES

    @property
    def consent(self) -> Consent:
        return _USES.get(self.use.lower(), Consent.UNREADABLE)

    def __str__(self) -> str:
        text = f"{self.entry}={self.use or '?'}"
        return f"{text} ({self.constraint[:200]})" if self.constraint else text


def _is_training_label(label: str) -> bool:
    return any(label == name or label.startswith(f"{name}.v") for name in TRAINING_ASSERTIONS)


def training_entries(manifest: dict[str, Any]) -> list[EntryUse] | None:
    """Every entry of the manifest's training-mining assertions (None: no such assertion)."""
    found: list[EntryUse] | None = None
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if not _is_training_label(label):
            continue
        found = found if found is not None else []
        entries = (assertion.get("data") or {}).get("entries") or {}
        if not isinstance(entries, dict):
            raise ValueError(f"{label} entries are not an object")
        for entry, value in entries.items():
            value = value if isinstance(value, dict) else {}
            found.append(
                EntryUse(
                    label, str(entry), str(value.get("use", "")), str(value.get("constraint_info", "") or "")
                )
            )
    return found


def failure_codes(store: dict[str, Any]) -> list[str]:
    """The active manifest's validation failure codes (`assertion.dataHash.mismatch`, ...)."""
    results = store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    codes = [str(item.get("code", "")) for item in active.get("failure") or []]
    if not results:  # older stores: a flat list of statuses
        codes = [str(item.get("code", "")) for item in store.get("validation_status") or []]
    return codes


def judge_store(store: dict[str, Any], source: str) -> SignalReading | None:
    """The reading for one manifest store (the JSON the library reports), or None when its active
    manifest carries no training-mining assertion."""
    state = str(store.get("validation_state") or "")
    codes = failure_codes(store)
    tampering = [c for c in codes if c != UNTRUSTED]
    if state.lower() == "invalid" or (not state and tampering):
        return SignalReading(
            SIGNAL,
            Consent.UNREADABLE,
            state or "unknown",
            source,
            f"C2PA manifest fails validation ({', '.join(codes) or 'no codes'}): not read as consent",
        )
    manifest = (store.get("manifests") or {}).get(store.get("active_manifest") or "")
    if not isinstance(manifest, dict):
        return SignalReading(
            SIGNAL, Consent.UNREADABLE, state, source, "C2PA store without an active manifest"
        )
    entries = training_entries(manifest)
    if entries is None:
        return None
    notes = [f"validation {state or 'unknown'}"]
    if UNTRUSTED in codes:
        notes.append("untrusted signer")
    if tampering:
        notes.append("also: " + ", ".join(tampering))
    counted = [e for e in entries if e.counts]
    value = "; ".join(map(str, entries))[:500]
    if not counted:
        why = "training-mining assertion says nothing about training or mining"
        return SignalReading(SIGNAL, Consent.UNSAID, value, source, f"{why}; {'; '.join(notes)}")
    decisive = min(counted, key=lambda e: severity(e.consent))
    consent = decisive.consent
    if consent is Consent.UNREADABLE:
        why = f"unknown use {decisive.use!r} for {decisive.entry}"
    elif consent is Consent.PROHIBITED:
        why = f"{decisive.assertion}: {decisive}"
    else:
        why = f"{decisive.assertion}: training and mining allowed"
    return SignalReading(SIGNAL, consent, value, source, f"{why}; {'; '.join(notes)}"[:500])


@register_signal
class C2paSignal:
    """Reads training-mining assertions from every media member's C2PA manifest.

    `trust_anchors`: PEM root certificates whose signers validate as trusted (optional; an opt-out
    counts without one)."""

    name: ClassVar[str] = SIGNAL

    def __init__(self, trust_anchors: str | None = None) -> None:
        self._trust_anchors = trust_anchors
        self._context: Any = None

    @staticmethod
    def check_available() -> None:
        """Raise ConfigurationError now if the library is missing (for a scan's start-up)."""
        load_c2pa()

    def read(self, sample: Sample) -> list[SignalReading]:
        members = [m for m in present(sample.members) if m.ext in MIME_BY_EXT]
        if not members:
            return []
        load_c2pa()  # outside the per-member guard: a missing library stops the scan
        readings: list[SignalReading] = []
        for member in members:
            readings.extend(guard_member(SIGNAL, member, self._read_member))
        return readings

    def _read_member(self, member: Member) -> list[SignalReading]:
        data = member.data or b""
        if not might_hold_manifest(data):
            return []
        store = self.manifest_store(data, MIME_BY_EXT[member.ext])
        if store is None:
            return []
        reading = judge_store(store, member.name)
        return [] if reading is None else [reading]

    def manifest_store(self, data: bytes, mime: str) -> dict[str, Any] | None:
        """The manifest store of `data` as the library reports it (None: no manifest)."""
        c2pa = load_c2pa()
        reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, self._settings(c2pa))
        if reader is None:
            return None
        with reader:
            return json.loads(reader.json())

    def _settings(self, c2pa: Any) -> Any:
        if self._context is None:
            settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
            if self._trust_anchors:
                settings["trust"] = {"trust_anchors": self._trust_anchors}
            self._context = c2pa.Context.from_dict(settings)
        return self._context
