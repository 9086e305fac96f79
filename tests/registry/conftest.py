"""Fixtures for registry tests: a migrated store on each backend, and a small two-owner catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kyodaku.domain.model import Catalog
from kyodaku.registry.catalog import load_catalog
from kyodaku.registry.store import RegistryStore

TWO_OWNERS = Path(__file__).parent / "data" / "two-owners.yaml"


@pytest.fixture
def two_owners() -> Catalog:
    return load_catalog(TWO_OWNERS)


@pytest.fixture
def store(database_url: str) -> Iterator[RegistryStore]:
    """A migrated, empty registry of its own (SQLite file or PostgreSQL database)."""
    registry = RegistryStore(database_url)
    registry.migrate()
    try:
        yield registry
    finally:
        registry.close()


@pytest.fixture
def loaded(store: RegistryStore, two_owners: Catalog) -> RegistryStore:
    """The store with the two-owner catalog imported (version 1)."""
    store.import_catalog(two_owners)
    return store
