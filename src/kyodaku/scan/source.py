"""Where a scan's registry comes from, pinned so that every worker and every resume reads the same.

A scan reads either a catalog file (hashed: a changed file is a different scan) or the registry
database at one version. The version is fixed when the scan starts (the one in force at `--at`,
or the current one) and written into the state and the manifest: a worker that starts an hour
later, on another machine of a Ray cluster, or a resumed scan the next day, reads the permissions
and references of that same version, not whatever the registry holds by then.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kyodaku.domain.errors import InvalidInput

if TYPE_CHECKING:
    from kyodaku.screening import Guard


@dataclass(frozen=True)
class RegistrySource:
    """A catalog file (with its SHA-256) or a database URL at a pinned version."""

    catalog: Path | None = None
    catalog_sha256: str | None = None
    database_url: str | None = None
    version: int | None = None
    semantic: bool | None = None

    @classmethod
    def pin(
        cls, catalog: Path | None, database_url: str | None, at: datetime, semantic: bool | None
    ) -> RegistrySource:
        """The source as of `at`: a catalog file's hash, or the registry version in force then."""
        if catalog is not None:
            if not catalog.is_file():
                raise InvalidInput(f"{catalog}: no such catalog file", file=str(catalog))
            digest = hashlib.sha256(catalog.read_bytes()).hexdigest()
            return cls(catalog=catalog.resolve(), catalog_sha256=digest, semantic=semantic)
        from kyodaku.registry.store import RegistryStore

        store = RegistryStore(database_url or "")
        store.migrate()
        try:
            version = store.version_at(at)
        finally:
            store.close()
        return cls(database_url=database_url, version=version, semantic=semantic)

    def describe(self) -> dict[str, Any]:
        """What the manifest records: which registry, which version (no credentials, no paths)."""
        if self.catalog is not None:
            return {"source": "catalog", "file": self.catalog.name, "sha256": self.catalog_sha256}
        return {"source": "database", "version": self.version}

    def build_guard(
        self, local_features: bool = True, regions: bool = True, pyramid: tuple[int, float] = (8, 1.2)
    ) -> Guard:
        """A guard over this source, references included (hashed from the catalog's `references:`
        or read from the registry's reference bank at the pinned version). `local_features` False
        matches images by PDQ alone (the scan's `--media pdq`); `regions` False skips PDQ's window and
        value hashes of the query (the scan's `--media full`, whose local features cover them);
        `pyramid` is the query's ORB pyramid (GuardOptions.query_pyramid)."""
        from kyodaku.compiler import CatalogReferences, StoreReferences
        from kyodaku.media.refstore import ReferenceStore
        from kyodaku.screening import Guard, guard_options

        options = guard_options(self.semantic)
        # Like the finer band and the inset look, the edge band's second ORB pass for flat outputs
        # (GuardOptions.query_keypoint_border) is a deep-crop aid the scan's planted copies do not
        # need, and a cost every dataset image would pay: left out (docs/benchmarks.md 8 and 13m).
        options = replace(
            options, local_features=local_features, query_regions=regions, query_pyramid=pyramid,
            local_fine_band=False, query_draft_long_side=True, local_insets=False,
            query_keypoint_border=0,
        )  # fmt: skip
        if self.catalog is not None:
            from kyodaku.registry.catalog import load_catalog, resolve_references

            if hashlib.sha256(self.catalog.read_bytes()).hexdigest() != self.catalog_sha256:
                raise InvalidInput(
                    f"{self.catalog} changed since the scan started; a changed catalog is another scan",
                    file=str(self.catalog),
                )
            catalog = load_catalog(self.catalog)
            files = resolve_references(catalog)
            references = CatalogReferences(catalog, options.hash_options(query=False), files)
            return Guard.build(catalog, options, references)
        from kyodaku.registry.store import RegistryStore

        store = RegistryStore(self.database_url or "")
        catalog = store.catalog_at(self.version)
        refstore = ReferenceStore(options.reference_store)
        return Guard.build(catalog, options, StoreReferences(store, catalog.version, refstore))
