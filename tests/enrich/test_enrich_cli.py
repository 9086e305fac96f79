"""`kyodaku catalog enrich` and `kyodaku catalog enrich-accept`: output, files and exit codes."""

from __future__ import annotations

import json

from enrich_data import write

from kyodaku.registry.catalog import load_catalog


def test_when_enrich_runs_then_it_writes_proposals_and_prints_counts_per_entry(
    cli, catalog_file, danbooru_file, pokeapi_dir, tmp_path
):
    out = tmp_path / "proposals.json"
    r = cli("catalog", "enrich", catalog_file, "--from", f"danbooru:{danbooru_file}",
            "--from", f"pokeapi:{pokeapi_dir}", "--output", out)  # fmt: skip
    assert r.code == 0, r.stderr
    assert "son-goku" in r.stdout and "elsa" in r.stdout and "eevee" in r.stdout
    assert "danbooru (" in r.stdout and "6 names proposed" in r.stdout
    assert f"wrote 10 proposals to {out}" in r.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["proposals"]) == 10
    assert load_catalog(catalog_file).entity_map()["elsa"].names == {"en": ("Elsa",)}  # untouched


def test_when_a_source_is_missing_or_malformed_then_exit_code_2_and_no_file(cli, catalog_file, tmp_path):
    out = tmp_path / "proposals.json"
    r = cli("catalog", "enrich", catalog_file, "--from", f"danbooru:{tmp_path / 'nope.csv'}", "-o", out)
    assert r.code == 2 and "does not exist" in r.stderr
    bad = write(tmp_path / "bad.csv", "garbage without fields\n")
    r = cli("catalog", "enrich", catalog_file, "--from", f"danbooru:{bad}", "-o", out)
    assert r.code == 2 and "no character (4) or copyright (3) row could be read" in r.stderr
    assert not out.exists()


def test_when_accepted_then_a_new_catalog_is_written_and_the_input_is_kept(
    cli, catalog_file, danbooru_file, tmp_path
):
    proposals = tmp_path / "proposals.json"
    assert cli("catalog", "enrich", catalog_file, "--from", danbooru_file, "-o", proposals).code == 0
    document = json.loads(proposals.read_text(encoding="utf-8"))
    goku = next(p for p in document["proposals"] if p["name"] == "goku")
    before = catalog_file.read_bytes()

    r = cli("catalog", "enrich-accept", catalog_file, proposals, "--output", catalog_file)
    assert r.code == 2 and "--in-place" in r.stderr
    r = cli("catalog", "enrich-accept", catalog_file, proposals, "--output", tmp_path / "new.yaml")
    assert r.code == 2 and "no proposal selected" in r.stderr
    r = cli(
        "catalog", "enrich-accept", catalog_file, proposals, "--ids", goku["id"], "-o", tmp_path / "new.yaml"
    )
    assert r.code == 0, r.stderr
    assert "1 names added" in r.stderr
    assert catalog_file.read_bytes() == before
    assert load_catalog(tmp_path / "new.yaml").entity_map()["son-goku"].names["en"] == ("Son Goku", "goku")


def test_when_accepted_in_place_then_the_catalog_itself_gains_the_names(
    cli, catalog_file, danbooru_file, tmp_path
):
    proposals = tmp_path / "proposals.json"
    assert cli("catalog", "enrich", catalog_file, "--from", danbooru_file, "-o", proposals).code == 0
    r = cli("catalog", "enrich-accept", catalog_file, proposals, "--all", "--in-place")
    assert r.code == 0, r.stderr
    assert "queen elsa" in load_catalog(catalog_file).entity_map()["elsa"].names["en"]


def test_when_an_owner_accepts_another_owners_names_then_exit_code_6(
    cli, catalog_file, danbooru_file, tmp_path
):
    proposals = tmp_path / "proposals.json"
    assert cli("catalog", "enrich", catalog_file, "--from", danbooru_file, "-o", proposals).code == 0
    r = cli("catalog", "enrich-accept", catalog_file, proposals, "--all", "--owner", "disney",
            "-o", tmp_path / "new.yaml")  # fmt: skip
    assert r.code == 6 and "only for its own entries" in r.stderr
    assert not (tmp_path / "new.yaml").exists()
