"""An ambiguous name never supports itself: semantic support is read from the rest of the prompt."""

from pathlib import Path

import pytest

from kyodaku.matching.support import support_for
from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions
from kyodaku.text.normalize import skeleton

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal-catalog.yaml"


@pytest.fixture(scope="module")
def snapshot():
    return Guard.from_catalog(load_catalog(MINIMAL), GuardOptions(themes=False)).snapshot


def _kirby_hit(snapshot, text):
    hits = [h for h in snapshot.match.aliases.find(skeleton(text)) if h.variant.entity == "kirby"]
    assert hits, "the alias index must find the name Kirby"
    return hits[0]


def test_when_the_only_description_found_is_the_name_itself_then_no_semantic_support(snapshot):
    text = "Kirby, the round pink puffball who inhales enemies"
    hit = _kirby_hit(snapshot, text)
    query = snapshot.match.semantic.encode([text])[0]
    # A semantic finding whose segment is just the name says nothing beyond the name.
    only_name = {"kirby": [hit.span]}
    assert not [s for s in support_for(snapshot, hit, [], only_name, query, 0.0) if "describes" in s]
    # The same finding over the whole description does count.
    whole = {"kirby": [(0, len(text))]}
    assert any("describes" in s for s in support_for(snapshot, hit, [], whole, query, 0.0))


def test_when_nothing_but_the_name_is_left_then_the_prompt_is_not_embedded_for_support(snapshot):
    hit = _kirby_hit(snapshot, "Kirby!")
    query = snapshot.match.semantic.encode(["Kirby!"])[0]
    # Even the loosest margin gives no support: there is nothing left to agree with the description.
    assert support_for(snapshot, hit, [], {}, query, 10.0) == []
    text = "Kirby, a round pink puffball floating over a meadow"
    hit = _kirby_hit(snapshot, text)
    query = snapshot.match.semantic.encode([text])[0]
    assert any("rest of the prompt" in s for s in support_for(snapshot, hit, [], {}, query, 10.0))
