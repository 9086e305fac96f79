"""An ambiguous name that the request makes its depicted subject: a first name is read as the
famous bearer (blocked), an ordinary word written as a name is read as the name (blocked) or held
for review when the evidence is split, a name with another famous reading is held for review; the
same names used as words, as brands or as private persons' names stay allowed. In several
languages, against a catalog of official names only (no context words, no nicknames)."""

import pytest
import yaml

from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "nintendo", "name": {"en": "Nintendo"}, "country": "JP"},
        {"id": "disney", "name": {"en": "Disney"}, "country": "US"},
        {"id": "bird", "name": {"en": "Bird Studio"}, "country": "JP"},
    ],
    "works": [
        {"id": "super-mario", "owner": "nintendo", "names": {"en": ["Super Mario"]}},
        {"id": "zelda", "owner": "nintendo", "names": {"en": ["The Legend of Zelda"]}},
        {"id": "frozen", "owner": "disney", "names": {"en": ["Frozen"]}},
        {"id": "dragon-ball", "owner": "bird", "names": {"en": ["Dragon Ball"]}},
    ],
    "characters": [
        {
            "id": "mario",
            "work": "super-mario",
            "names": {"en": ["Mario"], "ja": ["マリオ"], "ko": ["마리오"]},
            "ambiguous_names": ["마리오"],
            "description": {"en": "A short plumber with a moustache in a red cap and blue overalls."},
        },
        {
            "id": "link",
            "work": "zelda",
            "names": {"en": ["Link"], "ja": ["リンク"]},
            "description": {"en": "A young elf-eared swordsman in a green tunic and pointed cap."},
        },
        {
            "id": "elsa",
            "work": "frozen",
            "names": {"en": ["Elsa"], "ja": ["エルサ"]},
            "description": {"en": "A young queen with ice magic and a platinum-blonde braid."},
        },
        {
            "id": "son-goku",
            "work": "dragon-ball",
            "names": {"en": ["Son Goku"], "zh": ["孙悟空"], "ja": ["孫悟空"]},
            "description": {"en": "A muscular martial artist with spiky black hair in an orange gi."},
        },
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    path = tmp_path_factory.mktemp("subject") / "catalog.yaml"
    path.write_text(yaml.safe_dump(CATALOG, allow_unicode=True), encoding="utf-8")
    return Guard.from_catalog(load_catalog(path), GuardOptions(semantic=False, themes=False))


def _verdict(guard, text, entity):
    decision = guard.screen_prompt(text)
    verdicts = {d.entity: d.verdict.value for d in decision.entities}
    return verdicts.get(entity, "allow")


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Mario surfing at sunset", "mario"),
        ("a poster of Elsa", "elsa"),
        ("une affiche de Mario", "mario"),
        ("ein Poster von Elsa", "elsa"),
        ("Mario surfeando al atardecer", "mario"),
        ("Elsa qui surfe au coucher du soleil", "elsa"),
        ("Mario beim Surfen im Sonnenuntergang", "mario"),
        ("Elsa building an ice castle on top of the Eiffel Tower", "elsa"),
        ("Mario at the beach", "mario"),
        ("Elsa, watercolor, soft light", "elsa"),
        ("マリオのイラスト", "mario"),
        ("夕焼けの海でサーフィンをするエルサ", "elsa"),
        ("마리오 그림", "mario"),
        ("석양에서 서핑하는 마리오", "mario"),
        ("draw Elsa", "elsa"),
        ("Mario jumps over a pipe", "mario"),
        ("Elsa stands on a frozen lake", "elsa"),
    ],
)
def test_when_a_first_name_is_the_depicted_subject_then_it_is_blocked(guard, text, entity):
    assert _verdict(guard, text, entity) == "block"


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Elsa, my grandmother, baking bread in her kitchen in Stockholm", "elsa"),
        ("doña Elsa vendiendo empanadas en el mercado de Salta", "elsa"),
        ("a photo of Mario Draghi speaking in Brussels", "mario"),
        ("Mario Vargas Llosa firmando libros en Lima", "mario"),
        ("portrait of my uncle Mario at the beach", "mario"),
        ("Mario e Elsa, due anziani pescatori, al porto", "mario"),
        ("a Mario's pizzeria storefront at night", "mario"),
        ("a portrait of Elsa, my grandmother, in her kitchen", "elsa"),
        ("a drawing of Mario, our neighbour, at his bakery", "mario"),
        ("マリオさんの写真", "mario"),
        ("うちのマリオのイラスト", "mario"),
        ("우리 마리오 그림", "mario"),
        ("うちのエルサが昼寝している", "elsa"),
        ("마리오 씨 그림", "mario"),
        ("My neighbour Mario fixes pipes in the basement", "mario"),
        ("Elsa, my grandmother, bakes bread", "elsa"),
    ],
)
def test_when_a_first_name_belongs_to_a_private_person_then_it_is_allowed(guard, text, entity):
    assert _verdict(guard, text, entity) == "allow"


