"""Large catalogs load by the quick road (no line tracking); a problem still gets its located report."""

from __future__ import annotations

import copy
import gc
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kyodaku.domain.errors import CatalogError
from kyodaku.registry import catalog as catalog_module
from kyodaku.registry.catalog import catalog_schema, load_catalog, load_catalog_text
from kyodaku.registry.catalog_quick import compile_schema, paused_cyclic_gc, quick_parse
from kyodaku.registry.documents import Format, parse_document

TWO_OWNERS = Path(__file__).parent / "data" / "two-owners.yaml"
REPO = Path(__file__).resolve().parents[2]


def big_catalog(characters: int = 2_000) -> dict[str, Any]:
    """A valid catalog with every kind of entry and most optional keys, `characters` characters."""
    works = max(1, characters // 10)
    data: dict[str, Any] = {
        "version": 1,
        "rightsholders": [
            {"id": f"rh-{i}", "name": {"en": f"Holder {i}", "ja": f"権利者{i}"}, "country": "jp"}
            for i in range(5)
        ],
        "works": [
            {
                "id": f"work-{w}",
                "owner": f"rh-{w % 5}",
                "names": {"en": [f"Saga {w}"], "ja": [f"サーガ{w}"]},
                "description": {"en": f"work number {w}"},
            }
            for w in range(works)
        ],
        "characters": [
            {
                "id": f"char-{c}",
                "work": f"work-{c % works}",
                "names": {"en": [f"Hero {c}", f"H{c}"], "ja-Latn": [f"hiro {c}"]},
                "context": {"en": ["red coat", f"saga {c % works}"]},
                "ambiguous_names": [f"H{c}"] if c % 7 == 0 else [],
                "references": [f"refs/char-{c}/*.png"],
            }
            for c in range(characters)
        ],
        "styles": [{"id": "style-0", "owner": "rh-0", "names": {"en": ["Brushwork"]}}],
        "permissions": [
            {
                "id": f"perm-{p}",
                "owner": f"rh-{p % 5}",
                "subject": f"work-{p}" if p % 3 else "*",
                "uses": ["generate", "train"] if p % 2 else ["style"],
                "effect": "deny" if p % 4 == 0 else "allow",
                "licensees": ["*"],
                "regions": ["jp", "US"],
                "valid_from": "2026-01-01",
                "valid_until": None if p % 2 else "2027-06-30T12:00:00Z",
                "conditions": {"forbidden_themes": ["war"]},
            }
            for p in range(min(works, 50))
        ],
    }
    return data


def thorough(path: Path) -> Any:
    """The old way, alone: every line read, jsonschema's full error walk."""
    fmt = Format.JSON if path.suffix == ".json" else Format.YAML
    return catalog_module._Loader(parse_document(path.read_bytes(), str(path), fmt), str(path)).load()


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing `needle` (the test's own oracle)."""
    found = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, found
    return found[0]


def issues_of(path: Path) -> list:
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    return caught.value.issues


# ---------------------------------------------------------------- same result as the old way


def test_when_a_large_json_catalog_is_valid_then_it_loads_equal_to_its_yaml_twin_and_the_old_way(tmp_path):
    data = big_catalog()
    as_json, as_yaml = tmp_path / "big.json", tmp_path / "big.yaml"
    as_json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    as_yaml.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    from_json = load_catalog(as_json)

    assert len(from_json.entities) == 2_000 + 200 + 1 and len(from_json.permissions) == 50
    assert from_json == load_catalog(as_yaml)
    assert from_json == thorough(as_json)
    assert from_json.permissions[1].regions == ("JP", "US")  # the model's normalising still applies


def test_when_a_yaml_catalog_has_dates_and_flow_style_then_it_loads_as_the_old_way_does(tmp_path):
    path = tmp_path / "cat.yaml"
    path.write_text(TWO_OWNERS.read_text(encoding="utf-8"), encoding="utf-8")
    demo = REPO / "examples" / "demo-catalog.yaml"

    assert load_catalog(path) == thorough(path)
    if demo.exists():
        assert load_catalog(demo) == thorough(demo)


def test_when_a_valid_catalog_loads_then_it_takes_the_quick_road(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(big_catalog(200)), encoding="utf-8")

    def no_located_parse(*args: Any) -> None:
        raise AssertionError("the line-tracking parser ran for a valid catalog")

    monkeypatch.setattr(catalog_module, "parse_document", no_located_parse)

    assert len(load_catalog(path).entities) == 200 + 20 + 1


@pytest.mark.parametrize("gc_was_on", [True, False])
def test_when_a_catalog_loads_then_the_cyclic_gc_is_left_as_it_was(tmp_path, gc_was_on):
    path = tmp_path / "cat.json"
    path.write_text(json.dumps(big_catalog(20)), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    was = gc.isenabled()
    try:
        gc.enable() if gc_was_on else gc.disable()
        load_catalog(path)
        with pytest.raises(CatalogError):
            load_catalog(broken)
        with paused_cyclic_gc():
            assert not gc.isenabled()
        assert gc.isenabled() is gc_was_on
    finally:
        gc.enable() if was else gc.disable()


# ---------------------------------------------------------------- problems keep their lines


def test_when_a_json_catalog_has_an_error_deep_in_the_file_then_the_issue_has_its_line(tmp_path):
    data = big_catalog()
    data["characters"][1_700]["colour"] = "red"  # unknown key
    data["characters"][1_950]["work"] = "no-such-work"  # a rule between entries
    path = tmp_path / "big.json"
    text = json.dumps(data, indent=2)
    path.write_text(text, encoding="utf-8")

    issues = issues_of(path)

    assert [(i.line, i.field) for i in issues] == [
        (line_of(text, '"colour"'), "characters[1700].colour"),
        (line_of(text, '"no-such-work"'), "characters[1950].work"),
    ]
    assert "unknown key 'colour'" in issues[0].message and "unknown work" in issues[1].message
    assert issues[0].line > 30_000  # deep in the file indeed


def test_when_a_json_catalog_repeats_a_key_then_the_duplicate_is_reported_with_its_line(tmp_path):
    path = tmp_path / "cat.json"
    text = json.dumps(big_catalog(50), indent=2)
    text = text.replace('"id": "char-42",', '"id": "char-42",\n      "id": "char-42b",', 1)
    path.write_text(text, encoding="utf-8")

    issues = issues_of(path)

    assert [(i.line, i.field) for i in issues] == [(line_of(text, '"char-42b"'), "characters[42].id")]
    assert "duplicate key 'id'" in issues[0].message


def test_when_a_yaml_catalog_repeats_a_key_then_the_duplicate_is_reported_with_its_line(tmp_path):
    path = tmp_path / "cat.yaml"
    text = yaml.safe_dump(big_catalog(50), allow_unicode=True, sort_keys=False)
    text = text.replace("- id: char-42\n", "- id: char-42\n  id: char-42b\n", 1)
    path.write_text(text, encoding="utf-8")

    issues = issues_of(path)

    assert [(i.line, i.field) for i in issues] == [(line_of(text, "char-42b"), "characters[42].id")]


def test_when_a_yaml_catalog_uses_a_merge_key_then_it_loads_as_the_old_way_does(tmp_path):
    path = tmp_path / "cat.yaml"
    path.write_text(
        "version: 1\nrightsholders:\n  - <<: {id: rh-1}\n    name: {en: Holder}\n", encoding="utf-8"
    )

    assert load_catalog(path) == thorough(path)


def test_when_json_is_malformed_then_the_issue_gives_line_and_column(tmp_path):
    path = tmp_path / "cat.json"
    text = json.dumps(big_catalog(100), indent=2)
    text = text.replace('"id": "char-77",', '"id": "char-77"', 1)  # missing comma
    path.write_text(text, encoding="utf-8")

    [issue] = issues_of(path)

    assert issue.line == line_of(text, '"char-77"') + 1  # json notices at the next key
    assert issue.field == "(file)"
    assert "JSON syntax error" in issue.message and "column 7" in issue.message


def test_when_json_is_nested_too_deeply_then_it_is_refused_without_a_crash():
    with pytest.raises(CatalogError) as caught:
        load_catalog_text("[" * 100_000 + "]" * 100_000, "deep.json")

    assert "nested too deeply" in caught.value.issues[0].message


def test_when_json_says_version_1_0_then_the_result_is_the_old_ways(tmp_path):
    path = tmp_path / "cat.json"
    path.write_text(
        '{"version": 1.0, "rightsholders": [{"id": "rh", "name": {"en": "R"}}]}', encoding="utf-8"
    )

    try:
        expected: Any = thorough(path)
    except CatalogError as exc:
        expected = exc.issues
    try:
        got: Any = load_catalog(path)
    except CatalogError as exc:
        got = exc.issues

    assert got == expected


# ---------------------------------------------------------------- the quick pieces alone


def test_when_yaml_has_an_alias_or_a_non_string_key_then_the_quick_parser_declines():
    assert quick_parse("a: &x [1]\nb: *x\n", Format.YAML) is None
    assert quick_parse("no: 1\n", Format.YAML) is None
    assert quick_parse("a: 1\na: 2\n", Format.YAML) is None
    assert quick_parse('{"a": 1, "a": 2}', Format.JSON) is None
    assert quick_parse(b"\xff{}", Format.JSON) is None
    assert quick_parse("a: 2026-01-01\nb: 2026-02-30\n", Format.YAML) == {
        "a": "2026-01-01",
        "b": "2026-02-30",
    }


def test_when_the_schema_uses_a_keyword_it_does_not_know_then_no_quick_check_is_compiled():
    assert compile_schema({"oneOf": [{"type": "string"}, {"type": "null"}]}) is None
    assert compile_schema({"type": "object", "patternProperties": {"^a": {}}}) is None
    assert compile_schema({"$ref": "https://example.org/other.json"}) is None
    assert compile_schema(catalog_schema()) is not None


_VALUES: list[Any] = [
    None, True, False, 0, 1, 1.0, -1, "", " ", "x", "*", "en", "EN", "e", "ja-Latn", "train", "allow",
    "war", "2026-01-01", "2026-13-01", "2026-01-01T10:00+09:00", "a b", "rh-0", "a" * 129, [], ["x"],
    ["x", "x"], ["train", "train"], {}, {"en": "x"}, {"en": ["x"]}, {"en": []}, {"1": "y"}, [1],
]  # fmt: skip
_KEYS = [
    "id", "owner", "names", "work", "description", "context", "ambiguous_names", "references", "name",
    "country", "subject", "uses", "effect", "licensees", "regions", "valid_from", "valid_until",
    "conditions", "forbidden_themes", "extra", "en", "zh-Hans", "version",
]  # fmt: skip


def _mutate(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out = copy.deepcopy(data)
    nodes: list[tuple[Any, Any]] = []  # (container, key or index)

    def walk(value: Any) -> None:
        items = (
            value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        )
        for key, item in items:
            nodes.append((value, key))
            walk(item)

    walk(out)
    for _ in range(rng.choice((1, 1, 2))):
        container, key = rng.choice(nodes)
        target = container[key]
        roll = rng.random()
        if isinstance(target, dict) and roll < 0.3:
            if target and roll < 0.15:
                del target[rng.choice(list(target))]
            else:
                target[rng.choice(_KEYS)] = copy.deepcopy(rng.choice(_VALUES))
        elif isinstance(target, list) and target and roll < 0.3:
            target.append(copy.deepcopy(rng.choice(target)))
        else:
            container[key] = copy.deepcopy(rng.choice(_VALUES))
    return out


def test_when_catalogs_are_mutated_then_the_quick_schema_check_agrees_with_jsonschema():
    check = compile_schema(catalog_schema())
    validator = jsonschema.Draft202012Validator(catalog_schema())
    rng = random.Random(8)
    base = big_catalog(6)
    verdicts = {(True, True): 0, (False, False): 0, (True, False): 0, (False, True): 0}
    for _ in range(1_500):
        data = _mutate(base, rng)
        verdicts[(check(data), validator.is_valid(data))] += 1

    assert verdicts[(True, False)] == 0  # never a yes where jsonschema says no
    assert verdicts[(False, True)] <= 5  # stricter only in rare corners (1.0 for 1)
    assert verdicts[(True, True)] > 200 and verdicts[(False, False)] > 200  # both kinds were tried
