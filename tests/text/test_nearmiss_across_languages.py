"""Near misses and real mentions in languages other than English (a sixth near-miss probe):

* a work's one-word ordinary title written as a title in a German or Italian prompt supports its
  own characters ("Elsa aus Frozen"), as it supports the work itself;
* in a script without letter case, an ordinary word as the subject of an action, with the name's
  own work named elsewhere in the prompt or with an object it acts on in its clause, is held for
  review ("링크가 ... 장면, 젤다의 전설"; "リンクがマスターソードを抜く");
* in French, Spanish, Italian, Portuguese and German a name right after a generic of geography and
  a preposition ("le détroit de Naruto") is a place's name, as "the Naruto Strait" is in English."""

from __future__ import annotations

import pytest

from helpers.guards import found, lexical_guard

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"},
        {"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"},
        {"id": "bird-studio", "name": {"en": "Bird Studio"}, "country": "JP"},
    ],
    "works": [
        {"id": "frozen", "owner": "disney", "names": {"en": ["Frozen"]}},
        {
            "id": "zelda",
            "owner": "nintendo",
            "names": {"en": ["The Legend of Zelda"], "ko": ["젤다의 전설"], "ja": ["ゼルダの伝説"]},
        },
    ],
    "characters": [
        {"id": "elsa", "owner": "disney", "work": "frozen", "names": {"en": ["Elsa"]}},
        {
            "id": "link",
            "owner": "nintendo",
            "work": "zelda",
            "names": {"en": ["Link"], "ja": ["リンク"], "ko": ["링크"]},
        },
        {"id": "son-goku", "owner": "bird-studio", "names": {"en": ["Son Goku"], "ja": ["孫悟空"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("nearmiss-languages"))


@pytest.mark.parametrize(
    "text",
    [
        "Elsa aus Frozen baut einen Eispalast auf einem Berg",
        "Elsa di Frozen che crea un castello di ghiaccio",
        "une affiche avec Elsa de Frozen sur un lac gelé",
    ],
)
def test_when_a_title_capitalised_mid_sentence_names_the_work_of_a_first_name_then_both_count(guard, text):
    assert found(guard, text) == {"elsa", "frozen"}


@pytest.mark.parametrize(
    "text",
    [
        "Elsa Morante con un frozen di limone",  # lower case: the word
        "Frozen yogurt, Elsa Pataky sonriendo",  # the start of a sentence says nothing
    ],
)
def test_when_the_title_is_not_written_as_one_then_the_first_name_needs_other_support(guard, text):
    assert "elsa" not in found(guard, text)


@pytest.mark.parametrize(
    "text",
    ["링크가 마스터 소드를 뽑는 장면, 젤다의 전설", "リンクが剣を抜く、ゼルダの伝説"],
)
def test_when_an_ordinary_word_acts_in_a_caseless_script_beside_its_work_then_it_is_held(guard, text):
    assert found(guard, text) == {"link", "zelda"}


@pytest.mark.parametrize(
    "text",
    ["リンクがマスターソードを抜く瞬間", "링크가 마스터 소드를 뽑는 장면", "リンクは剣を抜く"],
)
def test_when_an_ordinary_word_acts_on_an_object_in_a_caseless_script_then_it_is_held(guard, text):
    decision = guard.screen_prompt(text)
    assert decision.verdict.value == "review"
    assert [f.entity for f in decision.findings] == ["link"]
    assert any("on " in s for f in decision.findings for s in f.support)  # the object is the evidence


def test_when_a_name_whose_other_reading_is_a_figure_acts_on_an_object_then_it_stays_unread(guard):
    # 孫悟空 is also the Monkey King of Journey to the West, who wields his staff as well.
    assert found(guard, "孫悟空が金色の如意棒を振り回す") == set()
    assert found(guard, "リンクが金色の剣を振り回す") == {"link"}


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("リンクが切れる", set()),  # no object: the link is broken
        ("リンクがあるページを開く画面", set()),  # the page that has a link: its own verb before the object
        ("링크가 있는 페이지를 여는 화면", set()),  # the same in Korean
        ("링크를 클릭하세요, 젤다의 전설 공략", {"zelda"}),  # an object, not the one acting
        ("リンクのページ、ゼルダの伝説", {"zelda"}),
    ],
)
def test_when_the_word_does_not_act_or_its_work_is_not_named_then_it_stays_the_word(guard, text, entities):
    assert found(guard, text) == entities


PLACES = {
    "version": 1,
    "rightsholders": [{"id": "shueisha", "name": {"en": "Shueisha Inc."}, "country": "JP"}],
    "characters": [{"id": "naruto-uzumaki", "owner": "shueisha", "names": {"en": ["Naruto Uzumaki"]}}],
}


@pytest.fixture(scope="module")
def place_guard(tmp_path_factory):
    return lexical_guard(PLACES, tmp_path_factory.mktemp("nearmiss-places"))


@pytest.mark.parametrize(
    "text",
    [
        "les tourbillons du détroit de Naruto au Japon",
        "el estrecho de Naruto visto desde el puente",
        "die Meerenge von Naruto bei Ebbe",
        "o estreito de Naruto ao pôr do sol",
    ],
)
def test_when_a_name_follows_a_generic_of_geography_in_a_romance_or_german_prompt_then_it_is_a_place(
    place_guard, text
):
    assert found(place_guard, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "una foto de Naruto en la bahía",  # the feature word after the name: a scene, not a place's name
        "Naruto corriendo por un cañón rojo",
        "Naruto Uzumaki sur le pont du détroit",
    ],
)
def test_when_the_generic_does_not_introduce_the_name_then_it_stays_the_character(place_guard, text):
    assert found(place_guard, text) == {"naruto-uzumaki"}
