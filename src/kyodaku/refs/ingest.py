"""Attach reference files to entries: authorize, receive, hash, record, store.

The order is what keeps the store clean. Nothing is received before the caller
may write to the entry; the bytes go to a staged file in the store's tmp folder
(counted against the size limit while they arrive); the staged file is hashed
(refused there if it is not an image or video kyodaku can decode, a bomb,
truncated, too long); the registry records the reference and its hashes; and
only then, inside that registry transaction, does the staged file become a
blob. Any failure discards the staged file, so a refused upload leaves no blob,
no temporary file and no registry version behind.

Bytes the registry has hashed before (the same file attached to another entry,
or re-attached after a removal) are not decoded again: their hash rows are reused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kyodaku.domain.access import LOCAL_ADMIN, Principal
from kyodaku.domain.errors import ErrorReport, InvalidInput, KyodakuError, NotFound
from kyodaku.domain.model import Catalog
from kyodaku.media.hashing import HASHER, HashOptions, MediaHashes, hash_media
from kyodaku.media.refstore import ReferenceStore, Source, StagedFile
from kyodaku.registry.references import MediaLike, ReferenceInfo, reference_id
from kyodaku.registry.service import RegistryService
from kyodaku.registry.store import RegistryStore
from kyodaku.settings import Settings


def hash_options(settings: Settings | None = None) -> HashOptions:
    """How references are hashed: the guard's one definition (GuardOptions.hash_options), from the
    settings' pixel limit and reference frame rate."""
    from kyodaku.screening import guard_options

    return guard_options(semantic=False, settings=settings).hash_options(query=False)


def reference_store(
    settings: Settings | None = None, root: str | os.PathLike[str] | None = None
) -> ReferenceStore:
    """The reference store at `root`, else where the settings (KYODAKU_REFERENCE_STORE) say."""
    return ReferenceStore(root if root is not None else (settings or Settings()).reference_store)


def hash_staged(
    store: RegistryStore, staged: StagedFile, filename: str | None, options: HashOptions | None = None
) -> MediaLike:
    """The staged file's hashes: read back from the registry when these bytes were hashed before,
    else computed (InvalidInput / UnsupportedMedia / PayloadTooLarge naming the file)."""
    known = store.known_media(staged.sha256, HASHER)
    if known is not None:
        return known
    media = hash_media(staged.path, options or hash_options(), name=filename or staged.name)
    if media.sha256 != staged.sha256:
        raise InvalidInput(f"{filename or staged.name}: the file changed while it was being hashed")
    _check_quality(media, filename or staged.name)
    return media


def _check_quality(media: MediaHashes, name: str, floor: int | None = None) -> None:
    """Refuse a reference no hash of which reaches PDQ's quality floor: it could never match (the
    matcher skips such hashes, since flat pictures hash alike), so accepting it would leave the
    rightsholder believing a work is protected when it is not."""
    floor = Settings().pdq_min_quality if floor is None else floor
    best = max((f.quality for f in media.frames), default=0)
    if best < floor:
        raise InvalidInput(
            f"{name}: too little structure to be matched (best PDQ quality {best}, the floor is {floor}); "
            "plain, nearly blank or very smooth pictures hash alike, so attach a more detailed one",
            file=name,
            quality=best,
        )


def attached(
    store: RegistryStore, refstore: ReferenceStore, entity_id: str, sha256: str
) -> ReferenceInfo | None:
    """The reference these bytes already are on this entry (with its blob in place), if any."""
    try:
        info = store.get_reference(reference_id(entity_id, sha256))
    except NotFound:
        return None
    return replace(info, new=False) if refstore.exists(sha256) else None


def record_staged(
    store: RegistryStore,
    refstore: ReferenceStore,
    principal: Principal,
    entity_id: str,
    staged: StagedFile,
    filename: str | None,
    options: HashOptions | None = None,
) -> ReferenceInfo:
    """Hash a staged file and record it as a reference of `entity_id`; the staged file is gone after."""
    try:
        existing = attached(store, refstore, entity_id, staged.sha256)
        if existing is not None:
            return existing
        media = hash_staged(store, staged, filename, options)
        service = RegistryService(store)
        return service.add_reference(
            principal, entity_id, media, filename or staged.name, staged=staged, refstore=refstore
        )
    finally:
        refstore.discard(staged)


def ingest_reference(
    store: RegistryStore,
    refstore: ReferenceStore,
    principal: Principal,
    entity_id: str,
    source: Source,
    filename: str | None = None,
    options: HashOptions | None = None,
    *,
    max_bytes: int | None = None,
) -> ReferenceInfo:
    """Attach one file (a path, bytes, a binary file object or an iterable of chunks) to an entry.

    Refusals, in the order they are checked: the caller may not write to the entry (Forbidden,
    NotFound), the file is over `max_bytes` (PayloadTooLarge), it is not media kyodaku can hash
    (InvalidInput, UnsupportedMedia, PayloadTooLarge for bombs). Attaching a file the entry
    already has changes nothing and answers the existing reference (`new` False).
    """
    if filename is None and isinstance(source, str | os.PathLike):
        filename = Path(source).name
    RegistryService(store).check_reference_write(principal, entity_id)
    staged = refstore.stage(source, max_bytes, name=filename)
    return record_staged(store, refstore, principal, entity_id, staged, filename, options)


@dataclass
class IngestReport:
    """What attaching many files did: each file's reference, or why it was refused."""

    added: list[ReferenceInfo] = field(default_factory=list)
    unchanged: list[ReferenceInfo] = field(default_factory=list)
    failed: list[ErrorReport] = field(default_factory=list)

    def describe(self) -> str:
        return f"{len(self.added)} added, {len(self.unchanged)} already attached, {len(self.failed)} failed"


def ingest_files(
    store: RegistryStore,
    refstore: ReferenceStore,
    principal: Principal,
    files: Iterable[tuple[str, str | os.PathLike[str]]],
    options: HashOptions | None = None,
    *,
    max_bytes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Attach each (entity id, path); a refused file is reported with its reason and the rest go on."""
    report = IngestReport()
    for entity_id, path in files:
        try:
            info = ingest_reference(store, refstore, principal, entity_id, path, options=options,
                                    max_bytes=max_bytes)  # fmt: skip
        except KyodakuError as exc:
            report.failed.append(ErrorReport(os.fspath(path), exc.code, exc.message, {"entity": entity_id}))
        else:
            (report.added if info.new else report.unchanged).append(info)
        if progress is not None:
            progress(os.fspath(path))
    return report


def import_references(
    store: RegistryStore,
    refstore: ReferenceStore,
    catalog: Catalog,
    principal: Principal = LOCAL_ADMIN,
    options: HashOptions | None = None,
    *,
    max_bytes: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Attach every file the catalog's `references:` globs match (after the catalog is imported).

    Idempotent: files already attached to their entry are counted as unchanged and add nothing.
    """
    from kyodaku.registry.catalog import resolve_references

    files = [(ref.entity_id, ref.path) for ref in resolve_references(catalog)]
    return ingest_files(store, refstore, principal, files, options, max_bytes=max_bytes, progress=progress)
