"""Alias matching: exact over skeletons, with word-boundary rules per script."""

import pytest

from kyodaku.text.alias import AliasIndex, NameVariant, name_splits
from kyodaku.text.normalize import skeleton


def _variant(entity, name, lang="en", ambiguous=False):
    k, splits = name_splits(name)
    return NameVariant(entity, "character", name, lang, k, splits, ambiguous, "test")


@pytest.fixture(scope="module")
def index():
    return AliasIndex(
        [
            _variant("pikachu", "Pikachu"),
            _variant("pikachu", "ピカチュウ", "ja"),
            _variant("pikachu", "피카츄", "ko"),
            _variant("pikachu", "皮卡丘", "zh"),
            _variant("totoro", "Totoro"),
            _variant("goku", "Son Goku"),
            _variant("mario", "マリオ", "ja"),
        ]
    )


def _entities(index, text):
    return sorted({h.variant.entity for h in index.find(skeleton(text))})


@pytest.mark.parametrize(
    "text",
    [
        "Pikachu storming the beaches of Normandy",
        "ピカチュウがノルマンディーに上陸する",
        "ぴかちゅうがはしる",
        "P i k a c h u on a beach",
        "Pika-chu on a beach",
        "P.i.k.a.c.h.u",
        "pikachu's tail",
        "two Pikachus",
        "피카츄가 해변에서 서핑하는",
        "皮卡丘在海边冲浪",
        "a (Pikachu) plush",
        "pika chu",
    ],
)
def test_when_name_appears_in_any_form_then_it_is_found(index, text):
    assert _entities(index, text) == ["pikachu"]


@pytest.mark.parametrize(
    "text",
    ["go to toro sushi", "epikachus", "superpikachuman", "マリオネットの人形", "pi kachu"],
)
def test_when_letters_only_occur_across_or_inside_words_then_nothing_is_found(index, text):
    assert _entities(index, text) == []


def test_when_registered_name_has_a_space_then_space_is_allowed_there(index):
    assert _entities(index, "Son Goku flying") == ["goku"]
    assert _entities(index, "SonGoku flying") == ["goku"]


def test_when_hit_is_reported_then_span_and_text_are_the_original(index):
    text = "look: Ｐｉｋａ-ｃｈｕ!"
    (hit,) = index.find(skeleton(text))
    assert text[hit.span[0] : hit.span[1]] == hit.text == "Ｐｉｋａ-ｃｈｕ"


def test_when_two_names_share_a_key_then_one_hit_with_the_closest_variant(index):
    hits = index.find(skeleton("ピカチュウ"))
    assert len(hits) == 1
    assert hits[0].variant.name == "ピカチュウ"


def test_when_index_is_empty_then_find_returns_nothing():
    assert AliasIndex([]).find(skeleton("Pikachu")) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("一张DC漫画的海报", ["dc"]),
        ("DC漫畫的封面，城市遭到攻擊", ["dc"]),
        ("DC漫画家在画室里工作", []),  # 漫画家 "cartoonist": the name ends inside a word
    ],
)
def test_when_a_latin_and_han_name_ends_in_han_then_chinese_word_boundaries_decide(text, found):
    index = AliasIndex([_variant("dc", "DC漫画", "zh"), _variant("dc", "DC漫畫", "zh")])
    assert _entities(index, text) == found


def test_when_the_same_prompt_is_searched_again_then_the_kept_hits_are_returned_as_a_new_list(index):
    sk = skeleton("Pikachu and Totoro")
    first = index.find(sk)
    first.clear()  # a caller's list is its own
    again = index.find(sk)
    assert sorted(h.variant.entity for h in again) == ["pikachu", "totoro"]
    assert [h.span for h in index.find(skeleton("Totoro"))] == [(0, 6)]  # another prompt: searched anew