@pytest.mark.parametrize(
    "text",
    ["a poster of Link", "une affiche de Link", "ein Poster von Link", "a drawing of Link in the rain"],
)
def test_when_an_ordinary_word_is_written_as_the_name_of_what_is_drawn_then_it_is_blocked(guard, text):
    assert _verdict(guard, text, "link") == "block"


@pytest.mark.parametrize(
    "text",
    [
        "a link to the website on a laptop screen",
        "close-up of a single link of a rusty anchor chain",
        "a picture of Link building for SEO",
        "link building for SEO infographic",
        "リンクをクリックするボタンのデザイン",
        "a poster of frozen peas",
    ],
)
def test_when_an_ordinary_word_is_used_as_a_word_then_it_is_allowed(guard, text):
    assert _verdict(guard, text, "link") == "allow"
    assert _verdict(guard, text, "frozen") == "allow"


@pytest.mark.parametrize(
    ("text", "entity"),
    [("Link surfing at sunset", "link"), ("Frozen qui surfe", "frozen"), ("リンクのイラスト", "link")],
)
def test_when_an_ordinary_word_is_the_subject_but_the_word_reading_fits_too_then_it_is_held_for_review(
    guard, text, entity
):
    assert _verdict(guard, text, entity) == "review"


@pytest.mark.parametrize(("text", "entity"), [("a frozen lake in Finland", "frozen"), ("Link", "link")])
def test_when_an_ordinary_word_is_not_the_subject_then_it_is_allowed(guard, text, entity):
    assert _verdict(guard, text, entity) == "allow"


@pytest.mark.parametrize("text", ["一张孙悟空的海报", "孙悟空 的同人图", "孫悟空のイラスト"])
def test_when_a_name_with_another_famous_reading_is_drawn_then_it_is_held_for_review(guard, text):
    assert _verdict(guard, text, "son-goku") == "review"


@pytest.mark.parametrize(
    "text",
    [
        "孙悟空大闹天宫，中国古典神话插画",
        "西遊記の孫悟空と三蔵法師が旅をする水墨画",
        "夕焼けの海でサーフィンをする孫悟空",
    ],
)
def test_when_a_name_with_another_famous_reading_acts_then_it_is_allowed(guard, text):
    assert _verdict(guard, text, "son-goku") == "allow"


def test_when_a_subject_reading_blocks_then_the_finding_says_which_words_made_it_the_subject(guard):
    decision = guard.screen_prompt("a poster of Elsa")
    (finding,) = [f for f in decision.findings if f.entity == "elsa"]
    assert finding.support == ('subject: "poster of" makes "Elsa" what the picture is of',)
    assert finding.steps and "depicted subject" in finding.steps[-1].reason


def test_when_a_catalog_marks_a_phrase_ambiguous_then_its_title_form_counts_and_its_words_do_not(tmp_path):
    catalog = {
        "version": 1,
        "rightsholders": [{"id": "s", "name": {"en": "S"}, "country": "JP"}],
        "works": [
            {"id": "ds", "owner": "s", "names": {"en": ["Demon Slayer"]}, "ambiguous_names": ["Demon Slayer"]}
        ],
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")
    guard = Guard.from_catalog(load_catalog(path), GuardOptions(semantic=False, themes=False))
    assert _verdict(guard, "Demon Slayer surfing at sunset", "ds") == "block"
    assert _verdict(guard, "a demon slayer knight fighting a dragon", "ds") == "allow"


def test_when_a_caseless_phrase_the_catalog_marks_ambiguous_is_drawn_then_it_is_held_for_review(tmp_path):
    catalog = {
        "version": 1,
        "rightsholders": [{"id": "g", "name": {"en": "G"}, "country": "JP"}],
        "characters": [
            {"id": "catbus", "owner": "g", "names": {"en": ["Catbus"], "ko": ["고양이 버스"]},
             "ambiguous_names": ["고양이 버스"]},
        ],
    }  # fmt: skip
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    guard = Guard.from_catalog(load_catalog(path), GuardOptions(semantic=False, themes=False))
    assert _verdict(guard, "고양이 버스 그림", "catbus") == "review"
    assert _verdict(guard, "고양이 버스 정류장 그림", "catbus") == "allow"  # a drawing of a cat-bus stop


def test_when_an_ordinary_word_acts_in_the_present_then_the_word_reading_stands(guard):
    # A cloud drifts, a link rides nowhere: in the present a word acts as words do.
    assert _verdict(guard, "Link rides across the field", "link") == "allow"
