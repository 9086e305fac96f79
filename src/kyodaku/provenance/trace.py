"""Lookup by content: given an output found later, which ledger entries let it out, and how we know.

Four ways, strongest first, all tried, each match saying which found it:

1. `sha256`: the exact bytes were recorded (an untouched copy).
2. `pdq`: a PDQ hash of the found file (in its 8 dihedral variants, so mirrored copies count) is
   within `radius` bits of a frame the ledger recorded: re-encoded, resized, lightly cropped or
   stripped copies. Exact radius search over the ledger's hashes with the media guard's
   multi-index (media/index.py), so a million entries answer in milliseconds.
3. `watermark`: the invisible mark carries the entry's short id; it survives what strips metadata.
4. `credentials`: a C2PA manifest names the entry id; counted only when its signer chains to the
   trust anchors given (anyone can write an id into an untrusted manifest: reported, not used).

Why the index lives beside the ledger rather than in it: the ledger is append-only rows; the index
is a cache rebuilt from them (`LedgerIndex.refresh` reads only rows added since), immutable main
part plus a small brute-force tail, like a log-structured store.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kyodaku.domain.errors import KyodakuError
from kyodaku.media.hashing import HashOptions, hash_media
from kyodaku.media.index import HashIndex
from kyodaku.provenance.entry import LedgerEntry
from kyodaku.provenance.ledger import Ledger

DEFAULT_RADIUS = 31
"""PDQ's customary match threshold, as the media guard uses."""
MIN_QUALITY = 50
"""Frames under PDQ's quality floor (flat pictures) hash alike across unrelated media."""
HOWS = ("sha256", "pdq", "watermark", "credentials")


@dataclass
class TraceMatch:
    """One ledger entry the found file leads to, with every way that found it."""

    entry: LedgerEntry
    how: list[str] = field(default_factory=list)
    distance: int | None = None
    frames: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"entry_id": self.entry.entry_id, "seq": self.entry.seq, "how": self.how}
        if self.distance is not None:
            out["pdq_distance"] = self.distance
            out["frames_matched"] = self.frames
        if self.notes:
            out["notes"] = self.notes
        data = self.entry.data
        out["entry"] = {k: data.get(k) for k in ("time", "verdict", "context", "registry_version", "source")}
        return out


@dataclass
class TraceResult:
    sha256: str
    media_type: str | None
    matches: list[TraceMatch]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "media_type": self.media_type,
            "matches": [m.to_dict() for m in self.matches],
            "notes": self.notes,
        }


