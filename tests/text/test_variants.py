"""Variants and support derived from a minimal catalog (official names and one description only)."""

from pathlib import Path

import pytest

from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions
from kyodaku.text.variants import (
    holds_cue,
    strip_cue,
    without_article,
    without_company_words,
    without_epithet,
    without_legal_form,
)

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal-catalog.yaml"


@pytest.fixture(scope="module")
def guard():
    return Guard.from_catalog(load_catalog(MINIMAL), GuardOptions(semantic=False, themes=False))


def _flagged(guard, text):
    decision = guard.screen_prompt(text)
    return {f.entity for f in decision.findings}, decision


@pytest.mark.parametrize(
    "text",
    [
        "a Ghibli-like seaside town at dusk",
        "a seaside town in Ghibli fashion",
        "ジブリっぽい雰囲気の商店街",
        "지브리 느낌의 시골 기차역",
        "吉卜力风的小镇",
        "une maison dans la forêt, style Ghibli",
        "ein Dorf am Meer im Ghibli-Stil",
        "ジブリ的な田舎の夏休み",
        "우리 강아지 사진을 지브리 애니처럼 바꿔줘",  # the cue is a suffix of another word
        "jiburi-fuu painting of a seaside town",  # romaji of ジブリ風
        "un village de pêcheurs, à la Ghibli",
        "mi perro en un campo de flores, tipo Ghibli",
        "homage to Ghibli: a seaside town at dusk",
        "ein Dorf am Meer, ghiblimäßig gemalt",  # the manner suffix -mäßig glued on
        "un village dans l'esprit de Ghibli",
        "meu irmão no traço do Ghibli",
    ],
)
def test_when_style_is_asked_with_any_cue_then_the_registered_style_is_found(guard, text):
    found, _ = _flagged(guard, text)
    assert "ghibli-style" in found


def test_when_style_name_is_an_artist_then_family_name_with_a_cue_is_found(guard):
    found, decision = _flagged(guard, "a desert bandit drawn in Toriyama style")
    assert "akira-toriyama-style" in found
    notes = [f.evidence.note for f in decision.findings if f.entity == "akira-toriyama-style"]
    assert any("family name" in (n or "") for n in notes), notes


def test_when_bare_style_name_has_no_cue_then_it_is_not_a_style_request(guard):
    found, _ = _flagged(guard, "the Studio Ghibli headquarters building in Koganei")
    assert "ghibli-style" not in found


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("スタジオジブリ風の台所", "ghibli-style"),  # 株式会社スタジオジブリ without its legal form
        ("スタジオジブリみたいな雰囲気で実家の台所を描いて", "ghibli-style"),
        ("スタジオジブリっぽい夕焼けの商店街", "ghibli-style"),
    ],
)
def test_when_style_is_asked_by_the_owners_name_without_its_legal_form_then_it_is_found(guard, text, entity):
    found, decision = _flagged(guard, text)
    assert entity in found
    hows = [f.evidence.note or "" for f in decision.findings if f.entity == entity]
    assert any("the name of its owner" in h for h in hows), hows


def test_when_the_owners_name_is_used_without_a_cue_then_it_is_no_style_request(guard):
    found, _ = _flagged(guard, "スタジオジブリの美術館の入口の写真")
    assert "ghibli-style" not in found


def test_when_owner_name_is_an_ordinary_word_then_it_is_not_derived_as_a_style_name(guard):
    # The owner "Bird Studio" would give the bare name "Bird": an ordinary word names no style.
    found, _ = _flagged(guard, "a bird style tattoo on the forearm")
    assert "akira-toriyama-style" not in found


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("寶可夢的世界地圖", "pokemon"),  # traditional form of the registered simplified name
        ("pikaqiu on a skateboard", "pikachu"),  # pinyin of 皮卡丘
        ("pi ka qiu surfing", "pikachu"),
        ("pikachyu plush toy", "pikachu"),  # Revised Romanization of 피카츄
        ("Legend of Zelda fan art", "the-legend-of-zelda"),  # without the article
        ("Kamado Tanjiro in the snow", "tanjiro-kamado"),  # family name first
        ("Tanjiro swinging a katana", "tanjiro-kamado"),  # the given name alone
        ("炭治郎が水の呼吸で鬼を斬る", "tanjiro-kamado"),  # after the family name shared with Nezuko
        ("탄지로가 제복을 입고 서 있다", "tanjiro-kamado"),  # the given part of the spaced Korean name
    ],
)
def test_when_name_is_written_in_a_derived_form_then_its_entry_is_found(guard, text, entity):
    found, _ = _flagged(guard, text)
    assert entity in found


