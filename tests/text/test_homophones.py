"""Chinese names misspelled by a homophone (皮卡秋 for 皮卡丘)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.homophones import HomophoneIndex
from kyodaku.text.normalize import key


def variant(entity: str, name: str, ambiguous: bool = False) -> NameVariant:
    return NameVariant(entity, "character", name, "zh", key(name), name_splits(name)[1], ambiguous, "")


INDEX = HomophoneIndex(
    [variant("pikachu", "皮卡丘"), variant("son-goku", "孙悟空", ambiguous=True), variant("totoro", "龙猫")]
)


def test_when_one_character_is_swapped_for_a_homophone_then_the_name_is_found():
    (hit,) = INDEX.find("皮卡秋在海边晒太阳")
    assert (hit.variant.entity, hit.span, hit.text) == ("pikachu", (0, 3), "皮卡秋")
    assert hit.swapped == (("秋", "丘", "qiu"),)
    assert "秋 reads qiu like 丘" in hit.note


def test_when_the_name_is_written_exactly_then_it_is_left_to_the_alias_matcher():
    assert INDEX.find("皮卡丘在海边") == []


def test_when_two_characters_differ_or_the_name_is_short_or_ambiguous_then_nothing_is_found():
    assert INDEX.find("皮咖秋") == []  # two swaps: a different word that sounds alike
    assert INDEX.find("隆猫") == []  # two-character names are left out
    assert INDEX.find("孙悟崆") == []  # ambiguous names need support, not a homophone rule


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_when_any_unicode_text_is_searched_then_hits_lie_inside_it(text):
    for hit in INDEX.find(text):
        assert text[hit.span[0] : hit.span[1]] == hit.text


def test_when_the_guard_screens_a_homophone_then_it_blocks_with_the_reading_as_evidence():
    from pathlib import Path

    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard, GuardOptions

    catalog = load_catalog(Path(__file__).resolve().parents[1] / "data" / "minimal-catalog.yaml")
    guard = Guard.from_catalog(catalog, GuardOptions(semantic=False, themes=False))
    decision = guard.screen_prompt("皮卡秋在海边晒太阳")
    (finding,) = [f for f in decision.findings if f.matcher == "homophone"]
    assert finding.entity == "pikachu" and decision.verdict.value == "block"


def test_when_a_character_is_written_in_the_other_script_then_it_is_no_homophone():
    from kyodaku.text.homophones import same_character

    index = HomophoneIndex([variant("batman", "蝙蝠俠")])
    # 侠 is 俠 in simplified characters: the registered name in the other script, which the alias
    # matcher reads (or sets aside, as inside 侠客岛), not a misspelling.
    assert index.find("蝙蝠侠客岛的海滩") == []
    assert same_character("侠", "俠") and same_character("俠", "侠")
    assert not same_character("下", "俠")
    (hit,) = index.find("蝙蝠下在屋顶上")  # 下 reads xia too, and is another character
    assert hit.text == "蝙蝠下"
