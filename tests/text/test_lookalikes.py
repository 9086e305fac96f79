"""Katakana names disguised by look-alike letters (スパイダーマソ for スパイダーマン)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions
from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.lookalikes import LookalikeIndex, fold
from kyodaku.text.normalize import key

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal-catalog.yaml"


def variant(entity: str, name: str, ambiguous: bool = False) -> NameVariant:
    return NameVariant(entity, "character", name, "ja", key(name), name_splits(name)[1], ambiguous, "")


INDEX = LookalikeIndex(
    [
        variant("spider-man", "スパイダーマン"),
        variant("mickey-mouse", "ミッキーマウス"),
        variant("bowser", "クッパ"),
        variant("link", "リンク", ambiguous=True),
        variant("darth-vader", "ダース・ベイダー"),
    ]
)


def test_when_a_letter_is_swapped_for_one_drawn_alike_then_the_name_is_found_with_the_swap():
    (hit,) = INDEX.find("スパイダーマソが東京タワーを登る")
    assert (hit.variant.entity, hit.span, hit.text) == ("spider-man", (0, 7), "スパイダーマソ")
    assert hit.swapped == (("ソ", "ン"),)
    assert "ソ for ン" in hit.note


def test_when_a_small_kana_is_written_large_then_the_name_is_found():
    (hit,) = INDEX.find("ミツキーマウスのぬいぐるみ")
    assert hit.variant.entity == "mickey-mouse"
    (hit,) = INDEX.find("クツパが溶岩の城にいる")
    assert (hit.variant.entity, hit.swapped) == ("bowser", (("ツ", "ッ"),))


def test_when_a_name_of_several_words_is_disguised_then_its_dots_do_not_matter():
    for text in ("ダース・ベイダ一が立つ", "ダースベイダ一が立つ"):  # the kanji 一 drawn like ー
        (hit,) = INDEX.find(text)
        assert hit.variant.entity == "darth-vader"
        assert hit.swapped == (("一", "ー"),)


def test_when_the_name_is_written_exactly_or_is_an_ordinary_word_then_nothing_is_found():
    assert INDEX.find("スパイダーマンが登る") == []  # the alias matcher's
    assert INDEX.find("ソースをかけたハンバーグ") == []  # ソース folds to ンース: no name
    assert INDEX.find("シーツを洗う") == []


def test_when_an_ambiguous_name_differs_only_by_a_kanas_size_then_it_is_the_word():
    assert INDEX.find("リンクを貼る") == []
    assert INDEX.find("リンクゥ") == []
    (hit,) = INDEX.find("リソクが草原で剣を掲げる")  # ソ drawn like ン: a disguise
    assert hit.variant.entity == "link"


def test_when_too_many_letters_differ_or_a_short_name_is_inside_a_compound_then_nothing_is_found():
    assert INDEX.find("ミツキーマウヌ") == []  # ヌ is no look-alike of ス
    assert INDEX.find("クツパスタ") == []  # a three-letter name only as a whole word
    assert fold("スパイダーマソ") == fold("スパイダーマン")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_when_any_text_is_searched_then_hits_lie_inside_it_and_fold_to_a_name(text):
    for hit in INDEX.find(text):
        a, b = hit.span
        assert 0 <= a < b <= len(text)
        assert text[a:b] == hit.text
        assert fold(hit.text) == fold(hit.variant.name)


@pytest.fixture(scope="module")
def guard():
    return Guard.from_catalog(load_catalog(MINIMAL), GuardOptions(semantic=False, themes=False))


def test_when_a_disguised_katakana_name_is_screened_then_it_is_blocked_with_the_swap_as_evidence(guard):
    decision = guard.screen_prompt("スーパーマソが空を飛ぶ")
    (finding,) = [f for f in decision.findings if f.matcher == "lookalike"]
    assert finding.entity == "superman" and decision.verdict.value == "block"
    assert "ソ for ン" in finding.evidence.note
    assert guard.screen_prompt("ソースをかけたハンバーグ").verdict.value == "allow"


def test_when_a_styles_bare_name_is_written_with_look_alike_letters_then_it_still_needs_a_style_cue():
    from kyodaku.text.ambiguity import BARE_STYLE_REASON

    bare = NameVariant(
        "sanrio-style",
        "style",
        "サンリオ",
        "ja",
        key("サンリオ"),
        name_splits("サンリオ")[1],
        True,
        BARE_STYLE_REASON,
    )
    assert LookalikeIndex([bare]).find("サソリオの店") == []
