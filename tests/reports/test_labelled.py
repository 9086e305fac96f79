"""The labelled parity set: built from the catalog, equivalent for JP and US, shipped up to date."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
import yaml

from kyodaku.domain.errors import InvalidInput
from kyodaku.registry.catalog import load_catalog
from kyodaku.reports.labelled import (
    CONTROLS,
    TEMPLATES,
    build_parity_set,
    load_parity_set,
    set_document,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = ROOT / "examples" / "demo-catalog.yaml"


def _script():
    spec = importlib.util.spec_from_file_location("make_parity_set", ROOT / "scripts" / "make_parity_set.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_when_the_shipped_set_is_loaded_then_it_is_what_the_script_makes_from_the_demo_catalog(tmp_path):
    script = _script()
    out = tmp_path / "prompts.yaml"
    assert script.main(["--catalog", str(DEMO_CATALOG), "--out", str(out)]) == 0
    shipped = load_parity_set()
    regenerated = load_parity_set(out)
    assert [i.to_dict() for i in shipped.items] == [i.to_dict() for i in regenerated.items]
    assert shipped.catalog_sha256 == regenerated.catalog_sha256


def test_when_the_set_is_built_then_every_template_is_filled_for_every_jp_and_us_entry():
    catalog = load_catalog(DEMO_CATALOG)
    owners = catalog.rightsholder_map()
    items = build_parity_set(catalog, countries=("JP", "US"))
    by_template = Counter((i.template, i.country) for i in items if not i.control)
    for t in TEMPLATES:
        for country in ("JP", "US"):
            expected = sum(
                1 for e in catalog.entities if e.kind.value in t.kinds and owners[e.owner].country == country
            )
            assert by_template[(t.id, country)] == expected > 0
    assert {i.lang for i in items} >= {"en", "ja", "zh", "ko", "fr", "es"}


def test_when_a_name_exists_in_the_templates_language_then_it_is_used_else_the_english_one():
    catalog = load_catalog(DEMO_CATALOG)
    entities = catalog.entity_map()
    for item in build_parity_set(catalog):
        if item.control:
            continue
        names = entities[item.entity].names
        if names.get(item.lang):
            assert item.name_lang == item.lang and names[item.lang][0] in item.text
        else:
            assert item.name_lang == "en" and names["en"][0] in item.text


def test_when_the_set_is_built_then_controls_name_nothing_and_expect_allow():
    items = build_parity_set(load_catalog(DEMO_CATALOG))
    controls = [i for i in items if i.control]
    per_template = Counter(i.template for i in controls)
    for t in TEMPLATES:
        group = "style" if t.kinds == ("style",) else "subject"
        assert per_template[t.id] == len(CONTROLS[t.lang][group])
    assert all(i.expected == "allow" and i.country is None for i in controls)
    assert all(i.expected == "block" and i.country in ("JP", "US") for i in items if not i.control)
    assert len({i.id for i in items}) == len(items)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="other/1"), "not a kyodaku parity set"),
        (lambda d: d.update(items=[]), "no items"),
        (lambda d: d["items"][3].pop("text"), "item 3 lacks text"),
        (lambda d: d["items"][2].update(expected="maybe"), "item 2: expected"),
        (lambda d: d["items"][1].update(id=d["items"][0]["id"]), "used twice"),
        (lambda d: d["items"][0].update(country=None), "no country"),
    ],
)
def test_when_a_set_file_is_malformed_then_loading_names_the_problem(tmp_path: Path, mutate, message):
    items = build_parity_set(load_catalog(DEMO_CATALOG))[:10]
    document = set_document(items, "demo", "0" * 64)
    mutate(document)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_parity_set(path)
