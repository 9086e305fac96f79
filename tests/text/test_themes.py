"""Theme detection: lexicon terms per language, exceptions, and calibrated exemplar similarity.

Lexicon tests run without the model (`semantic=False`); semantic tests use the
real multilingual USE with clear cases only.
"""

from __future__ import annotations

import pytest

from kyodaku.domain.errors import ConfigurationError
from kyodaku.domain.model import THEMES
from kyodaku.text.embedding import get_encoder
from kyodaku.text.semantic import SemanticEntry, SemanticIndex
from kyodaku.text.themes import ThemeDetector, ThemeOptions, load_theme_specs


@pytest.fixture(scope="module")
def lexicon() -> ThemeDetector:
    return ThemeDetector(semantic=False)


@pytest.fixture(scope="module")
def detector() -> ThemeDetector:
    return ThemeDetector()


@pytest.fixture(scope="module")
def semantic_only() -> ThemeDetector:
    return ThemeDetector(ThemeOptions(lexicon=False))


def themes_of(hits) -> set[str]:
    return {h.theme for h in hits}


# --- configuration -----------------------------------------------------------------------------


def test_when_shipped_config_is_loaded_then_every_theme_has_terms_in_seven_languages_and_exemplars() -> None:
    specs = {s.theme: s for s in load_theme_specs()}
    assert set(specs) == set(THEMES)
    for spec in specs.values():
        assert {"en", "ja", "zh", "ko", "fr", "de", "es"} <= set(spec.terms), spec.theme
        assert len(spec.exemplars) >= 5, spec.theme


def test_when_config_names_an_unknown_theme_then_configuration_error(tmp_path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  warr:\n    terms: {en: [war]}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="unknown theme 'warr'"):
        load_theme_specs(path)


# --- lexicon -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "theme", "evidence"),
    [
        ("Pikachu storming the beaches of Normandy", "war", "storming the beaches"),
        ("ピカチュウが戦場に立っている", "war", "戦場"),
        ("皮卡丘在战争中", "war", "战争"),
        ("피카츄가 전쟁터에 있다", "war", "전쟁"),
        ("Pikachu im Krieg", "war", "Krieg"),
        ("Mario covered in blood", "violence", "blood"),
        ("血まみれのマリオ", "violence", "血まみれ"),
        ("two SOLDIERS in the snow", "war", "SOLDIERS"),
        ("ＷＡＲ poster", "war", "ＷＡＲ"),
    ],
)
def test_when_prompt_contains_a_theme_term_then_lexicon_reports_it_with_the_text(
    lexicon: ThemeDetector, prompt: str, theme: str, evidence: str
) -> None:
    hits = {h.theme: h for h in lexicon.detect(prompt)}
    assert theme in hits
    assert hits[theme].matcher == "lexicon"
    assert hits[theme].evidence == evidence
    assert hits[theme].score == 1.0


@pytest.mark.parametrize(
    "prompt",
    [
        "a warm sweater with an award ribbon",  # "war" only inside other words
        "a Star Wars fan convention",  # excepted phrase
        "a shooting star over a blood orange grove",
        "a fish tank in a living room",
        "Pikachu having a picnic in a meadow",
    ],
)
def test_when_a_term_only_appears_inside_words_or_excepted_phrases_then_lexicon_is_silent(
    lexicon: ThemeDetector, prompt: str
) -> None:
    assert lexicon.detect(prompt) == []


# --- semantic ----------------------------------------------------------------------------------


def test_when_prompt_storms_the_beaches_of_normandy_then_war_is_found(detector: ThemeDetector) -> None:
    assert "war" in themes_of(detector.detect("Pikachu storming the beaches of Normandy"))


@pytest.mark.parametrize(
    ("prompt", "theme"),
    [
        ("Pikachu storming the beaches of Normandy", "war"),
        ("soldiers charging across a battlefield while bombs explode", "war"),
        ("兵士たちが戦場で銃を撃ち合っている", "war"),
        ("a man stabbing another man with a knife, blood everywhere", "violence"),
    ],
)
def test_when_prompt_shows_a_theme_without_the_lexicon_then_semantic_finds_it(
    semantic_only: ThemeDetector, prompt: str, theme: str
) -> None:
    hits = {h.theme: h for h in semantic_only.detect(prompt)}
    assert theme in hits
    assert hits[theme].matcher == "semantic"
    assert 0.5 <= hits[theme].score <= 1.0


@pytest.mark.parametrize(
    "prompt",
    [
        "Pikachu having a picnic in a meadow",
        "a cloud over Mount Fuji",
        "富士山の上の雲",
        "a tulip field in spring",
        "a cup of coffee on a wooden table",
    ],
)
def test_when_prompt_is_peaceful_then_no_theme_is_found(detector: ThemeDetector, prompt: str) -> None:
    assert detector.detect(prompt) == []


def test_when_lexicon_and_semantic_both_fire_then_one_hit_per_theme_from_the_lexicon(detector) -> None:
    hits = detector.detect("soldiers storming the beaches under heavy fire")
    war = [h for h in hits if h.theme == "war"]
    assert len(war) == 1
    assert war[0].matcher == "lexicon"


def test_when_a_query_embedded_for_the_entity_index_is_reused_then_themes_are_the_same(detector) -> None:
    entities = SemanticIndex.build([SemanticEntry("a", "character", "a yellow mouse", "en")], get_encoder())
    prompt = "a yellow mouse, soldiers charging across a battlefield while bombs explode"
    query = entities.encode([prompt])[0]
    assert detector.detect(prompt, query) == detector.detect(prompt)
    assert detector.detect_many([prompt]) == [detector.detect(prompt)]
