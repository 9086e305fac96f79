"""What the registry keeps per content (a file's SHA-256): its hash rows and its descriptors.

These rows are not versioned: they are derived from the bytes, and the same bytes attached to two
entries (or re-attached after a removal) share one set. Hash rows are keyed by the hashing scheme
(`hasher`) and descriptors by their kind, both names the caller gives: the registry stores what it
is handed and knows nothing of how it was computed (that is `kyodaku.media`'s business).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kyodaku.domain.model import utcnow
from kyodaku.registry.database import StorePart
from kyodaku.registry.models import MediaDescriptorRow, MediaHashRow, ReferenceRow
from kyodaku.registry.references import MediaLike, StoredFrame, StoredMedia

HashRows = tuple[Any, Any, Any, Any, tuple[str, ...]]
"""(codes (n, 32) uint8, quality int16, frame int32, t float32, regions), the arrays read-only."""

_CHUNK = 500  # ids per IN (...) clause: well under every backend's parameter limit


def write_hashes(session: Session, media: MediaLike, hasher: str) -> None:
    """Write the content's hash rows unless it was hashed (with this hasher) before."""
    known = session.scalar(
        select(func.count())
        .select_from(MediaHashRow)
        .where(MediaHashRow.sha256 == media.sha256, MediaHashRow.hasher == hasher)
    )
    if known:
        return
    frames = [f for f in media.frames if getattr(f, "variant", "original") == "original"]
    session.add_all(
        MediaHashRow(
            sha256=media.sha256,
            hasher=hasher,
            ordinal=i,
            frame=int(f.frame),
            t=float(f.t),
            region=str(f.region)[:16],
            hash=bytes(f.hash),
            quality=int(f.quality),
        )
        for i, f in enumerate(frames)
    )
    session.flush()


def write_descriptor(session: Session, sha256: str, kind: str, data: bytes) -> None:
    """Store a descriptor of a content once; a second one of the same kind is the same and ignored."""
    if session.get(MediaDescriptorRow, (sha256, kind)) is None:
        session.add(MediaDescriptorRow(sha256=sha256, kind=kind, data=data, created_at=utcnow()))


def hash_counts(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(hash rows, distinct frames) per (sha256, hasher)."""
    if not keys:
        return {}
    query = (
        select(
            MediaHashRow.sha256,
            MediaHashRow.hasher,
            func.count(),
            func.count(func.distinct(MediaHashRow.frame)),
        )
        .where(MediaHashRow.sha256.in_({sha for sha, _ in keys}))
        .group_by(MediaHashRow.sha256, MediaHashRow.hasher)
    )
    return {(sha, hasher): (n, frames) for sha, hasher, n, frames in session.execute(query)}


def read_hash_rows(session: Session, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], HashRows]:
    """The hash rows of each (sha256, hasher) as read-only numpy arrays (empty when none)."""
    import numpy as np  # numpy only for the readers that build banks; writers never load it

    rows: dict[tuple[str, str], list[Any]] = {key: [] for key in wanted}
    columns = select(
        MediaHashRow.sha256, MediaHashRow.hasher, MediaHashRow.hash, MediaHashRow.quality,
        MediaHashRow.frame, MediaHashRow.t, MediaHashRow.region,
    )  # fmt: skip
    for chunk in chunked(sorted({sha for sha, _ in wanted}), _CHUNK):
        query = columns.where(MediaHashRow.sha256.in_(chunk)).order_by(
            MediaHashRow.sha256, MediaHashRow.hasher, MediaHashRow.ordinal
        )
        for sha, hasher, code, quality, frame, t, region in session.execute(query):
            bucket = rows.get((sha, hasher))
            if bucket is not None:
                bucket.append((code, quality, frame, t, region))
    return {key: _arrays(np, found) for key, found in rows.items()}


def read_descriptors(session: Session, kind: str, shas: Iterable[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for chunk in chunked(sorted(set(shas)), _CHUNK):
        found = select(MediaDescriptorRow.sha256, MediaDescriptorRow.data).where(
            MediaDescriptorRow.kind == kind, MediaDescriptorRow.sha256.in_(chunk)
        )
        out.update((sha, bytes(data)) for sha, data in session.execute(found))
    return out


def _arrays(np: Any, found: list[Any]) -> HashRows:
    codes = np.frombuffer(b"".join(bytes(r[0]) for r in found), np.uint8).reshape(-1, 32)
    arrays = (
        codes,
        np.array([r[1] for r in found], np.int16),
        np.array([r[2] for r in found], np.int32),
        np.array([r[3] for r in found], np.float32),
    )
    for array in arrays:
        array.setflags(write=False)  # shared by every reference with these bytes, and by snapshots
    return (*arrays, tuple(r[4] for r in found))


def chunked(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ContentRows(StorePart):
    """Reads and caches per content: what was hashed before, and derived descriptors."""

    def known_media(self, sha256: str, hasher: str) -> StoredMedia | None:
        """A content hashed with `hasher` before (by any reference, current or removed), read back;
        None when it is new. Attaching known bytes again then costs no decoding or hashing."""
        with self._read() as session:
            ref = session.scalar(
                select(ReferenceRow)
                .where(ReferenceRow.sha256 == sha256, ReferenceRow.hasher == hasher)
                .order_by(ReferenceRow.row_id)
                .limit(1)
            )
            if ref is None:
                return None
            rows = session.scalars(
                select(MediaHashRow)
                .where(MediaHashRow.sha256 == sha256, MediaHashRow.hasher == hasher)
                .order_by(MediaHashRow.ordinal)
            )
            frames = tuple(StoredFrame(bytes(r.hash), r.quality, r.frame, r.t, r.region) for r in rows)
            if not frames:
                return None
            return StoredMedia(
                ref.media_type, sha256, ref.size, ref.width, ref.height, ref.duration, ref.format, frames
            )

    def get_descriptors(self, kind: str, shas: list[str]) -> dict[str, bytes]:
        """Stored descriptors of this kind (a learned encoder's vectors, say) for these contents."""
        with self._read() as session:
            return read_descriptors(session, kind, shas)

    def put_descriptors(self, kind: str, descriptors: dict[str, bytes]) -> None:
        """Cache descriptors computed from stored content (no registry version: derived data)."""
        with self._write() as session:
            for sha, data in descriptors.items():
                write_descriptor(session, sha, kind, data)
