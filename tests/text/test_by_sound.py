"""Latin names spelled as they sound ("Peekachoo" for Pikachu)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions
from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.by_sound import BySoundIndex
from kyodaku.text.normalize import key

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal-catalog.yaml"


def variant(entity: str, name: str, ambiguous: bool = False) -> NameVariant:
    return NameVariant(entity, "character", name, "en", key(name), name_splits(name)[1], ambiguous, "")


INDEX = BySoundIndex(
    [
        variant("pikachu", "Pikachu"),
        variant("cloud", "Cloud Strife"),
        variant("kitty", "Hello Kitty"),
        variant("link", "Link", ambiguous=True),
    ]
)


def test_when_a_name_is_spelled_as_it_sounds_then_it_is_found_with_its_sound_key():
    for text, entity, written in [
        ("Peekachoo splashing in a puddle", "pikachu", "Peekachoo"),  # ee for i, oo for u
        ("Klowd Stryfe leaning on a motorcycle", "cloud", "Klowd Stryfe"),  # k for c, ow for ou, y for i
        ("a plush of Helo Kittee on a sofa", "kitty", "Helo Kittee"),  # one l, ee for y
    ]:
        (hit,) = INDEX.find(text)
        assert (hit.variant.entity, hit.text) == (entity, written)
        assert text[hit.span[0] : hit.span[1]] == written
        assert "by its sound" in hit.note


def test_when_words_are_ordinary_lowercase_or_the_name_as_written_then_nothing_is_found():
    assert INDEX.find("Pikachu splashing") == []  # the name as written: the alias matcher's
    assert INDEX.find("peekachoo splashing") == []  # a name is written with a capital
    assert INDEX.find("Peek at the moon") == []
    assert INDEX.find("Cloud strife in the sky") == []  # ordinary words
    assert INDEX.find("Lynk with a bow") == []  # an ambiguous name needs support: not read by sound


def test_when_two_entries_share_a_sound_key_then_neither_is_found_by_it():
    index = BySoundIndex([variant("a", "Sephiroth"), variant("b", "Sefiroth")])  # both "sefirot"
    assert index.find("Sefirott on a cliff") == []
    assert [
        h.variant.entity for h in BySoundIndex([variant("a", "Sephiroth")]).find("Sefirott on a cliff")
    ] == ["a"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_when_any_text_is_searched_then_hits_lie_inside_it(text):
    for hit in INDEX.find(text):
        assert 0 <= hit.span[0] < hit.span[1] <= len(text)
        assert text[hit.span[0] : hit.span[1]] == hit.text


def test_when_the_guard_screens_a_name_spelled_by_sound_then_it_blocks_with_that_evidence():
    guard = Guard.from_catalog(load_catalog(MINIMAL), GuardOptions(semantic=False, themes=False))
    decision = guard.screen_prompt("Peekachoo taking a nap under a tree")
    (finding,) = [f for f in decision.findings if f.matcher == "by-sound"]
    assert finding.entity == "pikachu" and decision.verdict.value == "block"
    assert guard.screen_prompt("Peek at the moon over a tree").verdict.value == "allow"
