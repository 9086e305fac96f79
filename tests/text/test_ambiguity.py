import pytest

from kyodaku.text.ambiguity import PHRASE_REASON, AmbiguityVerdict, classify, entity_ambiguities


@pytest.mark.parametrize("name", ["Cloud", "Link", "Frozen", "Peach", "Mario", "Elsa", "Ash"])
def test_when_name_is_an_ordinary_word_or_first_name_then_it_is_ambiguous(name):
    assert classify(name, "en").ambiguous


@pytest.mark.parametrize(
    "name", ["Pikachu", "Batman", "Superman", "Bowser", "Sephiroth", "Cloud Strife", "Totoro"]
)
def test_when_name_is_distinctive_then_it_is_not_ambiguous(name):
    assert not classify(name, "en").ambiguous


def test_when_latin_name_is_ambiguous_then_its_katakana_form_inherits_it():
    verdicts = entity_ambiguities([("en", "Cloud"), ("ja", "クラウド"), ("ja", "クラウド・ストライフ")])
    assert verdicts["クラウド"].ambiguous
    assert not verdicts["クラウド・ストライフ"].ambiguous


def test_when_catalog_forces_a_name_then_it_is_ambiguous():
    verdicts = entity_ambiguities([("en", "Pikachu")], forced=("Pikachu",))
    assert verdicts["Pikachu"].ambiguous


@pytest.mark.parametrize(("name", "key"), [("Toho", "to")])
def test_when_the_matching_key_is_a_word_then_the_name_is_ambiguous_by_key(name, key):
    verdict = classify(name, "en", key)
    assert verdict.ambiguous and verdict.by_key


def test_when_the_name_is_itself_a_dictionary_word_people_inflect_then_it_is_ambiguous_as_written():
    # "Dragoon" reads "dragon", but it is a word of its own first ("dragoons"): ambiguous as written.
    verdict = classify("Dragoon", "en", "dragon")
    assert verdict.ambiguous and not verdict.by_key


@pytest.mark.parametrize("name", ["Pink", "Blue"])
def test_when_name_is_among_the_most_frequent_words_then_it_is_ambiguous(name):
    assert classify(name, "en").ambiguous


@pytest.mark.parametrize("name", ["grey", "twilight", "navel", "ascot", "crescent"])
def test_when_a_dictionary_word_is_used_mostly_in_english_then_it_is_ambiguous(name):
    verdict = classify(name, "en")
    assert verdict.ambiguous and verdict.reason.startswith("common word")


@pytest.mark.parametrize("name", ["fox girl", "One Piece", "Star Wars", "office lady", "The Dark Knight"])
def test_when_every_word_of_a_name_is_a_frequent_word_then_the_phrase_is_ambiguous(name):
    assert classify(name, "en") == AmbiguityVerdict(True, PHRASE_REASON)


@pytest.mark.parametrize("name", ["Cloud Strife", "Hatsune Miku", "The Legend of Zelda", "Princess Peach"])
def test_when_a_word_of_a_name_is_rare_or_invented_then_the_phrase_is_distinctive(name):
    assert not classify(name, "en").ambiguous