def test_when_siblings_share_a_family_name_then_it_alone_names_neither(guard):
    found, _ = _flagged(guard, "a kamado grill on the terrace")
    assert not found & {"tanjiro-kamado", "nezuko-kamado"}
    found, _ = _flagged(guard, "Nezuko Kamado running through a moonlit forest")
    assert found & {"tanjiro-kamado", "nezuko-kamado"} == {"nezuko-kamado"}


def test_when_han_name_is_inside_a_longer_chinese_word_then_it_does_not_match(guard):
    found, _ = _flagged(guard, "超人类主义的未来城市")
    assert "superman" not in found
    found, _ = _flagged(guard, "皮卡丘在城市上空飞翔")
    assert "pikachu" in found


def test_when_chinese_name_is_also_an_ordinary_word_then_it_needs_support(guard):
    # 超人 is "superhuman" too: jieba's corpus counts it as a word of its own 166 times.
    found, decision = _flagged(guard, "马拉松比赛中的超人跑者冲过终点线")
    assert "superman" not in found
    assert any("超人" in n and "jieba" in n for n in decision.notes), decision.notes


def test_when_korean_name_takes_a_particle_then_found_but_not_inside_another_word(guard):
    found, _ = _flagged(guard, "링크가 말을 타고 달린다")
    assert "link" in found or any("링크" in n for n in _notes(guard, "링크가 말을 타고 달린다"))
    found, _ = _flagged(guard, "링크드인 프로필 사진")
    assert "link" not in found
    assert not any("링크" in n for n in _notes(guard, "링크드인 프로필 사진"))


def _notes(guard, text):
    return list(guard.screen_prompt(text).notes)


def test_when_ambiguous_name_stands_by_a_rare_word_of_its_description_then_supported(guard):
    found, decision = _flagged(guard, "Kirby inhales a whole birthday cake")
    assert "kirby" in found
    support = [s for f in decision.findings if f.entity == "kirby" for s in f.support]
    assert any("inhales" in s for s in support), support
    found, _ = _flagged(guard, "Kirby walks to the office")
    assert "kirby" not in found


def test_when_ambiguous_name_stands_by_a_sibling_of_the_same_owner_then_supported(guard):
    found, _ = _flagged(guard, "Kirby exploring the ruins of The Legend of Zelda")
    assert "kirby" in found
    # Without the sibling, and not as the picture's subject ("Kirby having a picnic" would be:
    # tests/matching/test_subject.py), the first name stays unsupported.
    found, _ = _flagged(guard, "a picnic with Kirby in the park")
    assert "kirby" not in found


def test_when_cue_words_wrap_a_style_name_then_they_are_stripped():
    cues = ["in the style of", "art style", "style", "風", "스타일"]
    assert strip_cue("in the style of Akira Toriyama", cues) == "Akira Toriyama"
    assert strip_cue("Studio Ghibli art style", cues) == "Studio Ghibli"
    assert strip_cue("ジブリ風", cues) == "ジブリ"
    assert strip_cue("지브리 스타일", cues) == "지브리"


def test_when_a_cue_in_letters_sits_inside_a_longer_word_then_it_is_no_cue():
    cues = ["style", "trait", "scene", "esque", "風"]
    assert strip_cue("Studio Portrait", cues) == "Studio Portrait"
    assert strip_cue("Pixar lifestyle", cues) == "Pixar lifestyle"
    assert strip_cue("Ghibli-style", cues) == "Ghibli"
    assert strip_cue("Ghibliesque", cues) == "Ghibli"  # a suffix cue is written glued
    assert not holds_cue("obscene art", "scene")
    assert holds_cue("a ghibli scene", "scene")
    assert holds_cue("ジブリ風", "風")


