"""A scan against the registry database (`--db`) rather than a catalog file, on SQLite and PostgreSQL:
the version is pinned when the scan starts, so a permission granted afterwards changes nothing
in that scan, and a new scan sees it."""

from __future__ import annotations

import io
import json

import pytest

from kyodaku.domain.model import Permission, Use
from kyodaku.registry.catalog import load_catalog
from kyodaku.registry.store import RegistryStore
from kyodaku.scan.engine import scan
from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.options import ScanOptions
from kyodaku_samples.synthetic import draw_image

CATALOG = """
version: 1
rightsholders:
  - {id: dc, name: {en: "DC Comics"}, country: US}
characters:
  - id: superman
    owner: dc
    names: {en: ["Superman"], ja: ["スーパーマン"]}
    description: {en: "A superhero in a blue suit with a red cape"}
"""


@pytest.fixture
def world(tmp_path, database_url):
    (tmp_path / "catalog.yaml").write_text(CATALOG, "utf-8")
    store = RegistryStore(database_url)
    store.migrate()
    store.import_catalog(load_catalog(tmp_path / "catalog.yaml"), actor="test")
    data = tmp_path / "data"
    data.mkdir()
    for key, caption in (("a", "Superman over the city"), ("b", "a quiet harbour")):
        buf = io.BytesIO()
        draw_image("scene", ord(key), (128, 128)).save(buf, "JPEG")
        (data / f"{key}.jpg").write_bytes(buf.getvalue())
        (data / f"{key}.txt").write_text(caption, "utf-8")
    from kyodaku.audit.signing import generate_keypair

    generate_keypair(tmp_path / "k", tmp_path / "k.pub")
    yield {"store": store, "data": data, "key": tmp_path / "k", "url": database_url, "root": tmp_path}
    store.close()


def _scan(world, out: str):
    options = ScanOptions(
        world["data"], licensee="acme", out=world["root"] / out, database_url=world["url"],
        signing_key=world["key"], reader=ReaderOptions(shard_size=1), semantic=False, workers=1,
        progress=False,
    )  # fmt: skip
    report = scan(options)
    lines = (world["root"] / out / "excluded.jsonl").read_text("utf-8").splitlines()
    return report, {json.loads(line)["id"]: json.loads(line)["reasons"] for line in lines}


def test_when_the_registry_database_is_scanned_then_its_version_is_recorded_and_permissions_apply(world):
    report, excluded = _scan(world, "before")
    assert excluded == {"a.jpg": ["registry:superman"]}
    version = report.summary["registry"]["version"]
    world["store"].put_permission(
        Permission(id="dc-train", owner="dc", subject="superman", uses=frozenset({Use.TRAIN}),
                   licensees=frozenset({"acme"})),
        actor="dc",
    )  # fmt: skip
    later, excluded_later = _scan(world, "after")
    assert excluded_later == {}
    assert later.summary["registry"]["version"] > version
