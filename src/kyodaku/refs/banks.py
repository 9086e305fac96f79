"""Where a reference bank comes from: the registry (a server, `--db`) or a catalog file's
`references:` globs hashed on the fly (`screen-media --catalog`, no database needed).

Both end in the same `ReferenceBank`, with the same reference ids (derived from the entity and the
file's SHA-256), so a finding names the same reference whichever way the bank was built.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kyodaku.domain.errors import InvalidInput, KyodakuError
from kyodaku.domain.model import Catalog
from kyodaku.media.bank import (
    BankReference,
    MatchOptions,
    ReferenceBank,
    ReferenceHashes,
    with_finer_band,
)
from kyodaku.media.hashing import LOCAL_KIND, HashOptions, MediaHashes, hash_media
from kyodaku.media.learned import build_learned_bank
from kyodaku.media.local import LocalFeatures
from kyodaku.registry.catalog import resolve_references
from kyodaku.registry.references import ReferenceRecord, clean_filename, reference_id


@dataclass
class CatalogBankReport:
    """What hashing a catalog's references did: how many files, and which could not be hashed."""

    files: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def references_digest(keys: Sequence[tuple[str, str, str]]) -> str:
    """Identity of a set of references (id, content, hashing scheme): equal digests, equal banks."""
    return _digest([f"{ref_id}:{sha}:{hasher}" for ref_id, sha, hasher in keys])


def reference_hashes(record: ReferenceRecord) -> ReferenceHashes:
    """A registry record as the media bank's input. An unreadable local-features record costs this
    reference its crop tier, not the whole bank."""
    reference = BankReference(
        id=record.id,
        entity=record.entity_id,
        sha256=record.sha256,
        media_type=record.media_type,
        filename=record.filename,
        frames=record.frame_count,
        duration=record.duration,
    )
    local = None
    if record.local is not None:
        try:
            local = LocalFeatures.from_bytes(record.local)
        except InvalidInput:
            local = None
    return ReferenceHashes(
        reference, record.codes, record.quality, record.frame, record.t, record.region, local
    )


def bank_from_store(
    store, version: int | None, match: MatchOptions, encoder=None, refstore=None
) -> ReferenceBank:
    """The bank of every reference live at registry `version` (default: the latest); with a learned
    encoder, also the image references' embeddings (cached in the registry per model)."""
    records = store.references_at(version, local_kind=LOCAL_KIND)
    digest = references_digest([(r.id, r.sha256, r.hasher) for r in records])
    bank = ReferenceBank.build([reference_hashes(r) for r in records], match, digest=digest)
    if encoder is None or refstore is None:
        return bank

    items = [
        (n, r.sha256, lambda sha=r.sha256: refstore.path(sha))
        for n, r in enumerate(records)
        if r.media_type == "image" and refstore.exists(r.sha256)
    ]
    learned = build_learned_bank(encoder, items, store.get_descriptors, store.put_descriptors)
    return dataclasses.replace(bank, learned=learned)


def bank_from_catalog(
    catalog: Catalog,
    hashing: HashOptions,
    match: MatchOptions,
    progress: Callable[[str], None] | None = None,
    report: CatalogBankReport | None = None,
    encoder=None,
    files: Sequence | None = None,
) -> ReferenceBank:
    """Hash the files of every entity's `references:` globs (each distinct file once) into a bank.

    A file that cannot be hashed is an error naming it, unless `report` is given: then it is listed
    there and the others are still used (the CLI prints the list and exits non-zero).
    """
    files = resolve_references(catalog) if files is None else files
    by_path: dict[str, MediaHashes | None] = {}
    items: list[ReferenceHashes] = []
    for ref in files:
        key = str(ref.path)
        if key not in by_path:
            try:
                media = hash_media(ref.path, hashing)
                if hashing.local_features:
                    media = with_finer_band(media, ref.path, hashing.max_pixels)
                by_path[key] = media
            except KyodakuError as exc:
                if report is None:
                    raise
                report.failed.append((key, exc.message))
                by_path[key] = None
            if progress is not None:
                progress(key)
        media = by_path[key]
        if media is None:
            continue
        reference = BankReference(
            id=reference_id(ref.entity_id, media.sha256),
            entity=ref.entity_id,
            sha256=media.sha256,
            media_type=media.media_type,
            filename=clean_filename(ref.path.name),
            frames=media.frame_count,
            duration=media.duration,
        )
        items.append(ReferenceHashes.from_media(reference, media))
    if report is not None:
        report.files = len(by_path)
    bank = ReferenceBank.build(items, match, digest=_digest([f"{i.reference.id}" for i in items]))
    if encoder is None:
        return bank

    paths = {reference_id(r.entity_id, m.sha256): r.path for r in files if (m := by_path[str(r.path)])}
    opened = [
        (n, item.reference.sha256, lambda p=paths[item.reference.id]: p)
        for n, item in enumerate(items)
        if item.reference.media_type == "image"
    ]
    return dataclasses.replace(bank, learned=build_learned_bank(encoder, opened))
