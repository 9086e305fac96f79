"""What the training-data scanner reads and reports, shared by readers, checks, executors and writers.

A dataset is cut into *shards* (a WebDataset tar, a slice of a manifest's rows, a slice of a
folder's files): the unit of work that one worker scans, writes atomically and marks done, so that
a killed scan resumes shard by shard. A shard yields *samples*: one training example, the files
that make it (an image or video, its caption, the sidecars saved beside it) and a stable id
(`<shard>/<key>` or `<manifest>:<row id>`) that names it in every output and in the manifest's
Merkle roots.

Reading is separated from judging: a reader never drops a sample it cannot fully read. It yields
the sample with a `Problem` instead, and the scanner excludes it (consent first: a signal that
cannot be read may be an opt-out) or, with `--report-only`, reports it and keeps it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

IMAGE_EXTS = frozenset({"jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"})
VIDEO_EXTS = frozenset({"mp4", "webm", "mkv", "mov", "avi"})
MEDIA_EXTS = IMAGE_EXTS | VIDEO_EXTS


@dataclass(frozen=True)
class Location:
    """Where a sample (or a problem) is, so a person can find it: the shard (tar or manifest file, or
    folder slice), the key inside a tar or the relative path inside a folder, the manifest row."""

    shard: str
    key: str | None = None
    row: int | None = None
    member: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"shard": self.shard}
        for name in ("key", "row", "member"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def __str__(self) -> str:
        parts = [self.shard]
        if self.key is not None:
            parts.append(f"key {self.key}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.member is not None:
            parts.append(self.member)
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """Something of a sample that could not be read. `what` becomes the reason code
    `unreadable:<what>` (image, video, caption, xmp, c2pa, tdmrep, headers, member, shard ...)."""

    what: str
    message: str
    location: Location

    @property
    def reason(self) -> str:
        return f"unreadable:{self.what}"

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "message": self.message, "location": self.location.to_dict()}


@dataclass(frozen=True)
class Member:
    """One file of a sample: its name in the dataset (tar member name, or path relative to the folder
    or manifest), its extension as a WebDataset key suffix (lower case, no leading dot: "jpg",
    "txt", "json", "tdmrep.json", "headers", "html"), and its bytes (None: named but missing)."""

    name: str
    ext: str
    data: bytes | None

    @property
    def is_image(self) -> bool:
        return self.ext in IMAGE_EXTS

    @property
    def is_video(self) -> bool:
        return self.ext in VIDEO_EXTS

    @cached_property
    def sha256(self) -> str | None:
        """The SHA-256 (hex) of the bytes as read, taken once: the audit manifest records it as the
        input's hash (the bytes that were judged, not a second read of the file, which could differ)
        and the media check passes it on instead of hashing the picture again."""
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else None


@dataclass(frozen=True)
class Sample:
    """One training example as read, before any judgement.

    `caption` is the decoded caption (None: none found). `members` are every file of the sample,
    media and sidecars alike, in the order the dataset holds them. `headers` are HTTP response
    headers saved with the sample (lower-cased names), where the layout saves them. `record` is
    what the layout's writer needs to write the sample back unchanged (a manifest row, the original
    paths); the scanner never looks inside it. `problems` are what could not be read."""

    id: str
    location: Location
    members: tuple[Member, ...] = ()
    caption: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    record: Any = None
    problems: tuple[Problem, ...] = ()

    @property
    def media(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.is_image or m.is_video)

    def member(self, ext: str) -> Member | None:
        return next((m for m in self.members if m.ext == ext), None)


class Consent(StrEnum):
    """What one machine-readable signal says about training on a file."""

    PROHIBITED = "prohibited"
    ALLOWED = "allowed"
    UNSAID = "unsaid"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class SignalReading:
    """One opt-out signal as read from a sample: which signal (`iptc`, `c2pa`, `tdmrep`, `noai`),
    what it says, the raw value it was read from, which file or sidecar carried it, and why it
    means what it means (for the evidence a trainer and an auditor read)."""

    signal: str
    consent: Consent
    value: str
    source: str
    detail: str = ""

    @property
    def reason(self) -> str | None:
        """The exclusion reason code this reading gives, or None when it excludes nothing."""
        if self.consent is Consent.PROHIBITED:
            return f"optout:{self.signal}"
        if self.consent is Consent.UNREADABLE:
            return f"unreadable:{self.signal}"
        return None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "signal": self.signal,
            "consent": self.consent.value,
            "value": self.value,
            "source": self.source,
        }
        if self.detail:
            out["detail"] = self.detail
        return out
