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
from kyodaku.media.bank import with_finer_band
from kyodaku.media.hashing import HASHER, LOCAL_KIND, HashOptions, MediaHashes, hash_media
from kyodaku.media.refstore import ReferenceStore, Source, StagedFile
from kyodaku.options import guard_options, reference_hash_options
from kyodaku.registry.catalog import resolve_references
from kyodaku.registry.reference_rows import NewReference
from kyodaku.registry.references import MediaLike, ReferenceInfo, reference_id
from kyodaku.registry.service import RegistryService
from kyodaku.registry.store import RegistryStore
from kyodaku.settings import Settings


def hash_options(settings: Settings | None = None) -> HashOptions:
    """How references are hashed: the guard's one definition (`kyodaku.options`), from the settings'
    pixel limit and reference frame rate. The default of every function here that hashes."""
    return reference_hash_options(settings)


def reference_store(
    settings: Settings | None = None, root: str | os.PathLike[str] | None = None
) -> ReferenceStore:
    """The reference store at `root`, else where the settings (KYODAKU_REFERENCE_STORE) say."""
    return ReferenceStore(root if root is not None else (settings or Settings()).reference_store)


def new_reference(entity_id: str, media: MediaLike, filename: str | None) -> NewReference:
    """What the registry records of hashed bytes, named with this package's hashing scheme.

    Why here: the registry stores hashes it is given and knows no scheme; this is where the scheme
    (`HASHER`) and the descriptor kind of an image's local features (`LOCAL_KIND`) are named.
    """
    local = getattr(media, "local", None)  # bytes read back from the registry carry none: kept already
    return NewReference(
        entity_id=entity_id,
        media=media,
        filename=filename,
        hasher=HASHER,
        local_features=local.to_bytes() if local is not None else None,
        local_kind=LOCAL_KIND,
    )


def hash_staged(
    store: RegistryStore,
    staged: StagedFile,
    filename: str | None,
    options: HashOptions | None = None,
    *,
    min_quality: int | None = None,
) -> MediaLike:
    """The staged file's hashes: read back from the registry when these bytes were hashed before,
    else computed (InvalidInput / UnsupportedMedia / PayloadTooLarge naming the file), and refused
    below `min_quality` (default: the settings' PDQ quality floor)."""
    known = store.known_media(staged.sha256, HASHER)
    if known is not None:
        return known
    name = filename or staged.name
    options = options or hash_options()
    media = hash_media(staged.path, options, name=name)
    media = with_finer_band(media, staged.path, options.max_pixels)
    if media.sha256 != staged.sha256:
        raise InvalidInput(f"{name}: the file changed while it was being hashed")
    _check_quality(
        media, name, guard_options(semantic=False).pdq_min_quality if min_quality is None else min_quality
    )
    return media


def _check_quality(media: MediaHashes, name: str, floor: int) -> None:
    """Refuse a reference no hash of which reaches PDQ's quality floor: it could never match (the
    matcher skips such hashes, since flat pictures hash alike), so accepting it would leave the
    rightsholder believing a work is protected when it is not."""
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


@dataclass
class _BlobCommit:
    """The registry's before-commit hook: the staged file becomes the blob while the reference's rows
    are written but not yet committed, so a blob never exists for a write that was refused."""

    refstore: ReferenceStore
    staged: StagedFile
    created: bool = False

    def __call__(self, _info: ReferenceInfo) -> None:
        # For a reference the entry had already too: that heals a blob lost from the store.
        self.created = self.refstore.commit(self.staged)


def record_hashed(
    store: RegistryStore,
    refstore: ReferenceStore,
    principal: Principal,
    reference: NewReference,
    staged: StagedFile,
) -> ReferenceInfo:
    """Record hashed bytes as a reference and store the staged file they came from as its blob.

    The blob is stored inside the registry transaction; if the commit then fails, a blob this call
    created is removed again (unless a reference names it after all). The staged file is gone
    afterwards, whatever happened.
    """
    try:
        if staged.sha256 != reference.media.sha256:
            raise InvalidInput(
                f"cannot record {reference.filename or 'the file'}: the staged file ({staged.sha256}) "
                f"is not the hashed one ({reference.media.sha256})"
            )
        blob = _BlobCommit(refstore, staged)
        try:
            return RegistryService(store).add_reference(principal, reference, before_commit=blob)
        except BaseException:
            if blob.created:
                _forget_blob(store, refstore, staged.sha256)
            raise
    finally:
        refstore.discard(staged)


def _forget_blob(store: RegistryStore, refstore: ReferenceStore, sha256: str) -> None:
    """Undo a blob created for a write that failed, unless some reference names it by now (the
    registry looks, and removes it, under its write lock: see `forget_if_unnamed`)."""
    try:
        store.references.forget_if_unnamed(sha256, refstore.remove)
    except Exception:
        refstore.remove(sha256)  # the registry is unreachable: no reference can have been recorded


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
        reference = new_reference(entity_id, media, filename or staged.name)
        return record_hashed(store, refstore, principal, reference, staged)
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
    files = [(ref.entity_id, ref.path) for ref in resolve_references(catalog)]
    return ingest_files(store, refstore, principal, files, options, max_bytes=max_bytes, progress=progress)
