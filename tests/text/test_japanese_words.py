"""Ordinary Japanese words in romaji (text/japanese_words.py) and the precision rules that a
40,000-character catalog needs: tag-list items, plurals that are words, inflected dictionary words."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.text.alias import AliasIndex, NameVariant, name_splits
from kyodaku.text.ambiguity import JAPANESE_WORD_PREFIX, entity_ambiguities, is_common_word
from kyodaku.text.fuzzy import FuzzyIndex
from kyodaku.text.japanese_words import japanese_word, native_spelling, reading_key
from kyodaku.text.normalize import skeleton
from kyodaku.text.surface import written_as_title


def _v(entity: str, name: str) -> NameVariant:
    k, splits = name_splits(name)
    return NameVariant(entity, "character", name, "en", k, splits, False, "test")


def test_when_romaji_reads_as_a_kanji_or_hiragana_word_then_the_lexicon_names_it():
    assert japanese_word(skeleton("miko").key)[0] == "巫女"
    assert japanese_word(skeleton("chibi").key)[0] == "ちび"
    assert japanese_word(skeleton("hakama").key)[0] == "袴"


def test_when_a_name_is_only_written_in_katakana_then_it_is_no_ordinary_japanese_word():
    # ミク is frequent in Japanese text, but a name invented for a character is written in katakana.
    assert japanese_word(skeleton("miku").key) is None
    assert japanese_word(skeleton("pikachu").key) is None


def test_when_lexicon_entries_are_read_again_then_each_reads_as_its_key():
    from kyodaku.text.japanese_words import lexicon

    sample = list(lexicon().items())[::500]
    assert len(sample) > 20
    for key, (word, z) in sample:
        assert native_spelling(word) and z >= 3.0
        assert reading_key(word) == key


def test_when_a_catalog_name_reads_as_an_ordinary_japanese_word_then_it_needs_support():
    verdict = entity_ambiguities([("en", "Chibi")])["Chibi"]
    assert verdict.ambiguous and verdict.reason.startswith(JAPANESE_WORD_PREFIX)


def test_when_the_entry_registers_its_own_japanese_name_then_the_romaji_name_stays_distinctive():
    # ナルト, not 鳴門; 孫悟空 (son gokuu), not ごく ("very"): the catalog says which word it is.
    naruto = entity_ambiguities([("en", "Naruto"), ("ja", "ナルト")])["Naruto"]
    goku = entity_ambiguities([("en", "Goku"), ("ja", "孫悟空")])["Goku"]
    assert not naruto.ambiguous and not goku.ambiguous


def test_when_a_tag_is_an_ordinary_japanese_word_then_no_fuzzy_hit_on_a_name_one_edit_away():
    index = FuzzyIndex([_v("hazama", "Hazama"), _v("arashi", "Arashi"), _v("django", "Django")])
    for text in ("1girl, hakama, smile", "sarashi, chest wrap", "eating dango, outdoors"):
        assert index.find(skeleton(text)) == []
    assert [h.variant.entity for h in index.find(skeleton("Arashu in a kimono"))] == ["arashi"]


def test_when_two_list_items_meet_then_they_are_not_one_name():
    aliases = AliasIndex([_v("tailblue", "Tailblue"), _v("pokecat", "Pocketcat")])
    assert aliases.find(skeleton("fox ears, tail, blue eyes")) == []
    assert aliases.find(skeleton("pocket, cat ears")) == []
    assert [h.variant.entity for h in aliases.find(skeleton("Tail blue, smiling"))] == ["tailblue"]


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8),
    st.sampled_from([", ", "; ", " , ", ",  "]),
)
def test_when_a_list_separator_cuts_a_name_then_it_is_never_found(a, b, sep):
    name = a + b
    aliases = AliasIndex([_v("x", name)])
    fuzzy = FuzzyIndex([_v("x", name)])
    text = f"{a}{sep}{b}"
    sk = skeleton(text)
    cut = (len(a), len(a) + len(sep))
    for span in [h.span for h in aliases.find(sk)] + [h.span for h in fuzzy.find(sk)]:
        assert span[1] <= cut[0] or span[0] >= cut[1], (text, span)  # within one item, never across


def test_when_name_and_plural_s_make_a_word_of_their_own_then_no_plural_hit():
    aliases = AliasIndex([_v("serio", "Serio"), _v("pikachu", "Pikachu")])
    assert aliases.find(skeleton("serious expression, smile")) == []
    assert [h.variant.entity for h in aliases.find(skeleton("three Pikachus"))] == ["pikachu"]


def test_when_a_dictionary_word_is_pluralised_then_it_is_an_ordinary_word():
    # "androids", "parasols", "polkas" are written; "batmans", "supermans" are not.
    assert is_common_word("android") and is_common_word("parasol") and is_common_word("polka")
    assert not is_common_word("batman") and not is_common_word("superman")


def test_when_a_run_together_word_is_inflected_then_it_is_not_written_as_a_name():
    assert not written_as_title("cowgirl")
    assert written_as_title("spiderman")


def test_when_a_multi_word_name_is_run_together_into_an_ordinary_word_then_no_hit():
    aliases = AliasIndex(
        [
            _v("cow-girl", "Cow Girl"),
            _v("spider-man", "Spider-Man"),
            _v("goku", "Son Goku"),
            _v("og", "Oni Giri"),
        ]
    )
    assert aliases.find(skeleton("cowgirl, hat, boots")) == []
    assert aliases.find(skeleton("onigiri, rice")) == []  # おにぎり
    assert [h.variant.entity for h in aliases.find(skeleton("Cow Girl waving"))] == ["cow-girl"]
    assert [h.variant.entity for h in aliases.find(skeleton("a spiderman poster"))] == ["spider-man"]
    assert [h.variant.entity for h in aliases.find(skeleton("SonGoku flying"))] == ["goku"]


def test_when_a_tag_is_an_inflected_dictionary_word_then_no_fuzzy_hit():
    index = FuzzyIndex([_v("sylpheed", "Sylpheed")])
    assert index.find(skeleton("slicked back hair")) == []
    assert [h.variant.entity for h in index.find(skeleton("Sylphead, a spaceship"))] == ["sylpheed"]


def test_when_a_word_meets_a_name_only_after_spelling_folds_then_no_hit():
    aliases = AliasIndex([_v("aiba", "Aiba"), _v("linnea", "Linnea"), _v("superman", "Superman")])
    assert aliases.find(skeleton("alba, white hair")) == []  # l/i fold
    assert aliases.find(skeleton("linea nigra")) == []  # doubled letters
    assert [h.variant.entity for h in aliases.find(skeleton("Supermann flying"))] == ["superman"]
    assert [h.variant.entity for h in aliases.find(skeleton("Aiba smiling"))] == ["aiba"]


_HIRAGANA = st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096), min_size=1)
_KATAKANA = st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA), min_size=1)
_KANJI = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1)


@settings(max_examples=150, deadline=None)
@given(_HIRAGANA, _KATAKANA, _KANJI, st.text(alphabet="abcxyz0123 -.", min_size=1))
def test_when_a_word_is_spelled_then_native_spelling_follows_its_scripts(hira, kata, kanji, latin):
    assert native_spelling(hira)  # ちび
    assert native_spelling(kanji + hira) and native_spelling(kanji + kata)  # 晒し, ローマ字
    assert not native_spelling(kata) and not native_spelling(kata + hira)  # ミク, ドラえもん
    assert not native_spelling(hira + latin) and not native_spelling("")
