"""Names translated word by word: the candidate phrases, the pairing rules, and the real encoder
on clear cases (Portuguese, Russian, Spanish translations of registered English names)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.policy.engine import ScreenContext
from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions
from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.embedding import DEFAULT_ENCODER, get_encoder
from kyodaku.text.normalize import key
from kyodaku.text.translated import TranslatedNameIndex, candidates, content_words, translatable

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal-catalog.yaml"


def variant(entity: str, name: str, *, derived: str = "", ambiguous: bool = False) -> NameVariant:
    return NameVariant(
        entity=entity,
        kind="character",
        name=name,
        lang="en",
        key=key(name),
        splits=name_splits(name)[1],
        ambiguous=ambiguous,
        ambiguity_reason="",
        derived=derived,
    )


@pytest.fixture(scope="module")
def index() -> TranslatedNameIndex:
    names = [
        variant("spider-man", "Spider-Man"),
        variant("donald-duck", "Donald Duck"),
        variant("mickey-mouse", "Mickey Mouse"),
        variant("star-wars", "Star Wars"),
        variant("darth-vader", "Darth Vader"),
        variant("dc", "DC Comics"),
        variant("pikachu", "Pikachu"),
    ]
    return TranslatedNameIndex(names, get_encoder(DEFAULT_ENCODER))


def found(index: TranslatedNameIndex, text: str) -> set[str]:
    return {hit.variant.entity for hit in index.find(text)}


# --- candidates --------------------------------------------------------------------------------


def test_when_a_hyphenated_cyrillic_name_starts_a_sentence_then_it_alone_is_the_candidate():
    got = candidates("Человек-паук летит над городом")
    assert [c.text for c in got] == ["Человек-паук"]


def test_when_a_title_is_in_sentence_case_then_the_lowercase_word_between_capitals_is_kept():
    got = candidates("La leyenda de Zelda, paisaje con un castillo")
    assert [c.text for c in got] == ["La leyenda de Zelda"]
    assert got[0].words == ("leyenda", "Zelda")


def test_when_punctuation_separates_capitalised_words_then_they_are_not_one_candidate():
    assert candidates("Paris, Texas") == []


def test_when_an_italian_article_is_elided_then_the_content_words_drop_it():
    assert content_words("L'Uomo Ragno") == ("Uomo", "Ragno")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_when_any_unicode_text_is_parsed_then_candidates_lie_inside_it(text):
    for cand in candidates(text):
        start, end = cand.span
        assert 0 <= start < end <= len(text)
        assert text[start:end] == cand.text
        assert 2 <= len(cand.words) <= 4


# --- which names take part ----------------------------------------------------------------------


def test_when_a_name_is_one_invented_word_or_derived_then_it_is_not_translatable():
    assert translatable(variant("spider-man", "Spider-Man"))
    assert not translatable(variant("pikachu", "Pikachu"))
    assert not translatable(variant("spider-man", "Spider Man", derived="spacing of Spider-Man"))
    assert not translatable(variant("x", "Black Cat", ambiguous=True))


# --- the real encoder ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Homem-Aranha jogando futebol na praia", "spider-man"),
        ("Человек-паук на крыше московской высотки", "spider-man"),
        ("Pato Donald enfadado en un atasco en Madrid", "donald-duck"),
        ("Micky Maus als Schaffner in einem alten Dampfzug", "mickey-mouse"),
        ("batalha espacial de Guerra nas Estrelas", "star-wars"),
    ],
)
def test_when_a_name_is_translated_word_by_word_then_it_is_found(index, text, entity):
    assert found(index, text) == {entity}


@pytest.mark.parametrize(
    "text",
    [
        "Mickey Mantle hitting a home run",  # close as a phrase, but Mantle is no Mouse
        "Bat-man riding a motorcycle",  # Bat is an English word, not a translation of Spider
        "a Marvel Comics cover",  # Marvel is no translation of DC
        "a Star Wars cantina full of aliens",  # the same words: the alias index's business
        "Vegita going Super Saiyan",  # an invented word (Vader, Goku) is never translated
    ],
)
def test_when_words_only_resemble_a_name_then_no_translation_is_found(index, text):
    assert found(index, text) == set()


def test_when_a_translation_is_found_then_the_evidence_names_each_word_pair(index):
    (hit,) = index.find("Homem-Aranha jogando futebol")
    assert hit.text == "Homem-Aranha"
    assert {(a, b) for a, b, _ in hit.pairs} == {("Homem", "Man"), ("Aranha", "Spider")}
    assert "Aranha ~ Spider" in hit.note


def test_when_the_guard_screens_a_spanish_title_then_the_translation_matcher_blocks_it():
    guard = Guard.from_catalog(load_catalog(MINIMAL), GuardOptions(semantic=True, themes=False))
    decision = guard.screen_prompt("La leyenda de Zelda, paisaje con un castillo", ScreenContext())
    by_matcher = {f.matcher for f in decision.findings if f.entity == "the-legend-of-zelda"}
    assert "translation" in by_matcher
    assert decision.verdict.value == "block"


# --- a lowercase noun before the name (Romance word order) --------------------------------------


def test_when_a_lowercase_noun_follows_an_article_before_a_name_then_noun_and_name_are_a_candidate():
    got = [c.text for c in candidates("el ratón Mickey bailando flamenco")]
    assert "ratón Mickey" in got


def test_when_a_lowercase_word_follows_no_article_then_it_does_not_open_a_candidate():
    got = [c.text for c in candidates("una chica bailando Mickey en Madrid")]
    assert not any(c.startswith("bailando") for c in got)


@pytest.mark.parametrize(
    ("text", "entity"),
    [("el ratón Mickey bailando flamenco", "mickey-mouse"), ("o pato Donald na praia", "donald-duck")],
)
def test_when_a_romance_prompt_writes_the_name_noun_first_in_lower_case_then_it_is_found(index, text, entity):
    assert found(index, text) == {entity}


def test_when_the_lowercase_noun_translates_no_word_of_the_name_then_nothing_is_found(index):
    assert found(index, "el gato Mickey duerme en el sofá") == set()


# --- an epithet translated beside the name as it is ("Sonic le hérisson") ------------------------


@pytest.fixture(scope="module")
def epithet_index() -> TranslatedNameIndex:
    names = [variant("sonic", "Sonic the Hedgehog"), variant("mickey-mouse", "Mickey Mouse")]
    return TranslatedNameIndex(names, get_encoder(DEFAULT_ENCODER))


def test_when_an_article_and_a_lowercase_noun_follow_a_name_then_they_close_a_candidate():
    assert [c.text for c in candidates("Sonic le hérisson qui court")] == ["Sonic le hérisson"]
    assert [c.text for c in candidates("Sonic qui court")] == []


@pytest.mark.parametrize(
    "text",
    ["Sonic le hérisson qui court", "Sonic el erizo corriendo", "Sonic der Igel rennt", "il riccio Sonic"],
)
def test_when_the_name_is_kept_and_its_epithet_translated_then_it_is_found(epithet_index, text):
    assert found(epithet_index, text) == {"sonic"}


@pytest.mark.parametrize(
    "text", ["Sonic le film au cinéma", "Sonic el sonido del mar", "Mickey el presidente"]
)
def test_when_the_word_beside_the_kept_name_translates_none_of_its_words_then_nothing_is_found(
    epithet_index, text
):
    assert found(epithet_index, text) == set()


def test_when_the_other_word_is_a_name_used_everywhere_then_it_is_no_translated_epithet():
    index = TranslatedNameIndex([variant("zelda", "Princess Zelda")], get_encoder(DEFAULT_ENCODER))
    # "Hyrule" is as frequent in French as in English: a place name, not a French word for Zelda.
    assert found(index, "the Princess of Hyrule praying") == set()


def test_when_a_one_word_name_is_a_compound_of_english_words_then_its_parts_are_translated():
    from kyodaku.text.translated import compound_parts, name_words

    assert compound_parts("Batman") == ("bat", "man")
    assert compound_parts("Superman") == ("super", "man")
    assert name_words("Catbus") == ("cat", "bus")
    # Invented names whose best split has a rare half stay one word.
    for name in ("Bowser", "Pikachu", "Vegeta", "Frozen"):
        assert compound_parts(name) == (), name
        assert name_words(name) == (name,)


def test_when_one_part_of_a_compound_name_is_kept_and_the_other_translated_then_it_is_found():
    index = TranslatedNameIndex([variant("superman", "Superman")], get_encoder(DEFAULT_ENCODER))
    assert found(index, "O Super-Homem voando sobre a cidade") == {"superman"}
    assert found(index, "O Super-Mercado abre cedo") == set()
