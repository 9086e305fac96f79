"""References in the registry: which hashed file is attached to which entry, from which version on.

A reference is versioned like an entry (attaching or detaching one is a registry version), while
its content's hash rows and descriptors are kept once per content (`content_rows`). The registry
never touches the files themselves: a caller that keeps them (`kyodaku.refs.ingest`, with the
reference store) is handed the moment to do so, inside the write transaction (`BeforeCommit`),
and asks afterwards, under the same lock, whether a content is still named (`forget_if_unnamed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kyodaku.domain.errors import InvalidInput, NotFound
from kyodaku.domain.model import Entity, utcnow
from kyodaku.registry.content_rows import (
    hash_counts,
    read_descriptors,
    read_hash_rows,
    write_descriptor,
    write_hashes,
)
from kyodaku.registry.database import StorePart
from kyodaku.registry.models import EntityRow, ReferenceRow
from kyodaku.registry.paging import Page, PageQuery
from kyodaku.registry.references import (
    MediaLike,
    ReferenceInfo,
    ReferenceRecord,
    clean_filename,
    media_problems,
    reference_id,
)
from kyodaku.registry.rows import entity_from_row
from kyodaku.registry.versions import (
    ChangeAction,
    ChangeResult,
    current,
    current_row,
    latest,
    new_version,
    next_position,
    visible_at,
)

ReferenceGuard = Callable[[Entity], None]
"""Called inside a reference's add or removal with the (current) entity it belongs to; raises to refuse."""

BeforeCommit = Callable[[ReferenceInfo], None]
"""Called inside an add's write transaction once its rows are flushed, just before the commit, with
the reference (`new` False when the entry had it already). This is where the caller puts the file
where it keeps files: raising refuses the add, and nothing is recorded."""


@dataclass(frozen=True)
class NewReference:
    """A hashed file to attach to an entry, with the names of what was computed from it.

    The registry records the hashes it is handed and cannot tell how they were made, so the caller
    names the hashing scheme (`hasher`) the hash rows are kept under, and the descriptor kind
    (`local_kind`) under which the image's local features (`local_features`, opaque bytes) are kept
    beside them. Bytes hashed before under the same scheme keep their first hash rows.
    """

    entity_id: str
    media: MediaLike
    filename: str | None
    hasher: str
    local_features: bytes | None = None
    local_kind: str | None = None

    def problems(self) -> list[str]:
        """What makes this unfit to record (a bug upstream, not a user's mistake)."""
        problems = media_problems(self.media)
        if not self.hasher:
            problems.append("no hashing scheme named")
        if self.local_features is not None and not self.local_kind:
            problems.append("local features without the descriptor kind to keep them under")
        return problems


