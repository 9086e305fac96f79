"""Style requests worded in every language the cue lexicon covers: a manner suffix glued to the
style's name ("Ghibliesque"), Japanese cues that inflect into the noun they modify (ジブリみたいな森),
and each language's words for a feel, a look or a manner (지브리 감성, 吉卜力式的, im Pixar-Look).
A style's bare name with no cue stays the company."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard
from kyodaku.text.variants import MANNER_SUFFIXES, manner_suffixed

CATALOG = {
    "version": 1,
    "rightsholders": [
        {"id": "disney", "name": {"en": "The Walt Disney Company", "ja": "ディズニー"}, "country": "US"},
        {
            "id": "ghibli",
            "name": {"en": "Studio Ghibli Inc.", "ja": "株式会社スタジオジブリ"},
            "country": "JP",
        },
        {"id": "pixar", "name": {"en": "Pixar Animation Studios"}, "country": "US"},
        {"id": "bird", "name": {"en": "Bird Studio", "ja": "バードスタジオ"}, "country": "JP"},
    ],
    "styles": [
        {
            "id": "disney-style",
            "owner": "disney",
            "names": {
                "en": ["Disney animation style"],
                "ja": ["ディズニー風"],
                "zh": ["迪士尼风格"],
                "ko": ["디즈니 스타일"],
            },
        },
        {
            "id": "ghibli-style",
            "owner": "ghibli",
            "names": {
                "en": ["Studio Ghibli style"],
                "ja": ["ジブリ風"],
                "zh": ["吉卜力风格"],
                "ko": ["지브리 스타일"],
            },
        },
        {"id": "pixar-style", "owner": "pixar", "names": {"en": ["Pixar style"]}},
        {"id": "bird-style", "owner": "bird", "names": {"en": ["Akira Toriyama style"]}},
    ],
}


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return lexical_guard(CATALOG, tmp_path_factory.mktemp("style-cues"))


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("a hillside town, very Ghibliesque", "ghibli-style"),
        ("a Pixaresque toaster with big eyes", "pixar-style"),
        ("a Disneyfied dragon", "disney-style"),
        ("ein pixaresker Roboter", "pixar-style"),  # German -esk with its ending
        ("un castello disneyesco", "disney-style"),  # Italian -esco
        ("Toriyamaesque robots in a desert", "bird-style"),  # the artist's family name
    ],
)
def test_when_a_manner_suffix_is_glued_to_a_style_name_then_the_style_is_found(guard, text, style):
    assert found(guard, text) == {style}


def test_when_the_style_name_is_itself_a_word_then_no_suffixed_form_is_derived(guard):
    # "Bird" of Bird Studio: a birdlike creature says nothing of the studio.
    assert manner_suffixed("Bird") == []
    assert found(guard, "a birdlike creature on a branch") == set()


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("ジブリスタイルの森", "ghibli-style"),
        ("ディズニーテイストのお城", "disney-style"),
        ("ジブリアニメ風の空", "ghibli-style"),
    ],
)
def test_when_a_katakana_cue_is_written_into_one_word_with_the_name_then_the_style_is_found(
    guard, text, style
):
    assert found(guard, text) == {style}


def test_when_the_katakana_name_is_the_loanword_of_an_ordinary_word_then_no_compound_counts(guard):
    # バード of Bird Studio is "bird": a bird illustration, not the artist's style.
    assert found(guard, "バードイラストの図鑑") == set()


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("ジブリみたいな森", "ghibli-style"),  # みたい + な: the cue runs on into the noun
        ("ディズニーっぽいお姫様", "disney-style"),  # っぽい before a hiragana noun
        ("ジブリっぽく描いて", "ghibli-style"),  # っぽい inflected
    ],
)
def test_when_a_japanese_cue_inflects_into_the_noun_then_it_still_asks_for_the_style(guard, text, style):
    assert found(guard, text) == {style}


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("지브리 감성의 숲", "ghibli-style"),  # Korean "sensibility"
        ("디즈니스러운 성", "disney-style"),  # Korean -스럽다, "-ish", glued to the name
        ("디즈니식으로 그린 공주", "disney-style"),  # Korean 식, "-style", glued
        ("吉卜力式的田园风光", "ghibli-style"),  # Chinese 式的, "-esque"
        ("迪士尼般的城堡", "disney-style"),  # Chinese 般的, "-like"
        ("有吉卜力感觉的小镇", "ghibli-style"),  # Chinese "feel"
        ("ein Drache im Pixar-Look", "pixar-style"),
        ("ein Wald nach Art von Ghibli", "ghibli-style"),
    ],
)
def test_when_a_language_words_a_feel_or_a_manner_then_it_is_a_style_cue(guard, text, style):
    assert found(guard, text) == {style}


@pytest.mark.parametrize(
    "text",
    [
        "迪士尼股票下跌了",
        "지브리 미술관에 갔다",
        "ジブリの新しいオフィス",
        "Pixar announced layoffs today",
        "ジブリ美術館でふうせんを買った",  # ふう inside ふうせん, "balloon": no cue after hiragana
    ],
)
def test_when_a_style_name_stands_without_any_cue_then_the_company_is_just_named(guard, text):
    assert found(guard, text) == set()


@given(st.text(alphabet=st.characters(min_codepoint=0x41, max_codepoint=0x7A), min_size=0, max_size=12))
def test_when_any_base_is_suffixed_then_every_form_starts_with_it_and_ends_with_a_manner_suffix(base):
    for form, how in manner_suffixed(base):
        assert form.startswith(base)
        assert form[len(base) :] in MANNER_SUFFIXES
        assert base in how
