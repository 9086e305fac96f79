"""`name_role` reads the words around a name: the frame that makes it the depicted subject, the
cues that make it a private person's name, and how it is written. Unit cases in several languages
and property-based checks (the reader never raises, and its cues behave the same for any name)."""

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kyodaku.text.subject import Frame, cues, name_role, person_cue


def _role(text, name):
    i = text.index(name)
    return name_role(text, (i, i + len(name)))


def test_when_a_depiction_noun_and_linker_precede_the_name_then_it_is_the_depicted_subject():
    for text, name in [
        ("a poster of Link", "Link"),
        ("une affiche d'Elsa", "Elsa"),
        ("un póster de Kirby", "Kirby"),
        ("ein Bild von Mario", "Mario"),
        ("uma pintura da Elsa", "Elsa"),
    ]:
        assert _role(text, name).frame is Frame.DEPICTION, text


def test_when_a_depiction_noun_follows_the_name_in_cjk_then_it_is_the_depicted_subject():
    for text, name in [
        ("マリオのイラスト", "マリオ"),
        ("마리오 그림", "마리오"),
        ("마리오의 포스터", "마리오"),
        ("一张孙悟空的海报", "孙悟空"),
        ("超人 的同人图", "超人"),
        ("マリオを描いて", "マリオ"),
    ]:
        role = _role(text, name)
        assert role.frame is Frame.DEPICTION and not role.cased, text


def test_when_the_name_opens_its_clause_and_acts_then_it_is_the_one_acting():
    for text, name in [
        ("Mario surfing at sunset", "Mario"),
        ("Kirby qui surfe", "Kirby"),
        ("Luigi surfeando al atardecer", "Luigi"),
        ("Link beim Surfen", "Link"),
        ("夕焼けの海でサーフィンをするマリオ", "マリオ"),
        ("석양에서 서핑하는 마리오", "마리오"),
        ("루이지가 손전등을 들고 있다", "루이지"),
    ]:
        assert _role(text, name).frame is Frame.ACTION, text


def test_when_a_caseless_subject_acts_on_an_object_in_its_clause_then_the_object_is_read():
    for text, name, acted_on in [
        ("リンクがマスターソードを抜く瞬間", "リンク", "マスターソードを"),
        ("リンクは光の剣を振る", "リンク", "光の剣を"),
        ("링크가 마스터 소드를 뽑는 장면", "링크", "마스터 소드를"),
    ]:
        role = _role(text, name)
        assert role.frame is Frame.ACTION and role.object_cue == acted_on, text
    for text, name in [
        ("リンクが切れる", "リンク"),  # no object
        ("リンクがあるページを開く", "リンク"),  # its own verb first: the object is another verb's
        ("リンクが切れた。ページを開く", "リンク"),  # the object is in the next sentence
        ("링크가 있는 페이지를 여는 화면", "링크"),
        ("링크가 끊어졌다", "링크"),
        ("剣士たちが屋根の上を駆け抜ける", "たち"),  # the end of another word: 剣士たち, "swordsmen"
    ]:
        assert _role(text, name).object_cue == "", text


def test_when_the_name_modifies_a_noun_or_follows_an_article_then_no_frame_is_read():
    for text, name in [
        ("a Kirby vacuum cleaner on the carpet", "Kirby"),
        ("a chain link fence in the rain", "link"),
        ("a frozen lake in Finland", "frozen"),
        ("超人类主义概念图", "超人"),
        ("リンクをクリックするボタン", "リンク"),
    ]:
        assert _role(text, name).frame is None, text


def test_when_a_relation_honorific_or_appositive_comes_with_the_name_then_it_is_a_private_person():
    for text, name in [
        ("Elsa, my grandmother, baking bread", "Elsa"),
        ("doña Elsa vendiendo empanadas", "Elsa"),
        ("Oma Elsa im Garten", "Elsa"),
        ("Mario e Luigi, due anziani pescatori", "Luigi"),
        ("Mario Draghi speaking in Brussels", "Mario"),
        ("マリオさんのイラスト", "マリオ"),
        ("우리 엘사 그림", "엘사"),
        ("马里奥先生的照片", "马里奥"),
    ]:
        i = text.index(name)
        assert person_cue(text, (i, i + len(name))), text
    assert _role("a portrait of Elsa, my grandmother", "Elsa").person
    assert not _role("a portrait of Elsa in the snow", "Elsa").person


def test_when_a_name_stands_before_a_noun_it_modifies_then_it_does_not_stand_alone():
    assert _role("a picture of Cloud computing", "Cloud").stands_alone is False
    assert _role("a picture of Link building for SEO", "Link").stands_alone is False
    assert _role("a picture of Link in the rain", "Link").stands_alone is True
    assert _role("a drawing of Link holding a sword", "Link").stands_alone is True
    assert _role("a poster of Frozen", "Frozen").stands_alone is True