class LedgerIndex:
    """The ledger's recorded PDQ hashes, searchable exactly within a radius; refreshed incrementally."""

    def __init__(self, tail_limit: int = 20_000) -> None:
        self._lock = threading.Lock()
        self._main: HashIndex | None = None
        self._main_seqs = np.empty(0, np.int64)
        self._main_codes = np.empty((0, 32), np.uint8)
        self._tail_codes: list[bytes] = []
        self._tail_seqs: list[int] = []
        self._tail_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._last_row = 0
        self.tail_limit = tail_limit

    def __len__(self) -> int:
        return len(self._main_seqs) + len(self._tail_seqs)

    def refresh(self, ledger: Ledger) -> int:
        """Read the rows appended since the last refresh; returns how many were added."""
        with self._lock:
            added = 0
            for row_id, seq, code, quality in ledger.media_rows(self._last_row):
                self._last_row = row_id
                if quality < MIN_QUALITY or len(code) != 32:
                    continue
                self._tail_codes.append(code)
                self._tail_seqs.append(seq)
                added += 1
            if len(self._tail_seqs) > max(self.tail_limit, len(self._main_seqs) // 10):
                self._merge()
            return added

    def _merge(self) -> None:
        tail = np.frombuffer(b"".join(self._tail_codes), np.uint8).reshape(-1, 32)
        self._main_codes = np.concatenate([self._main_codes, tail])
        self._main = HashIndex.build(self._main_codes)
        self._main_seqs = np.concatenate([self._main_seqs, np.asarray(self._tail_seqs, np.int64)])
        self._tail_codes, self._tail_seqs = [], []
        self._tail_cache = None

    def _tail(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The tail as (n, 4) uint64 words and its positions, cached until the tail changes."""
        if not self._tail_codes:
            return None
        if self._tail_cache is None or len(self._tail_cache[1]) != len(self._tail_seqs):
            words = np.frombuffer(b"".join(self._tail_codes), np.uint64).reshape(-1, 4)
            self._tail_cache = (words, np.asarray(self._tail_seqs, np.int64))
        return self._tail_cache

    def search(self, codes: list[bytes], radius: int = DEFAULT_RADIUS) -> dict[int, int]:
        """{entry position: smallest distance} over every query code."""
        best: dict[int, int] = {}
        if not codes:
            return best
        with self._lock:
            main, seqs, tail = self._main, self._main_seqs, self._tail()
        queries = np.frombuffer(b"".join(codes), np.uint8).reshape(-1, 32)
        if main is not None:
            for hits in main.search_many(queries, radius):
                for row, d in zip(hits.rows.tolist(), hits.distances.tolist(), strict=True):
                    seq = int(seqs[row])
                    best[seq] = min(best.get(seq, 999), int(d))
        if tail is not None:
            words, tail_seqs = tail
            for query in queries.view(np.uint64):
                dist = np.bitwise_count(words ^ query).sum(axis=1)
                for row in np.flatnonzero(dist <= radius).tolist():
                    seq = int(tail_seqs[row])
                    best[seq] = min(best.get(seq, 999), int(dist[row]))
        return best


@dataclass(frozen=True)
class TraceOptions:
    radius: int = DEFAULT_RADIUS
    trust_anchors: Path | None = None
    watermark: bool = True
    credentials: bool = True
    max_pixels: int = 64_000_000


def trace(
    ledger: Ledger,
    data: bytes,
    index: LedgerIndex | None = None,
    options: TraceOptions | None = None,
    name: str | None = None,
) -> TraceResult:
    """Every ledger entry `data` leads to. Raises InvalidInput/UnsupportedMedia for bytes that are not
    media kyodaku can read (the caller's error), never a silent empty answer for them."""
    options = options or TraceOptions()
    sha = hashlib.sha256(data).hexdigest()
    found: dict[int, TraceMatch] = {}
    notes: list[str] = []

    def match(seq: int) -> TraceMatch:
        if seq not in found:
            found[seq] = TraceMatch(ledger.by_seq(seq))
        return found[seq]

    media = hash_media(data, HashOptions(max_pixels=options.max_pixels, regions=False, dihedral=True), name)
    for seq in sorted(ledger.seqs_with_sha256(sha)):
        match(seq).how.append("sha256")
    if index is None:
        index = LedgerIndex()
    index.refresh(ledger)
    usable = [f for f in media.frames if f.quality >= MIN_QUALITY]
    if not usable:
        notes.append("every PDQ hash of the file is under the quality floor: a flat picture cannot be traced")
    per_frame: dict[int, set[int]] = {}
    for frame in usable:
        for seq, d in index.search([frame.hash], options.radius).items():
            per_frame.setdefault(seq, set()).add(frame.frame)
            m = match(seq)
            m.distance = d if m.distance is None else min(m.distance, d)
    for seq, frames in per_frame.items():
        found[seq].frames = len(frames)
        found[seq].how.append("pdq")
    if options.watermark:
        _watermark(ledger, data, media.media_type, match, notes)
    if options.credentials:
        _credentials(ledger, data, options, match, notes)
    order = {h: n for n, h in enumerate(HOWS)}
    matches = sorted(
        found.values(),
        key=lambda m: (min(order[h] for h in m.how) if m.how else 9, m.distance or 0, m.entry.seq),
    )
    return TraceResult(sha, media.media_type, [m for m in matches if m.how], notes)


def _watermark(ledger: Ledger, data: bytes, media_type: str, match, notes: list[str]) -> None:
    from kyodaku.provenance.watermark import detect, detect_video

    try:
        if media_type == "image":
            from PIL import Image

            with Image.open(io.BytesIO(data)) as im:
                im.load()
                reading = detect(im)
        else:
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=".video") as tmp:
                tmp.write(data)
                tmp.flush()
                reading = detect_video(tmp.name)
    except KyodakuError as exc:
        notes.append(f"watermark not read: {exc.message}")
        return
    if not reading.found or reading.payload is None:
        return
    try:
        match(ledger.by_short_id(reading.payload).seq).how.append("watermark")
    except KyodakuError:
        notes.append(f"a watermark with short id {reading.payload} names no entry of this ledger")


def _credentials(ledger: Ledger, data: bytes, options: TraceOptions, match, notes: list[str]) -> None:
    from kyodaku.provenance.credentials import read_credentials

    try:
        reading = read_credentials(data, trust_anchors=options.trust_anchors)
    except KyodakuError as exc:
        notes.append(f"content credentials not read: {exc.message}")
        return
    if not reading.present or reading.entry_id is None:
        return
    if not reading.trusted:
        notes.append(
            f"content credentials name entry {reading.entry_id} but are {reading.validation}: not relied on"
        )
        return
    try:
        match(ledger.get(reading.entry_id).seq).how.append("credentials")
    except KyodakuError:
        notes.append(f"trusted content credentials name entry {reading.entry_id}, which this ledger lacks")