def test_when_an_artists_name_is_spaced_in_korean_then_its_family_part_asks_for_the_style(guard):
    found, decision = _flagged(guard, "토리야마 느낌의 사막 로봇")
    assert "akira-toriyama-style" in found
    notes = [f.evidence.note or "" for f in decision.findings if f.entity == "akira-toriyama-style"]
    assert any("by the family name" in n for n in notes), notes
    found, _ = _flagged(guard, "아키라 느낌의 사막 로봇")  # the given name says nothing of the artist
    assert "akira-toriyama-style" not in found


def test_when_owner_name_has_company_words_then_they_are_dropped():
    assert without_company_words("Studio Ghibli Inc.") == "Ghibli"
    assert without_company_words("株式会社スタジオジブリ") == "ジブリ"
    assert without_company_words("Pixar Animation Studios") == "Pixar"
    assert without_legal_form("Studio Ghibli Inc.") == "Studio Ghibli"
    assert without_legal_form("株式会社スタジオジブリ") == "スタジオジブリ"
    assert without_legal_form("ウォルト・ディズニー・カンパニー") == "ウォルト・ディズニー"
    assert without_legal_form("The Walt Disney Company") == "Walt Disney"
    assert without_legal_form("Nintendo Co., Ltd.") == "Nintendo"
    assert without_legal_form("Inc.") == "Inc."  # nothing would be left
    assert without_article("The Legend of Zelda") == "Legend of Zelda"
    assert without_article("The Batman") is None  # nothing but the name would be left


def test_when_a_derived_single_name_is_an_ordinary_word_then_it_is_not_used(guard):
    # "Cat" and "Bus" of "Cat Bus" would name the entry in any prompt about a cat on a bus.
    found, _ = _flagged(guard, "an orange tabby cat riding a city bus")
    assert "catbus" not in found


def test_when_a_derived_name_is_ambiguous_then_registered_kana_names_keep_their_verdict(guard):
    # The kana twin of an ambiguous Latin name inherits its ambiguity, but only of a registered one.
    found, _ = _flagged(guard, "ネコバスが夜の田んぼの上を走る")
    assert "catbus" in found


def test_when_a_work_has_one_character_then_no_family_name_is_guessed():
    from kyodaku.registry.catalog import load_catalog as load
    from kyodaku.text.variants import shared_family_names

    families = shared_family_names(load(MINIMAL).entities)
    assert families.get("demon-slayer") == frozenset({"竈門"})
    assert all(len(prefix) >= 2 for names in families.values() for prefix in names)
    assert "pokemon" not in families  # one Han name per character, no shared prefix


def test_when_a_bare_style_name_is_frequent_in_chinese_then_it_still_counts_beside_a_cue(tmp_path):
    import yaml

    catalog = {
        "version": 1,
        "rightsholders": [{"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"}],
        "styles": [
            {
                "id": "disney-style",
                "owner": "disney",
                "names": {"en": ["Disney animation style"], "zh": ["迪士尼风格"]},
                "description": {"en": "Classic hand-drawn fairy-tale animation."},
            }
        ],
    }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    guard = Guard.from_catalog(load_catalog(path), GuardOptions(semantic=False, themes=False))
    assert "disney-style" in _flagged(guard, "迪士尼动画那种感觉的小鹿")[0]
    assert "disney-style" not in _flagged(guard, "迪士尼乐园的门票")[0]  # a ticket to the park: no cue


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("Sonic the Hedgehog", "Sonic"),
        ("ソニック・ザ・ヘッジホッグ", "ソニック"),
        ("소닉 더 헤지혹", "소닉"),
        ("The Legend of Zelda", None),
        ("Attack on Titan", None),
    ],
)
def test_when_a_name_has_an_epithet_then_the_bare_name_is_derived(name, bare):
    assert without_epithet(name) == bare


# --- shortened titles ----------------------------------------------------------------------------


