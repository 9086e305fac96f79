"""Names written by ear in Greek, Hebrew and Arabic (Μπάτμαν, באטמן, باتمان for Batman), read through
text/alphabets.py into the consonant frames of text/by_ear.py; Russian names declined with an
ending that adds a consonant (Суперменом); a style's name made a Russian adjective (диснеевских)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard
from kyodaku.text.alphabets import MAX_READINGS, readings, script_of
from kyodaku.text.by_ear import heard_frame, spelled_frames

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "dc", "name": {"en": "DC Comics"}, "country": "US"},
        {"id": "lucasfilm", "name": {"en": "Lucasfilm Ltd."}, "country": "US"},
        {"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"},
    ],
    "works": [
        {"id": "dc-universe", "owner": "dc", "names": {"en": ["DC Comics"]}},
        {"id": "star-wars", "owner": "lucasfilm", "names": {"en": ["Star Wars"]}},
    ],
    "characters": [
        {"id": "batman", "work": "dc-universe", "names": {"en": ["Batman"]}},
        {"id": "superman", "work": "dc-universe", "names": {"en": ["Superman"]}},
        {"id": "darth-vader", "work": "star-wars", "names": {"en": ["Darth Vader"]}},
    ],
    "styles": [{"id": "disney-style", "owner": "disney", "names": {"en": ["Disney animation style"]}}],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("alphabets"))


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("Μπάτμαν", "Batman"),  # Greek writes b as μπ
        ("Σούπερμαν", "Superman"),  # and u as ου
        ("באטמן", "Batman"),  # Hebrew: vowels unwritten or as א ו י
        ("סופרמן", "Superman"),
        ("باتمان", "Batman"),
        ("سوبرمان", "Superman"),  # Arabic has no p: ب
    ],
)
def test_when_a_name_is_spelled_by_ear_in_another_alphabet_then_a_reading_has_its_frame(word, name):
    assert any(heard_frame(r) in spelled_frames(name) for r in readings(word))


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Ο Μπάτμαν στη στέγη τη νύχτα", "batman"),
        ("Ο Σούπερμαν πετάει πάνω από την πόλη", "superman"),
        ("באטמן על הגג בלילה", "batman"),
        ("سوبرمان يطير فوق المدينة", "superman"),
    ],
)
def test_when_a_prompt_writes_a_name_in_greek_hebrew_or_arabic_then_it_is_found(guard, text, entity):
    assert found(guard, text) == {entity}


@pytest.mark.parametrize(
    "text", ["Ένα σπίτι στη θάλασσα", "חתול על הגג בלילה", "قطة على السطح ليلا", "المدينة في الليل"]
)
def test_when_a_prompt_is_ordinary_greek_hebrew_or_arabic_then_nothing_is_found(guard, text):
    assert found(guard, text) == set()


@pytest.mark.parametrize(
    ("text", "entity"),
    [("дети со Суперменом на фото", "superman"), ("битва с Дартом Вейдером", "darth-vader")],
)
def test_when_russian_declines_a_name_with_a_consonant_ending_then_it_is_still_heard(guard, text, entity):
    assert found(guard, text) == {entity}


def test_when_a_style_name_is_made_a_russian_adjective_then_it_counts_beside_a_cue(guard):
    assert found(guard, "лиса-принцесса в стиле диснеевских мультфильмов") == {"disney-style"}
    assert found(guard, "диснеевские акции выросли") == set()  # no cue: the company


_LETTERS = st.characters(min_codepoint=0x0370, max_codepoint=0x06FF)


@given(st.text(alphabet=_LETTERS, min_size=1, max_size=12))
def test_when_any_greek_hebrew_or_arabic_word_is_read_then_readings_are_few_and_latin(word):
    out = readings(word)
    assert len(out) <= MAX_READINGS
    assert all(r.isascii() and (r == "" or r.isalpha()) for r in out)
    if not script_of(word):
        assert out == ()
