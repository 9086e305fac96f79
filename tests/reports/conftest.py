"""Guards and ledgers the report tests share.

`demo_guard` is the lexical guard over the demo catalog (the shipped parity set is built from it);
`tiny_guard` a guard over a five-rightsholder catalog in which licensee `acme` may use every US
entry and no JP one, so that a test can make the JP−US gap as large as it likes by choosing the
licensee.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kyodaku.options import GuardOptions
from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard

ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = ROOT / "examples" / "demo-catalog.yaml"

TINY_CATALOG = """
version: 1
rightsholders:
  - {id: pokemon-company, name: {en: "The Pokémon Company"}, country: JP}
  - {id: sanrio, name: {en: "Sanrio"}, country: JP}
  - {id: dc, name: {en: "DC Comics"}, country: US}
  - {id: marvel, name: {en: "Marvel"}, country: US}
  - {id: disney, name: {en: "Disney"}, country: US}
characters:
  - {id: pikachu, owner: pokemon-company, names: {en: ["Pikachu"], ja: ["ピカチュウ"]}}
  - {id: hello-kitty, owner: sanrio, names: {en: ["Hello Kitty"], ja: ["ハローキティ"]}}
  - {id: superman, owner: dc, names: {en: ["Superman"], ja: ["スーパーマン"]}}
  - {id: spider-man, owner: marvel, names: {en: ["Spider-Man"], ja: ["スパイダーマン"]}}
  - {id: donald-duck, owner: disney, names: {en: ["Donald Duck"], ja: ["ドナルドダック"]}}
permissions:
  - {id: us1, owner: dc, subject: superman, uses: [generate], licensees: [acme]}
  - {id: us2, owner: marvel, subject: spider-man, uses: [generate], licensees: [acme]}
  - {id: us3, owner: disney, subject: donald-duck, uses: [generate], licensees: [acme]}
"""


@pytest.fixture(scope="session")
def demo_guard() -> Guard:
    return Guard.build(load_catalog(DEMO_CATALOG), GuardOptions(semantic=False, themes=False))


@pytest.fixture(scope="session")
def tiny_catalog_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "tiny.yaml"
    path.write_text(TINY_CATALOG, "utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_guard(tiny_catalog_path) -> Guard:
    return Guard.build(load_catalog(tiny_catalog_path), GuardOptions(semantic=False, themes=False))
