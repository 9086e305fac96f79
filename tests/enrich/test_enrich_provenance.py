"""Provenance of names that several rows give, and how reported matches are counted per source."""

from __future__ import annotations

from enrich_data import POKEAPI_LANGUAGES, write

from kyodaku.enrich import enrich, proposals_document
from kyodaku.enrich.sources import DanbooruReader, PokeApiReader
from kyodaku.registry.catalog import load_catalog_text

CATALOG = """\
version: 1
rightsholders:
  - {id: pokemon-company, name: {en: "The Pokémon Company"}}
works:
  - {id: pokemon, owner: pokemon-company, names: {en: ["Pokémon"]}}
characters:
  - {id: eevee, work: pokemon, names: {en: ["Eevee"]}}
permissions: []
"""

# PokeAPI's real rows for Eevee in fr (5) and de (6): "Évoli" and "Evoli" have one matching key.
NAMES = """\
pokemon_species_id,local_language_id,name,genus
133,5,Évoli,Pokémon Évolutif
133,6,Evoli,Evolutions-Pokémon
133,9,Eevee,Evolution Pokémon
"""


def test_when_rows_of_two_languages_give_one_name_then_each_provenance_names_its_language(tmp_path):
    folder = tmp_path / "pokeapi"
    write(folder / "pokemon_species_names.csv", NAMES)
    write(folder / "languages.csv", POKEAPI_LANGUAGES + "6,de,de,de,1,9\n")
    catalog_file = write(tmp_path / "catalog.yaml", CATALOG)

    result = enrich(load_catalog_text(CATALOG, "catalog.yaml"), [PokeApiReader().read(folder)])
    document = proposals_document(result, catalog_file)

    [proposal] = document["proposals"]
    assert (proposal["name"], proposal["lang"]) == ("Évoli", "fr")
    rows = [(p["line"], p["raw"], p["lang"]) for p in proposal["provenance"]]
    assert rows == [(2, "Évoli", "fr"), (3, "Evoli", "de")]


def test_when_danbooru_gives_no_language_then_the_provenance_claims_none(tmp_path):
    tags = write(tmp_path / "tags.csv", 'eevee,4,4331,"eievui"\n')

    result = enrich(load_catalog_text(CATALOG, "catalog.yaml"), [DanbooruReader().read(tags)])

    [proposal] = result.proposals
    assert proposal.name == "eievui" and proposal.lang_from == "script"
    assert "lang" not in proposal.provenance[0]


def test_when_one_name_is_proposed_for_two_entries_then_its_source_counts_one_report(tmp_path):
    catalog = load_catalog_text(
        """\
version: 1
rightsholders:
  - {id: studio, name: {en: Studio}}
works:
  - {id: saga, owner: studio, names: {en: [The Saga]}}
characters:
  - {id: alpha, work: saga, names: {en: [Aldebrand Vorn]}}
  - {id: beta, work: saga, names: {en: [Belisande Quor]}}
permissions: []
""",
        "c.yaml",
    )
    tags = write(
        tmp_path / "tags.csv", 'aldebrand_vorn,4,100,"zorvex_knight"\nbelisande_quor,4,90,"zorvex_knight"\n'
    )

    result = enrich(catalog, [DanbooruReader().read(tags)])

    assert result.proposals == []
    assert [(r.problem, r.entries) for r in result.reports] == [("several-entries", ("alpha", "beta"))]
    assert result.sources[0].reported == len(result.reports) == 1
