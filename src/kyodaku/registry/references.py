"""References as the registry hands them out: metadata (`ReferenceInfo`) and, per registry
version, every live reference with its hashes as arrays (`ReferenceRecord`), which is what the
screening snapshot builds its hash bank from.

A reference's id is derived from its entity and its content, so the same file attached twice to
the same entity is one reference (re-importing a catalog adds nothing), while the same file
attached to two entities is two references sharing one blob and one set of hash rows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np


MAX_FILENAME = 255
MEDIA_TYPES = ("image", "video")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def reference_id(entity_id: str, sha256: str) -> str:
    """`ref_` + 16 hex digits of SHA-256(entity id + content digest): short, stable, the same every time."""
    return "ref_" + hashlib.sha256((entity_id + sha256).encode("utf-8")).hexdigest()[:16]


def clean_filename(name: str | None) -> str:
    """The base name of an uploaded file (no folders, no control characters), at most 255 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name if name else ""
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return (base or "unnamed")[:MAX_FILENAME]


class FrameLike(Protocol):
    hash: bytes
    quality: int
    frame: int
    t: float
    region: str


class MediaLike(Protocol):
    """What the registry needs of a hashed file (`kyodaku.media.hashing.MediaHashes` is one)."""

    media_type: str
    sha256: str
    size: int
    width: int
    height: int
    duration: float | None
    format: str

    @property
    def frames(self) -> tuple[Any, ...]: ...


@dataclass(frozen=True)
class StoredFrame:
    hash: bytes
    quality: int
    frame: int
    t: float
    region: str


@dataclass(frozen=True)
class StoredMedia:
    """A content the registry hashed before, read back: attaching it again needs no decoding."""

    media_type: str
    sha256: str
    size: int
    width: int
    height: int
    duration: float | None
    format: str
    frames: tuple[StoredFrame, ...]


@dataclass(frozen=True)
class ReferenceInfo:
    """A reference's metadata. `version` is the registry version that attached it; `hashes` counts
    its hash rows and `frames` the distinct frames hashed (1 for an image)."""

    id: str
    entity_id: str
    owner: str
    sha256: str
    media_type: str
    format: str
    filename: str
    size: int
    width: int
    height: int
    duration: float | None
    hasher: str
    created_at: datetime
    version: int
    hashes: int = 0
    frames: int = 0
    new: bool = field(default=False, compare=False)
    """In the answer of an add: True when this call attached it, False when it was attached already."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity": self.entity_id,
            "owner": self.owner,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "format": self.format,
            "filename": self.filename,
            "size": self.size,
            "width": self.width,
            "height": self.height,
            "duration": self.duration,
            "hasher": self.hasher,
            "hashes": self.hashes,
            "frames": self.frames,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "registry_version": self.version,
        }


@dataclass(frozen=True, eq=False)
class ReferenceRecord:
    """A live reference at one registry version, with its hash rows as read-only numpy arrays.

    `codes` is (n, 32) uint8 (PDQ's 256 bits, packed), and `quality`, `frame`, `t` and `region`
    are parallel to its rows. References with the same content share the same arrays. `owner`
    is the entity's owner at that version.
    """

    id: str
    entity_id: str
    owner: str
    sha256: str
    media_type: str
    format: str
    filename: str
    width: int
    height: int
    duration: float | None
    hasher: str
    codes: np.ndarray
    quality: np.ndarray
    frame: np.ndarray
    t: np.ndarray
    region: tuple[str, ...]
    local: bytes | None = None
    """The image's local features (media.local.LocalFeatures.to_bytes), when they were stored."""

    @property
    def frame_count(self) -> int:
        return len(set(self.frame.tolist()))


def media_problems(media: MediaLike) -> list[str]:
    """What makes a hashed file unfit to record (a bug upstream, not a user's mistake)."""
    problems = []
    if media.media_type not in MEDIA_TYPES:
        problems.append(f"media type {media.media_type!r} is not one of {', '.join(MEDIA_TYPES)}")
    if not _SHA256.fullmatch(media.sha256 or ""):
        problems.append(f"{media.sha256!r} is not a SHA-256 digest")
    frames = [f for f in media.frames if getattr(f, "variant", "original") == "original"]
    if not frames:
        problems.append("no hashes")
    if any(len(f.hash) != 32 for f in frames):
        problems.append("a hash is not 32 bytes")
    return problems