def test_when_the_cue_lexicon_is_read_then_every_entry_is_a_string():
    # YAML 1.1 reads bare on/no/yes as booleans: such an entry would silently never match.
    from importlib import resources

    raw = yaml.safe_load(resources.files("kyodaku.data").joinpath("subject_cues.yaml").read_text("utf-8"))
    for section, value in raw.items():
        lists = value.values() if isinstance(value, dict) else [value]
        for words in lists:
            assert all(isinstance(w, str) for w in words), section
    assert "on" in cues().phrase_followers and "no" in cues().action_words


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=400, deadline=None)
@given(text=_TEXT, a=st.integers(0, 60), b=st.integers(0, 60))
@example(text="の", a=0, b=0)
@example(text=", ,", a=1, b=2)
def test_when_any_text_and_span_are_read_then_the_reader_returns_a_role_and_never_raises(text, a, b):
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    role = name_role(text, (start, end))
    assert (role.frame is None) == (role.cue == "")


_NAME = st.from_regex(r"[A-Z][a-z]{3,8}", fullmatch=True)
_VERB = st.sampled_from(["surf", "run", "eat", "fly", "danc", "sleep", "read"])


@settings(max_examples=200, deadline=None)
@given(name=_NAME, verb=_VERB, rest=st.sampled_from(["", " at sunset", " in the rain", ", digital art"]))
def test_when_any_name_opens_a_prompt_with_a_gerund_then_it_acts_unless_a_relation_precedes_it(
    name, verb, rest
):
    text = f"{name} {verb}ing{rest}"
    role = name_role(text, (0, len(name)))
    assert role.frame is Frame.ACTION and not role.person
    owned = f"my {text}"
    assert person_cue(owned, (3, 3 + len(name)))


@settings(max_examples=200, deadline=None)
@given(name=_NAME, noun=st.sampled_from(["poster", "drawing", "portrait", "picture"]))
def test_when_any_name_follows_a_depiction_noun_then_it_is_depicted_and_an_article_undoes_it(name, noun):
    text = f"a {noun} of {name}"
    assert name_role(text, (len(text) - len(name), len(text))).frame is Frame.DEPICTION
    with_article = f"a {noun} of a {name}"
    assert name_role(with_article, (len(with_article) - len(name), len(with_article))).frame is None


def test_when_a_cyrillic_name_opens_the_prompt_before_a_russian_verb_then_it_is_the_one_acting():
    for text, name in [("Марио прыгает через трубу", "Марио"), ("Луиджи чинил трубу", "Луиджи")]:
        role = _role(text, name)
        assert role.frame is Frame.ACTION and role.cased, text


def test_when_a_cyrillic_name_is_followed_by_a_surname_or_a_noun_phrase_then_no_actor_is_read():
    role = _role("Марио Драги выступает в Брюсселе", "Марио")
    assert role.frame is None or role.person  # a surname: somebody's full name
    assert _role("Марио на пляже", "Марио").frame is not Frame.ACTION  # a preposition, no verb


def test_when_a_word_in_s_is_written_more_often_in_ing_then_it_is_a_present_verb():
    from kyodaku.text.subject import present_verb

    for verb in ("jumps", "flies", "watches", "sits", "dances", "sleeps"):
        assert present_verb(verb), verb
    # Plurals of nouns people write more than any -ing form made from them.
    for noun in ("figures", "games", "shoes", "posters", "cufflinks", "peas", "glass"):
        assert not present_verb(noun), noun


def test_when_a_name_opens_the_prompt_before_a_present_verb_then_it_is_the_one_acting():
    for text, name in [
        ("Mario jumps over a pipe", "Mario"),
        ("Luigi walks slowly into a haunted mansion", "Luigi"),
        ("Kirby sleeps", "Kirby"),
        ("Luigi runs away from a crowd of ghosts", "Luigi"),  # an adverb closes the verb's phrase
    ]:
        role = _role(text, name)
        assert role.frame is Frame.ACTION and role.cue == text.split()[1], text
    # A plural noun after the name, or a verb followed by a noun of its own, reads no actor.
    assert _role("Mario figures on a shelf", "Mario").frame is not Frame.ACTION
    assert _role("Kirby vacuums for sale", "Kirby").frame is not Frame.ACTION


def test_when_a_lower_case_german_word_in_t_follows_the_name_then_it_is_the_one_acting():
    from kyodaku.text.subject import german_verb

    assert german_verb("schläft") and german_verb("fliegt")
    assert not german_verb("test") and not german_verb("Bett")  # an English word; a noun
    role = _role("Kirby schläft auf einer rosa Wolke", "Kirby")
    assert role.frame is Frame.ACTION and role.cue == "schläft"


def test_when_a_romance_word_follows_the_name_before_a_preposition_then_it_is_the_one_acting():
    from kyodaku.text.subject import romance_verb

    assert romance_verb("saute") and romance_verb("camina")
    assert not romance_verb("sobre") and not romance_verb("table")  # a preposition; an English word
    for text, name in [("Mario saute sur un champignon", "Mario"), ("Luigi corre nel bosco", "Luigi")]:
        role = _role(text, name)
        assert role.frame is Frame.ACTION and role.cue == text.split()[1], text


def test_when_a_romance_gerund_follows_the_name_then_it_stays_a_gerund_not_a_present_verb():
    from kyodaku.text.subject import present_tense_verb

    # "Sonic corriendo por las calles": a gerund, which an ordinary-word name acts with as before.
    assert not present_tense_verb("corriendo") and not present_tense_verb("surfeando")
    assert present_tense_verb("corre")