class ReferenceRows(StorePart):
    """Attach, detach and read references; read them with their hash rows at any version."""

    def add_reference(
        self,
        reference: NewReference,
        actor: str,
        *,
        guard: ReferenceGuard | None = None,
        before_commit: BeforeCommit | None = None,
    ) -> ReferenceInfo:
        """Attach a hashed file to an entry, as one new registry version (none if already attached).

        The content's hash rows are written once per (SHA-256, hasher) and shared by every
        reference with the same bytes. `before_commit` runs last inside the transaction, for an
        existing reference too (so a file lost from the caller's store is put back).
        """
        problems = reference.problems()
        if problems:
            raise InvalidInput(f"cannot record {reference.filename or 'the file'}: {'; '.join(problems)}")
        media, entity_id = reference.media, reference.entity_id
        name = clean_filename(reference.filename)
        ref_id = reference_id(entity_id, media.sha256)
        with self._write() as session:
            entity_row = current_row(session, EntityRow, entity_id)
            if entity_row is None:
                raise NotFound(f"no entry {entity_id!r}")
            if guard is not None:
                guard(entity_from_row(entity_row))
            existing = current_row(session, ReferenceRow, ref_id)
            if existing is not None:
                info = _info(session, existing)
            else:
                version = new_version(session, actor, f"add reference {ref_id} ({name}) to {entity_id}")
                write_hashes(session, media, reference.hasher)
                if reference.local_features is not None and reference.local_kind:
                    write_descriptor(session, media.sha256, reference.local_kind, reference.local_features)
                row = ReferenceRow(
                    id=ref_id,
                    entity_id=entity_id,
                    owner=entity_row.owner,
                    sha256=media.sha256,
                    media_type=media.media_type,
                    format=(media.format or "unknown")[:32],
                    filename=name,
                    size=media.size,
                    width=media.width,
                    height=media.height,
                    duration=media.duration,
                    hasher=reference.hasher,
                    created_at=utcnow(),
                    position=next_position(session, ReferenceRow),
                    valid_from_version=version,
                )
                session.add(row)
                session.flush()
                info = replace(_info(session, row), new=True)
            if before_commit is not None:
                before_commit(info)
        return info

    def forget_if_unnamed(self, sha256: str, forget: Callable[[str], None]) -> bool:
        """Call `forget(sha256)` unless a reference (current or removed) names this content; True if
        it was called.

        Why under the write lock: a file kept for an add that then failed may be named by now by
        another writer that found it already there; that writer has committed (or failed) before
        this looks, and no writer can name it while `forget` runs.
        """
        with self._write() as session:
            named = session.scalar(
                select(func.count()).select_from(ReferenceRow).where(ReferenceRow.sha256 == sha256)
            )
            if named:
                return False
            forget(sha256)
            return True

    def remove_reference(
        self, reference_id: str, actor: str, *, guard: ReferenceGuard | None = None
    ) -> ChangeResult:
        """Detach a reference from the next version on. The file and hash rows stay: other
        references and earlier versions may name them."""
        with self._write() as session:
            row = current_row(session, ReferenceRow, reference_id)
            if row is None:
                raise NotFound(f"no reference {reference_id!r}")
            if guard is not None:
                entity_row = current_row(session, EntityRow, row.entity_id)
                if entity_row is None:
                    raise NotFound(f"no reference {reference_id!r}")
                guard(entity_from_row(entity_row))
            version = new_version(session, actor, f"remove reference {reference_id} of {row.entity_id}")
            row.valid_to_version = version
            return ChangeResult(version, ChangeAction.REMOVED)

    def get_reference(self, reference_id: str) -> ReferenceInfo:
        with self._read() as session:
            row = current_row(session, ReferenceRow, reference_id)
            if row is None:
                raise NotFound(f"no reference {reference_id!r}")
            return _info(session, row)

    def page_references(self, entity_id: str, query: PageQuery) -> Page[ReferenceInfo]:
        """An entry's current references by id, after `query.after`."""
        select_ = (
            select(ReferenceRow)
            .where(current(ReferenceRow), ReferenceRow.entity_id == entity_id)
            .order_by(ReferenceRow.id)
            .limit(query.limit + 1)
        )
        if query.after is not None:
            select_ = select_.where(ReferenceRow.id > query.after)
        with self._read() as session:
            rows = list(session.scalars(select_))
            shown = rows[: query.limit]
            counts = hash_counts(session, {(r.sha256, r.hasher) for r in shown})
            items = [_reference_info(r, *counts.get((r.sha256, r.hasher), (0, 0))) for r in shown]
            return Page(items, more=len(rows) > query.limit)

    def list_references(self, entity_id: str | None = None, owner: str | None = None) -> list[ReferenceInfo]:
        """Current references, in the order they were attached; `owner` is the entry's current owner."""
        query = select(ReferenceRow).where(current(ReferenceRow))
        if entity_id is not None:
            query = query.where(ReferenceRow.entity_id == entity_id)
        if owner is not None:
            owned = select(EntityRow.id).where(current(EntityRow), EntityRow.owner == owner)
            query = query.where(ReferenceRow.entity_id.in_(owned))
        with self._read() as session:
            rows = list(session.scalars(query.order_by(ReferenceRow.position, ReferenceRow.row_id)))
            counts = hash_counts(session, {(r.sha256, r.hasher) for r in rows})
            return [_reference_info(r, *counts.get((r.sha256, r.hasher), (0, 0))) for r in rows]

    def reference_keys_at(self, version: int | None = None) -> list[tuple[str, str, str]]:
        """(id, sha256, hasher) of every reference live at `version`, without their hash rows: what
        tells a refresher whether the reference bank must be rebuilt at all."""
        with self._read() as session:
            version = latest(session) if version is None else version
            query = (
                select(ReferenceRow.id, ReferenceRow.sha256, ReferenceRow.hasher)
                .join(EntityRow, EntityRow.id == ReferenceRow.entity_id)
                .where(visible_at(ReferenceRow, version), visible_at(EntityRow, version))
                .order_by(ReferenceRow.position, ReferenceRow.row_id)
            )
            return [(ref_id, sha, hasher) for ref_id, sha, hasher in session.execute(query)]

    def references_at(
        self, version: int | None = None, hasher: str | None = None, *, local_kind: str | None = None
    ) -> list[ReferenceRecord]:
        """Every reference live at `version` (default: the latest), with its hash rows as arrays.

        This is what the screening snapshot builds its hash bank from. A reference counts only
        while its entry exists at that version; `owner` is the entry's owner then. The hash rows
        are those of the reference's own hasher, or of `hasher` when given (after a change of
        hashing scheme, references not yet re-hashed with it then come with no rows). With
        `local_kind`, each record's `local` is its content's descriptor of that kind, if stored.
        """
        with self._read() as session:
            last = latest(session)
            version = last if version is None else version
            if version < 0 or version > last:
                raise NotFound(f"registry version {version} does not exist (the latest is {last})")
            query = (
                select(ReferenceRow, EntityRow.owner)
                .join(EntityRow, EntityRow.id == ReferenceRow.entity_id)
                .where(visible_at(ReferenceRow, version), visible_at(EntityRow, version))
                .order_by(ReferenceRow.position, ReferenceRow.row_id)
            )
            refs = [(ref, owner) for ref, owner in session.execute(query)]
            arrays = read_hash_rows(session, {(ref.sha256, hasher or ref.hasher) for ref, _ in refs})
            shas = {ref.sha256 for ref, _ in refs}
            local = read_descriptors(session, local_kind, shas) if local_kind else {}
        records = []
        for ref, owner in refs:
            codes, quality, frame, t, region = arrays[(ref.sha256, hasher or ref.hasher)]
            record = ReferenceRecord(
                id=ref.id, entity_id=ref.entity_id, owner=owner, sha256=ref.sha256,
                media_type=ref.media_type, format=ref.format, filename=ref.filename,
                width=ref.width, height=ref.height, duration=ref.duration,
                hasher=hasher or ref.hasher, codes=codes, quality=quality, frame=frame, t=t,
                region=region, local=local.get(ref.sha256),
            )  # fmt: skip
            records.append(record)
        return records


def close_references(session: Session, entity_ids: list[str], version: int) -> None:
    """References go with their entry: removing it detaches them in the same version."""
    if not entity_ids:
        return
    rows = session.scalars(
        select(ReferenceRow).where(current(ReferenceRow), ReferenceRow.entity_id.in_(entity_ids))
    )
    for row in rows:
        row.valid_to_version = version
    session.flush()


def _info(session: Session, row: ReferenceRow) -> ReferenceInfo:
    counts = hash_counts(session, {(row.sha256, row.hasher)})
    return _reference_info(row, *counts.get((row.sha256, row.hasher), (0, 0)))


def _reference_info(row: ReferenceRow, hashes: int, frames: int) -> ReferenceInfo:
    return ReferenceInfo(
        id=row.id,
        entity_id=row.entity_id,
        owner=row.owner,
        sha256=row.sha256,
        media_type=row.media_type,
        format=row.format,
        filename=row.filename,
        size=row.size,
        width=row.width,
        height=row.height,
        duration=row.duration,
        hasher=row.hasher,
        created_at=row.created_at,
        version=row.valid_from_version,
        hashes=hashes,
        frames=frames,
    )
