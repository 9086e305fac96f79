"""Latin names written by ear in katakana and Cyrillic: the consonant frames, the index's rules,
and the guard end to end on a small catalog."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.guards import found, lexical_guard
from kyodaku.text.alias import NameVariant, name_splits
from kyodaku.text.by_ear import (
    MIN_CONSONANTS,
    ByEarIndex,
    bare_key,
    by_vowels,
    consonants,
    heard_frame,
    heard_katakana_key,
    heard_sound_key,
    katakana_heard_keys,
    katakana_sound_keys,
    ordinary_words,
    sound_keys,
    spelled_frames,
    vowels_agree,
    windows,
)
from kyodaku.text.normalize import key


def variant(entity: str, name: str, *, ambiguous: bool = False, lang: str = "en", kind: str = "character"):
    return NameVariant(entity, kind, name, lang, key(name), name_splits(name)[1], ambiguous, "")


def catalog() -> dict:
    return {
        "version": 1,
        "rightsholders": [
            {"id": "ghibli", "name": {"en": "Studio Ghibli Inc."}, "country": "JP"},
            {"id": "lucas", "name": {"en": "Lucasfilm Ltd."}, "country": "US"},
        ],
        "characters": [
            {"id": "catbus", "owner": "ghibli", "names": {"en": ["Catbus"], "ja": ["ネコバス"]}},
            {"id": "vader", "owner": "lucas", "names": {"en": ["Darth Vader"], "ja": ["ダース・ベイダー"]}},
        ],
    }


def test_when_an_english_name_is_written_in_katakana_by_ear_then_the_guard_finds_it(tmp_path):
    guard = lexical_guard(catalog(), tmp_path)
    assert found(guard, "キャットバスが森を走る") == {"catbus"}


def test_when_an_english_name_is_written_in_cyrillic_by_ear_then_the_guard_finds_it(tmp_path):
    guard = lexical_guard(catalog(), tmp_path)
    assert found(guard, "Дарт Вейдер в московском метро") == {"vader"}


def test_when_a_katakana_text_has_another_frame_then_nothing_is_found(tmp_path):
    guard = lexical_guard(catalog(), tmp_path)
    assert found(guard, "キャットフードを買う") == set()


def test_when_the_frame_is_too_short_then_the_name_is_not_indexed():
    short = variant("eevee", "Eevee")
    assert all(consonants(f) < MIN_CONSONANTS for f in spelled_frames(short.name))
    assert len(ByEarIndex([short])) == 0


def test_when_two_entries_share_a_frame_then_neither_is_found_by_it():
    index = ByEarIndex([variant("a", "Catbus"), variant("b", "Kitbos")])
    assert index.find("キャットバス") == []


def test_when_entries_share_a_frame_under_one_name_then_each_is_found_by_it():
    # A 40,000-character catalog registers a character's costumes as entries of the same name.
    index = ByEarIndex([variant("cloud", "Cloud Strife"), variant("cloud-dress", "Cloud Strife")])
    hits = index.find("クラウド・ストライフが大剣を構える")
    assert {h.variant.entity for h in hits} == {"cloud", "cloud-dress"}


def test_when_names_share_a_frame_then_the_katakana_vowels_pick_the_one_clearly_meant():
    names = [variant(e, e.capitalize()) for e in ("batman", "batwoman", "betamon", "botamon")]
    # バットマン read bare (the o Japanese adds after t dropped) is "batman"; ベータモン is "betamon",
    # but one edit from Botamon too close to pick either.
    assert by_vowels("バットマン", names).entity == "batman"
    assert by_vowels("ベータモン", names) is None
    assert bare_key("セフィロス") == "sefiros"


def test_when_names_share_a_frame_then_katakana_spelling_conventions_pick_the_english_name():
    # MKMS is Mickey Mouse's frame and Mekami Suzu's. Katakana writes "mouse" as マウス ("ou" as
    # アウ, the final e silent) and "Mickey" as ミッキー (a final -ey is the long イー): read so, the
    # name is 0 edits from ミッキーマウス read bare, and Mekami Suzu 5.
    names = [variant("mickey", "Mickey Mouse"), variant("mekami", "Mekami Suzu")]
    assert "mikimaus" in katakana_sound_keys("Mickey Mouse")
    assert by_vowels("ミッキーマウス", names).entity == "mickey"
    assert by_vowels("モコモコマスク", names) is None  # nobody's name by its vowels
    # Only at a word's end, and in words of four letters or more: "Zoe" keeps its e.
    assert "so" not in katakana_sound_keys("Zoe")


def test_when_a_frame_matches_but_the_vowels_do_not_then_it_is_no_name_heard():
    # ガルヴァーニ (Galvani) has Grubbin's frame G-R-B-N; read as katakana hears it, 4 of Grubbin's
    # 6 letters differ. ダース・ヴェイダー keeps most of Darth Vader's (3 of 9: th as s, v as b).
    index = ByEarIndex([variant("grubbin", "Grubbin"), variant("vader", "Darth Vader")])
    assert index.find("ガルヴァーニの電池の実験") == []
    assert not vowels_agree("ガルヴァーニ", "Grubbin")
    assert [h.variant.entity for h in index.find("ダース・ヴェイダーが夜の渋谷を歩く")] == ["vader"]


def test_when_dotted_katakana_words_are_ordinary_words_then_they_are_those_words():
    # スティール・カルマ is "steel karma": two loanwords, whose foreign words do not spell the name
    # "Steel Kurumi" though the vowels are near. A name made of words stays the name.
    assert vowels_agree("スティールカルマ", "Steel Kurumi")
    assert ordinary_words(["スティール", "カルマ"], "Steel Kurumi")
    index = ByEarIndex([variant("kurumi", "Steel Kurumi"), variant("peach", "Princess Peach")])
    assert index.find("スティール・カルマの写真") == []
    assert [h.variant.entity for h in index.find("プリンセス・ピーチの肖像画")] == ["peach"]
    assert not ordinary_words(["プリンセス", "ピーチ"], "Princess Peach")
    assert not ordinary_words(["クラウド", "ストライフ"], "Cloud Strife")  # not listed words


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30FC), max_size=12),
    st.text(max_size=20),
)
def test_when_any_katakana_meets_any_name_then_the_vowel_tests_answer(katakana, name):
    assert isinstance(vowels_agree(katakana, name), bool)
    words = [w for w in katakana.split("・") if w]
    assert isinstance(ordinary_words(words, name), bool)
    assert all(isinstance(k, str) for k in katakana_heard_keys(name))


def test_when_entries_write_one_name_with_other_punctuation_then_it_is_one_name_heard():
    index = ByEarIndex([variant("a", "Spider-Man"), variant("b", "Spiderman"), variant("w", "Spider-Woman")])
    hits = index.find("スパイダーマンが渋谷のビルを登る")
    assert {h.variant.entity for h in hits} == {"a", "b"}
    # A number is part of a name: "Spider-Man 2" (a sequel) is another name, and the katakana,
    # which writes no number, is neither.
    sequel = ByEarIndex([variant("a", "Spider-Man"), variant("s", "Spider-Man 2")])
    assert sequel.find("スパイダーマンが渋谷のビルを登る") == []


def test_when_a_katakana_name_shares_its_frame_then_the_guard_still_hears_it(tmp_path):
    catalog = {
        "version": 1,
        "rightsholders": [{"id": "dc", "name": {"en": "DC Comics"}, "country": "US"}],
        "characters": [
            {"id": n, "owner": "dc", "names": {"en": [n.capitalize()]}}
            for n in ("batman", "batwoman", "betamon", "botamon", "betterman")
        ],
    }
    guard = lexical_guard(catalog, tmp_path)
    assert found(guard, "バットマンが雨のビルの屋上に立っている") == {"batman"}
    assert found(guard, "トルコのバットマン県の古い橋") == set()  # the province, before 県


def test_when_a_name_is_ambiguous_a_style_or_a_romanization_then_it_takes_no_part():
    index = ByEarIndex(
        [
            variant("a", "Catbus", ambiguous=True),
            variant("b", "Printer Style", kind="style"),
            variant("c", "pi ka qiu", lang="zh-Latn"),
        ]
    )
    assert len(index) == 0


def test_when_the_window_is_an_ordinary_word_of_its_language_then_it_is_that_word():
    # プリンター (printer) is a frequent Japanese word; its frame is that of the name "Printer".
    index = ByEarIndex([variant("p", "Printer")])
    assert index.find("プリンターのインク") == []


def test_when_english_spelling_rules_apply_then_every_reading_is_a_frame():
    frames = spelled_frames("Darth Vader")
    assert heard_frame("dart veider") in frames  # Russian keeps r, th is t
    assert heard_frame("daasu beidaa") in frames  # Japanese drops r after a vowel, th is s
    assert heard_frame("kyattobasu") in spelled_frames("Catbus")  # vowels added, consonant doubled


_CONSONANTS = "bdfgkmnprstz"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CONSONANTS), min_size=1, max_size=8), st.data())
def test_when_vowels_are_added_or_a_consonant_doubled_then_the_heard_frame_is_the_same(letters, data):
    plain = "".join(letters)
    vowels = data.draw(st.lists(st.sampled_from("aeiou"), min_size=len(letters), max_size=len(letters)))
    spoken = "".join(c + v for c, v in zip(letters, vowels, strict=True))
    doubled = spoken[0] + spoken
    assert heard_frame(spoken).lstrip("^") == heard_frame(plain)
    assert heard_frame(doubled).lstrip("^") == heard_frame(plain)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_when_any_text_is_read_by_ear_then_windows_are_whole_words_inside_it(text):
    for (start, end), written, _ in windows(text):
        assert 0 <= start < end <= len(text)
        assert text[start:end] == written
    index = ByEarIndex([variant("a", "Catbus"), variant("b", "Darth Vader")])
    for hit in index.find(text):
        assert text[hit.span[0] : hit.span[1]] == hit.text


# --- names too short for a frame, heard in full in Russian ---------------------------------------


def _short_index() -> ByEarIndex:
    return ByEarIndex([variant("yoda", "Yoda"), variant("eevee", "Eevee"), variant("bowser", "Bowser")])


def test_when_a_short_name_is_written_in_cyrillic_as_heard_then_its_sound_key_finds_it():
    index = _short_index()
    for text, entity in [("Йода в болоте", "yoda"), ("Иви в снегу", "eevee"), ("Боузер на троне", "bowser")]:
        assert [h.variant.entity for h in index.find(text)] == [entity], text


def test_when_a_cyrillic_word_only_shares_the_consonants_or_is_lowercase_then_it_is_not_the_name():
    index = _short_index()
    # Ива (willow) and Ода (ode) differ by a vowel; йода in lower case is "of iodine".
    for text in ["Ива у реки", "Ода к радости", "раствор йода на столе"]:
        assert index.find(text) == [], text


def test_when_a_short_name_is_written_in_katakana_as_heard_then_its_sound_key_finds_it():
    # イーヴィー is "Eevee" as heard (the registered イーブイ spells the v as ブ and the i large);
    # katakana's long vowels are one sound: ヨーダ is "yoda".
    index = _short_index()
    assert [h.variant.entity for h in index.find("イーヴィーのぬいぐるみ")] == ["eevee"]
    assert [h.variant.entity for h in index.find("ソファの上のイーヴィー")] == ["eevee"]
    assert heard_katakana_key("ヨーダ") in sound_keys("Yoda")


def test_when_a_katakana_word_is_a_japanese_word_then_its_sound_key_is_not_read():
    # ゴク ("gulp") reads "goku", and is in wordfreq's Japanese list: a word, not the name written by ear.
    index = ByEarIndex([variant("goku", "Goku")])
    assert heard_katakana_key("ゴク") in sound_keys("Goku")
    assert index.find("ゴクと水を飲む") == []
    assert [h.variant.entity for h in index.find("ゴクーが飛ぶ")] == ["goku"]


def test_when_a_katakana_word_merely_shares_the_consonants_then_it_is_not_the_short_name():
    index = _short_index()
    for text in ["アイビーの鉢植え", "バザーの玩具"]:  # ivy (aibii), bazaar (bazaa) beside Bowser (bausa)
        assert index.find(text) == [], text


def test_when_an_english_name_is_written_in_katakana_by_its_conventions_then_it_is_heard():
    # Katakana writes "ow" as in "how" as アウ or オウ and drops an r after a vowel (バード, "bird"):
    # バウザー and ボウザー are "Bowser", as Russian's Боузер is.
    index = _short_index()
    for text in ["バウザーが城にいる", "ボウザーの玩具"]:
        assert [h.variant.entity for h in index.find(text)] == ["bowser"], text
    assert {"bausa", "bousa"} <= katakana_sound_keys("Bowser")
    assert katakana_sound_keys("Bowser") >= sound_keys("Bowser")  # the Russian reading stays


def test_when_two_entries_share_a_sound_key_then_neither_is_found_by_it():
    index = ByEarIndex([variant("a", "Yoda"), variant("b", "Ioda")])
    assert index.find("Йода в болоте") == []


def test_when_english_spelling_is_read_for_its_sound_then_russian_spellings_meet_it():
    assert heard_sound_key("Пич") in sound_keys("Peach")
    assert heard_sound_key("Луиджи") in sound_keys("Luigi")  # g before i as dzh
    assert heard_sound_key("Сефирот") in sound_keys("Sephiroth")  # ph as f, th as t


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x04FF), min_size=1, max_size=12))
def test_when_any_cyrillic_word_is_heard_then_its_key_is_plain_latin_letters(word):
    assert all("a" <= c <= "z" for c in heard_sound_key(word))


def test_when_a_short_name_registered_in_older_katakana_is_written_as_heard_then_the_guard_finds_it(tmp_path):
    catalog = {
        "version": 1,
        "rightsholders": [{"id": "tpc", "name": {"en": "The Pokémon Company"}, "country": "JP"}],
        "characters": [{"id": "eevee", "owner": "tpc", "names": {"en": ["Eevee"], "ja": ["イーブイ"]}}],
    }
    guard = lexical_guard(catalog, tmp_path)
    assert found(guard, "イーヴィーのぬいぐるみ") == {"eevee"}
    assert found(guard, "アイビーのぬいぐるみ") == set()


def test_when_a_katakana_short_name_is_one_part_of_a_dotted_full_name_then_it_is_a_person():
    # イーヴィー・ウォーカー is Evie Walker: the dot joins a first name to a family name.
    index = _short_index()
    assert index.find("イーヴィー・ウォーカーの肖像") == []
    assert [h.variant.entity for h in index.find("イーヴィーの肖像")] == ["eevee"]


def _plumbers() -> dict:
    """Two brothers of one work, each named only by a common first name, and a distinctive hero."""
    return {
        "version": 1,
        "rightsholders": [
            {"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"},
            {"id": "dc", "name": {"en": "DC Comics"}, "country": "US"},
        ],
        "works": [{"id": "mario-bros", "owner": "nintendo", "names": {"en": ["Mario Bros."]}}],
        "characters": [
            {"id": "mario", "owner": "nintendo", "work": "mario-bros", "names": {"en": ["Mario"]}},
            {"id": "luigi", "owner": "nintendo", "work": "mario-bros", "names": {"en": ["Luigi"]}},
            {"id": "kirby", "owner": "nintendo", "names": {"en": ["Kirby"]}},
            {"id": "elsa", "owner": "nintendo", "names": {"en": ["Elsa"]}},
            {"id": "batman", "owner": "dc", "names": {"en": ["Batman"]}},
        ],
    }


def test_when_a_first_name_is_written_by_ear_in_russian_beside_its_brother_then_it_counts(tmp_path):
    guard = lexical_guard(_plumbers(), tmp_path)
    decision = guard.screen_prompt("Марио и Луиджи чинят трубы в подвале")
    luigi = [f for f in decision.findings if f.entity == "luigi"]
    assert luigi and luigi[0].matcher == "by-ear"
    assert any("sibling" in s for s in luigi[0].support)


def test_when_a_first_name_is_written_by_ear_for_a_private_person_then_nothing_is_found(tmp_path):
    guard = lexical_guard(_plumbers(), tmp_path)
    private = ("Мой сосед Луиджи готовит пасту", "Луиджи, мой сосед, готовит пасту", "Джек Кирби рисует")
    for text in private:
        decision = guard.screen_prompt(text)
        assert not decision.findings, text
        assert any("common first name" in n for n in decision.notes), text


def test_when_a_first_name_written_by_ear_is_what_the_picture_shows_then_it_is_held_for_review(tmp_path):
    guard = lexical_guard(_plumbers(), tmp_path)
    # A short irregular verb ("ест", "eats") and an imperative that opens the prompt ("Нарисуй",
    # "draw", no family name of the name after it), with the name declined (Эльзу).
    for text, entity in (("Кирби ест огромный торт", "kirby"), ("Нарисуй Эльзу в ледяном дворце", "elsa")):
        decision = guard.screen_prompt(text)
        assert [f.entity for f in decision.findings] == [entity], text
        assert decision.verdict.value == "review", text


def test_when_a_famous_name_is_as_frequent_in_russian_as_a_word_then_it_is_still_heard(tmp_path):
    # Бэтмен has Zipf 3.6 in Russian, as many words do; the dictionary knows it as no word.
    guard = lexical_guard(_plumbers(), tmp_path)
    assert found(guard, "Бэтмен стоит на крыше под дождём") == {"batman"}
    assert found(guard, "Летучая мышь на крыше") == set()
