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


def test_when_a_famous_word_of_a_name_follows_an_ordinary_word_one_edit_off_then_the_name_is_found(index):
    # "dart" is a dictionary word and "vader" frequent only because of the name: the window is no
    # pair of ordinary words, and "dartvader" is one edit from "darthvader".
    hits = index.find(skeleton("Dart Vader at a barbecue"))
    assert {h.variant.entity for h in hits} == {"vader"}


def test_when_ordinary_words_are_one_edit_from_nothing_then_a_name_word_changes_nothing(index):
    assert index.find(skeleton("a dart board and a garden hose")) == []


def test_when_a_famous_name_word_stands_alone_then_it_is_not_looked_up_as_a_misspelling():
    # "pokemon" is frequent only by fame, like "vader"; alone it is still a word people write,
    # not "Pokemons" or "Pokemon X" misspelt.
    index = FuzzyIndex([_v("pkmn-x", "Pokemon X"), _v("pkmns", "Pokemons")])
    assert "pokemon" in index._name_words  # a famous word of a name, as "vader" is
    assert index.find(skeleton("a pokemon plush on a shelf")) == []


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Micky Mous on a steamboat", "Micky Mous"),  # a letter left out of each word
        ("Drath Vadr on a snowy ridge", "Drath Vadr"),  # a swap in one word, a letter left out of the other
        ("Spyder Mann on a gargoyle", "Spyder Mann"),
    ],
)
def test_when_each_word_of_a_long_name_is_one_edit_off_then_the_name_is_found_word_by_word(text, written):
    index = FuzzyIndex([_v("mickey", "Mickey Mouse"), _v("vader", "Darth Vader"), _v("spidey", "Spider-Man")])
    (hit,) = index.find(skeleton(text))
    assert text[hit.span[0] : hit.span[1]] == written
    assert 1 <= hit.distance <= 2 and 0 < hit.score < 1


def test_when_two_words_are_off_by_one_edit_each_but_all_in_the_dictionary_then_no_name_is_read():
    index = FuzzyIndex([_v("mickey", "Mickey Mouse"), _v("cat", "Black Cats")])
    assert index.find(skeleton("a black hats shop")) == []  # every word ordinary: never looked up
    assert index.find(skeleton("Mickey's house by the sea")) == []  # one word two edits off
    blossom = FuzzyIndex([_v("sk8", "Cherry Blossom")])
    # a plural of a dictionary word is no misspelling: the tag "cherry blossoms" names no character
    assert blossom.find(skeleton("1girl, cherry blossoms, smile")) == []
