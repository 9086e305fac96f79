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


def test_when_a_hangul_name_is_the_korean_reading_of_an_ambiguous_han_name_then_it_shares_the_ambiguity():
    verdicts = entity_ambiguities([("en", "Son Goku"), ("zh", "孙悟空"), ("ko", "손오공")])
    assert verdicts["孙悟空"].ambiguous
    assert verdicts["손오공"].ambiguous and "Korean reading" in verdicts["손오공"].reason


def test_when_a_hangul_name_transliterates_the_latin_name_then_it_stays_distinctive():
    # 피카츄 has as many syllables as 皮卡丘 has characters, but keeps Pikachu's consonants (P-K-C).
    verdicts = entity_ambiguities([("en", "Pikachu"), ("zh", "孙悟空"), ("ko", "피카츄")])
    assert not verdicts["피카츄"].ambiguous
    # and a Han name that is no ordinary word passes nothing on
    assert not entity_ambiguities([("en", "Pikachu"), ("zh", "皮卡丘"), ("ko", "피카츄")])["피카츄"].ambiguous


def test_when_hangul_writes_an_ambiguous_latin_first_name_by_sound_then_it_inherits_the_ambiguity():
    verdicts = entity_ambiguities([("en", "Mario"), ("ko", "마리오")])
    assert verdicts["Mario"].ambiguous and verdicts["마리오"].ambiguous
    # a Hangul name that does not sound like the ambiguous Latin name (a translation) keeps its own verdict
    assert not entity_ambiguities([("en", "Mario"), ("ko", "배관공")])["배관공"].ambiguous
    # and a distinctive Latin name passes nothing on
    assert not entity_ambiguities([("en", "Pikachu"), ("ko", "피카츄")])["피카츄"].ambiguous
