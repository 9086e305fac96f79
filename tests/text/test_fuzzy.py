import pytest

from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.fuzzy import FuzzyIndex
from kyodaku.text.normalize import skeleton


def _v(entity, name, ambiguous=False):
    k, splits = name_splits(name)
    return NameVariant(entity, "character", name, "en", k, splits, ambiguous, "test")


@pytest.fixture(scope="module")
def index():
    return FuzzyIndex(
        [
            _v("vader", "Darth Vader"),
            _v("pikachu", "Pikachu"),
            _v("sephiroth", "Sephiroth"),
            _v("cloud", "Cloud", ambiguous=True),
            _v("mario", "Mario"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Darth Vadar in space", "vader"),
        ("Pikachoo", "pikachu"),
        ("Sepiroth with a long sword", "sephiroth"),
        ("a Pikahcu toy", "pikachu"),
    ],
)
def test_when_name_is_misspelled_by_one_edit_then_it_is_found(index, text, entity):
    hits = index.find(skeleton(text))
    assert {h.variant.entity for h in hits} == {entity}
    assert all(0 < h.score < 1 for h in hits)


@pytest.mark.parametrize("text", ["a loud cloud", "Maria Callas on stage", "the lever is broken", "a clown"])
def test_when_word_is_ordinary_or_name_is_short_then_no_fuzzy_hit(index, text):
    assert index.find(skeleton(text)) == []


def test_when_exact_span_already_matched_then_fuzzy_skips_it(index):
    sk = skeleton("Pikachus")
    assert index.find(sk, exact_spans={(0, 7)}) == []