def test_when_a_title_has_an_ampersand_then_it_is_also_derived_written_out():
    from kyodaku.text.variants import shortened_titles

    forms = dict(shortened_titles("Mickey Mouse & Friends"))
    assert "Mickey Mouse and Friends" in forms
    assert "Mickey and Friends" in forms


@pytest.mark.parametrize(
    "title", ["The Legend of Zelda", "My Neighbor Totoro", "Star Wars", "Sonic the Hedgehog series"]
)
def test_when_a_title_is_short_or_its_word_follows_a_function_word_then_none_is_left_out(
    title,
):
    from kyodaku.text.variants import shortened_titles

    assert shortened_titles(title) == []


def test_when_a_work_is_shortened_by_an_inner_word_then_the_guard_finds_the_short_title(tmp_path):
    from helpers.guards import found, lexical_guard

    catalog = {
        "version": 1,
        "rightsholders": [{"id": "disney", "name": {"en": "The Walt Disney Company"}, "country": "US"}],
        "works": [{"id": "friends", "owner": "disney", "names": {"en": ["Mickey Mouse & Friends"]}}],
    }
    guard = lexical_guard(catalog, tmp_path)
    assert found(guard, "Mickey and Friends beach party") == {"friends"}
    assert found(guard, "Mickey Mouse and Friends") == {"friends"}


# --- katakana plurals --------------------------------------------------------------------------


def _work(names: dict[str, list[str]]):
    from kyodaku.domain.model import Entity, EntityKind

    return Entity(id="w", kind=EntityKind.WORK, owner="o", names=names)


def test_when_a_katakana_title_carries_the_english_plural_then_its_singular_is_derived():
    from kyodaku.text.variants import derive_names

    work = _work({"en": ["Sanrio characters"], "ja": ["サンリオキャラクターズ"]})
    forms = {d.name: d.how for d in derive_names(work, None, [])}
    assert "サンリオキャラクター" in forms and "plural" in forms["サンリオキャラクター"]


def test_when_the_english_title_is_no_plural_then_a_final_zu_stays():
    from kyodaku.text.variants import derive_names

    work = _work({"en": ["Kimetsu Jazz"], "ja": ["キメツジャズ"]})
    assert "キメツジャ" not in {d.name for d in derive_names(work, None, [])}


def test_when_both_chinese_scripts_read_alike_then_the_pinyin_names_the_registered_form_first():
    from kyodaku.domain.model import Entity, EntityKind
    from kyodaku.text.variants import derive_names

    entity = Entity(id="c", kind=EntityKind.CHARACTER, owner="o", names={"zh": ["龍貓"]})
    pinyins = [d.how for d in derive_names(entity, None, []) if d.lang == "zh-Latn"]
    assert pinyins[0] == "pinyin of 龍貓"


# --- readings of names written in kana and kanji -------------------------------------------------


def test_when_a_japanese_name_mixes_kana_and_kanji_then_its_reading_is_derived():
    from kyodaku.text.variants import kanji_reading

    assert kanji_reading("ゼルダ姫") == "ぜるだひめ"
    assert kanji_reading("ハウルの動く城") == "はうるのうごくしろ"
    # All kanji (a proper name the dictionary may read wrong) or all kana: nothing to derive.
    assert kanji_reading("孫悟空") == ""
    assert kanji_reading("トトロ") == ""


def test_when_a_name_with_kanji_is_written_in_romaji_or_hiragana_then_the_guard_finds_it(tmp_path):
    from helpers.guards import found, lexical_guard

    catalog = {
        "version": 1,
        "rightsholders": [{"id": "nintendo", "name": {"en": "Nintendo Co., Ltd."}, "country": "JP"}],
        "characters": [
            {"id": "zelda", "owner": "nintendo", "names": {"en": ["Princess Zelda"], "ja": ["ゼルダ姫"]}}
        ],
    }
    guard = lexical_guard(catalog, tmp_path)
    assert found(guard, "Zeruda-hime praying in a forest temple") == {"zelda"}
    assert found(guard, "ぜるだひめが神殿でいのる") == {"zelda"}
    evidence = guard.screen_prompt("Zeruda-hime praying").findings[0].evidence
    assert evidence.note == "derived: reading of ゼルダ姫"
