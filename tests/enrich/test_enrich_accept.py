"""The proposals file, and accepting proposals into a new catalog."""

from __future__ import annotations

import json

import pytest

from kyodaku.domain.errors import Forbidden, InvalidInput
from kyodaku.enrich import accept, enrich, load_proposals, proposals_document, select, write_json_atomic
from kyodaku.enrich.sources import DanbooruReader
from kyodaku.registry.catalog import dump_catalog, load_catalog


@pytest.fixture
def proposals_file(tmp_path, catalog_file, danbooru_file):
    result = enrich(load_catalog(catalog_file), [DanbooruReader().read(danbooru_file)])
    path = tmp_path / "proposals.json"
    write_json_atomic(path, proposals_document(result, catalog_file))
    return path


def _by_name(document, name):
    return next(p for p in document["proposals"] if p["name"] == name)


def test_when_the_proposals_file_is_written_then_each_proposal_is_unaccepted_with_its_provenance(
    proposals_file, catalog_file
):
    document = load_proposals(proposals_file)
    assert document["catalog"] == str(catalog_file)
    assert {p["accepted"] for p in document["proposals"]} == {False}
    goku = _by_name(document, "goku")
    assert goku["entry"] == "son-goku" and goku["owner"] == "bird-studio"
    assert goku["provenance"][0]["commit"] == "4170882f90b47be130a0ff9314f663c230b9153d"
    assert document["sources"][0]["rows"] == 8
    assert select(document) == []  # nothing is accepted until someone says so


def test_when_proposals_are_accepted_then_the_new_catalog_loads_with_the_names(
    tmp_path, proposals_file, catalog_file
):
    document = load_proposals(proposals_file)
    for name in ("goku", "queen elsa", "エルサ"):
        _by_name(document, name)["accepted"] = True
    result = accept(load_catalog(catalog_file), select(document))
    out = tmp_path / "new.json"
    dump_catalog(result.catalog, out)
    entities = load_catalog(out).entity_map()
    assert entities["son-goku"].names["en"] == ("Son Goku", "goku")
    assert entities["elsa"].names == {"en": ("Elsa", "queen elsa"), "ja": ("エルサ",)}
    assert entities["elsa"].ambiguous_names == ("エルサ",)  # its verdict said ambiguous
    assert len(result.added) == 3 and result.skipped == []


def test_when_a_proposal_no_longer_fits_then_it_is_skipped_with_the_reason(proposals_file, catalog_file):
    document = load_proposals(proposals_file)
    goku = _by_name(document, "goku")
    again = dict(goku, id="p-again")
    han = dict(goku, id="p-han", name="孫悟空", lang="zh/ja?")
    gone = dict(goku, id="p-gone", entry="vegeta")
    result = accept(load_catalog(catalog_file), [goku, again, han, gone])
    assert [p["id"] for p in result.added] == [goku["id"]]
    reasons = {p["id"]: reason for p, reason in result.skipped}
    assert reasons["p-again"] == "already registered"
    assert "is not a language tag" in reasons["p-han"]
    assert reasons["p-gone"] == "no entry 'vegeta' in the catalog"


def test_when_a_rightsholder_accepts_for_another_owners_entry_then_it_is_forbidden(
    proposals_file, catalog_file
):
    document = load_proposals(proposals_file)
    with pytest.raises(Forbidden, match="only for its own entries"):
        accept(load_catalog(catalog_file), select(document, accept_all=True), owner="disney")
    mine = [p for p in document["proposals"] if p["owner"] == "disney"]
    assert len(accept(load_catalog(catalog_file), mine, owner="disney").added) == len(mine) > 0


def test_when_ids_are_unknown_then_invalid_input_names_them(proposals_file):
    with pytest.raises(InvalidInput, match="no proposal with id p-nope"):
        select(load_proposals(proposals_file), ["p-nope"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"proposals": []}', "not a kyodaku proposals file"),
        ('{"format": "kyodaku-enrich-proposals", "proposals": [{"id": "p-1"}]}', r"proposals\[0\]\.entry"),
    ],
)
def test_when_the_proposals_file_is_malformed_then_invalid_input_says_where(tmp_path, content, message):
    path = tmp_path / "p.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_proposals(path)


def test_when_the_proposals_file_is_rewritten_then_it_is_replaced_whole(tmp_path):
    path = tmp_path / "p.json"
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"b": "ピカチュウ"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"b": "ピカチュウ"}
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]
