"""A registry with two rightsholders' entries, a ledger, a reference store and a desk with a clock
the tests move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kyodaku.claims.desk import ClaimsDesk
from kyodaku.claims.store import CaseStore
from kyodaku.media.refstore import ReferenceStore
from kyodaku.options import GuardOptions
from kyodaku.provenance.ledger import Ledger
from kyodaku.refresh import SnapshotRefresher
from kyodaku.registry.catalog import load_catalog
from kyodaku.registry.store import RegistryStore
from kyodaku.screening import Guard

CATALOG = """
version: 1
rightsholders:
  - {id: pokemon-company, name: {en: "The Pokémon Company"}, country: JP}
  - {id: dc, name: {en: "DC Comics"}, country: US}
works:
  - {id: pokemon, owner: pokemon-company, names: {en: ["Pokémon"]}}
characters:
  - id: pikachu
    work: pokemon
    names: {en: ["Pikachu"]}
    description: {en: "A small yellow electric mouse creature with red cheeks"}
  - id: superman
    owner: dc
    names: {en: ["Superman"]}
    description: {en: "A superhero in a blue suit with a red cape"}
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def world(tmp_path, database_url):
    (tmp_path / "catalog.yaml").write_text(CATALOG, "utf-8")
    store = RegistryStore(database_url)
    store.migrate()
    store.import_catalog(load_catalog(tmp_path / "catalog.yaml"), actor="test")
    options = GuardOptions(semantic=False, themes=False, reference_store=str(tmp_path / "refs"))
    guard = Guard.from_store(store, options)
    ledger = Ledger(database_url, engine=store.engine)
    refstore = ReferenceStore(tmp_path / "refs")
    clock = Clock()

    refresher = SnapshotRefresher(store, guard, 60)
    desk = ClaimsDesk(store, CaseStore(store.engine), ledger=ledger, guard=guard, refstore=refstore,
                      clock=clock, after_reference=refresher.refresh)  # fmt: skip
    yield {"store": store, "guard": guard, "ledger": ledger, "desk": desk, "clock": clock, "tmp": tmp_path}
    store.close()
