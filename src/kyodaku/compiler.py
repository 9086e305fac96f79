"""Compile a registry version (or a catalog file) into a screening snapshot: the one place where
the text indexes, the description embeddings, the reference bank and the learned encoder's
reference embeddings are put together.

Every way a guard gets a snapshot goes through `SnapshotCompiler.compile`: `Guard.from_catalog`,
`Guard.from_store`, `Guard.reload`, the server's refresher and `kyodaku screen-media`. Where the
references come from is a `ReferenceSource`: the registry at a version (`StoreReferences`) or a
catalog's `references:` globs hashed on the fly (`CatalogReferences`). A source that can name its
references' identity cheaply (the registry: ids, contents and hashing schemes, without the hash
rows) lets a recompile keep the serving bank when nothing about the references changed, which
is what keeps an entry edit cheap with millions of reference hashes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kyodaku.domain.model import Catalog
from kyodaku.media.bank import MatchOptions, ReferenceBank
from kyodaku.media.encoders import ImageEncoder, load_encoder
from kyodaku.media.hashing import HashOptions
from kyodaku.media.refstore import ReferenceStore
from kyodaku.options import GuardOptions
from kyodaku.refs.banks import CatalogBankReport, bank_from_catalog, bank_from_store, references_digest
from kyodaku.registry.store import RegistryStore
from kyodaku.snapshot import Snapshot, compile_snapshot
from kyodaku.text.description_parts import description_entries
from kyodaku.text.embedding import get_encoder
from kyodaku.text.semantic import SemanticIndex, SemanticOptions

BACKGROUND_VETO = -0.05


class ReferenceSource(Protocol):
    def digest(self) -> str | None:
        """Identity of the references (equal digests, equal banks); None: unknown without building."""
        ...

    def build(self, match: MatchOptions, encoder: ImageEncoder | None) -> ReferenceBank: ...


@dataclass(frozen=True)
class StoreReferences:
    """The references live at one registry version."""

    store: RegistryStore
    version: int
    refstore: ReferenceStore

    def digest(self) -> str:
        return references_digest(self.store.reference_keys_at(self.version))

    def build(self, match: MatchOptions, encoder: ImageEncoder | None) -> ReferenceBank:
        return bank_from_store(self.store, self.version, match, encoder, self.refstore)


@dataclass(frozen=True)
class CatalogReferences:
    """A catalog file's `references:` files, hashed now (no database needed)."""

    catalog: Catalog
    hashing: HashOptions
    files: Sequence[Any] | None = None
    progress: Callable[[str], None] | None = None
    report: CatalogBankReport | None = None

    def digest(self) -> None:
        return None

    def build(self, match: MatchOptions, encoder: ImageEncoder | None) -> ReferenceBank:
        return bank_from_catalog(
            self.catalog, self.hashing, match, self.progress, self.report, encoder, self.files
        )


def semantic_builder(options: GuardOptions) -> Callable[[Catalog], SemanticIndex] | None:
    """Build the description index lazily, with the process-wide cached encoder."""
    if not options.semantic:
        return None

    def build(catalog: Catalog) -> SemanticIndex:
        entries = [
            entry
            for e in catalog.entities
            for lang, text in e.description.items()
            if text and text.strip()
            for entry in description_entries(e.id, e.kind.value, text, lang, options.description_parts)
        ]
        # A description counts only if the prompt is nearly as close to it as to the closest
        # ordinary prompt of the background corpus (within 0.05): generic near-misses ("an orange
        # tabby cat riding a bus") sit closer to ordinary prompts than to any registered entry.
        # On the dev set: ordinary benign false positives 6.5% -> 2.2%, indirect recall 89% -> 83%
        # (0.0 cut recall to 68%; the probe set: -0.10 cut near-misses 7 -> 1 per 100).
        return SemanticIndex.build(
            entries, get_encoder(), SemanticOptions(background_veto=BACKGROUND_VETO, script_calibration=True)
        )

    return build


def load_image_encoder(options: GuardOptions) -> ImageEncoder | None:
    """The operator's ONNX image encoder, or None (PDQ and local features alone). A configured model
    that cannot be loaded stops start-up with a ConfigurationError naming the file."""
    if not options.image_encoder:
        return None
    return load_encoder(options.image_encoder)


class SnapshotCompiler:
    """Builds snapshots with one set of options and one learned encoder (loaded once; a configured
    model that cannot be loaded stops start-up with a ConfigurationError naming the file)."""

    def __init__(self, options: GuardOptions | None = None) -> None:
        self.options = options or GuardOptions()
        self.encoder = load_image_encoder(self.options)
        self._semantic = semantic_builder(self.options)

    def compile(
        self,
        catalog: Catalog,
        references: ReferenceSource | None = None,
        reuse: Snapshot | None = None,
        media: ReferenceBank | None = None,
    ) -> Snapshot:
        """The snapshot of `catalog`. The match index is reused from `reuse` when the entries are the
        same; the reference bank is `media` if given, else built from `references` unless their
        digest equals the serving bank's, else kept from `reuse` (empty without one)."""
        if media is None and references is not None:
            digest = references.digest()
            if reuse is None or digest is None or digest != reuse.media.digest:
                media = references.build(self.options.match_options(), self.encoder)
        return compile_snapshot(catalog, self._semantic, reuse=reuse, media=media)
