"""Name variants derived from what a rightsholder registered.

A rightsholder registers a character under its official names: "Pikachu", "ピカチュウ", "皮卡丘",
"피카츄". People write it in many more ways, and most of those ways follow from the registered
names by rules anyone can check:

* Chinese in the other script: 寶可夢 for 宝可梦 (OpenCC's tables, maintained with the Chinese
  internet's usage);
* Chinese in pinyin ("pi ka qiu") and Korean in the Revised Romanization ("pikachyu");
* Japanese person names in the other order ("Kamado Tanjiro" for "Tanjiro Kamado") and by one
  name alone ("Tanjiro", "Goku" of "Son Goku": English writes some Japanese names given name
  first and others family name first, so both halves are derived and each is classified for
  ambiguity like any name, which keeps "Son" and "Cloud" from counting alone); an artist's by the
  family name alone ("Toriyama"). In Korean, Japanese and Chinese the given name is found too:
  the part of a spaced name ("카마도 탄지로", "クラウド・ストライフ") whose reading is closest to the
  given name of the Latin name, and, for names written without a space (竈門炭治郎), what follows
  the family name that the entry shares with a sibling of its work (竈門 of 竈門禰豆子): a family
  name is what siblings have in common;
* a character's title in the other languages' words ("Prinzessin Peach", "Principessa Zelda" for
  "Princess Peach", "Princess Zelda": text/titles.py): the title is a common noun each language
  translates, the name travels unchanged;
* a title without its leading article ("Legend of Zelda"), with "&" written out, and without
  one inner word of three or more ("Mickey and Friends" for "Mickey Mouse & Friends");
* a style by its bare name: the registered style name without its style cue ("Studio Ghibli
  style" -> "Studio Ghibli" -> "Ghibli", "ジブリ風" -> "ジブリ"), and the owner's own name without
  its legal form and then without company words ("株式会社スタジオジブリ" -> "スタジオジブリ" ->
  "ジブリ", "Pixar Animation Studios" -> "Pixar"). A bare style name still counts only next
  to a style cue, in any language and order (see the snapshot's style rule);
* a style's one-word bare name with a manner suffix glued on ("Ghibliesque", "Pixaresque",
  "Disneyfied", German "pixaresk", Italian "ghibliesco"): the suffix is the style cue, written as
  part of the word, so the form counts alone (`manner_suffixed`); and a katakana bare name with a
  katakana cue written into one compound, as Japanese writes loanwords together ("ジブリスタイル",
  "ピクサーテイスト": `katakana_compounds`).

Each variant says how it was derived, so the evidence of a finding shows it ("pinyin of 皮卡丘").
Kana and romaji need no rule here: the skeleton already makes them meet. A name that mixes kana
and kanji ("ゼルダ姫") gets its reading in hiragana ("ぜるだひめ": `kanji_reading`), which the
skeleton then meets in romaji ("Zeruda-hime") and in kana. The caller classifies
the variants for ambiguity like any registered name and drops those that collide with another
entry's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise

from kyodaku.domain.model import Entity, EntityKind, Rightsholder
from kyodaku.text.titles import localized_titles

_ARTICLES = frozenset(
    ("the", "a", "an", "la", "le", "les", "l'", "el", "los", "las", "il", "lo", "gli", "i", "der", "die",
     "das", "den", "o", "os", "as")
)  # fmt: skip
# A company's legal form: what its registered name carries and no one writes in a prompt
# ("Studio Ghibli Inc." is asked for as "Studio Ghibli", "株式会社スタジオジブリ" as "スタジオジブリ").
_LEGAL_WORDS = frozenset(
    ("inc", "inc.", "co", "co.", "ltd", "ltd.", "llc", "corporation", "corp", "corp.", "company", "gmbh")
)  # fmt: skip
_LEGAL_AFFIXES = ("株式会社", "有限会社", "カンパニー", "公司", "주식회사")
# Words that name an organisation, not the studio: dropped from owner names and bare style names.
_COMPANY_WORDS = frozenset(
    ("inc", "inc.", "co", "co.", "ltd", "ltd.", "llc", "corporation", "corp", "corp.", "company", "gmbh",
     "studio", "studios", "animation", "entertainment", "pictures", "productions", "production")
)  # fmt: skip
_COMPANY_AFFIXES = (
    "株式会社", "有限会社", "スタジオ", "アニメーション", "カンパニー", "プロダクション", "工作室", "公司",
    "스튜디오",
)  # fmt: skip
_SEPARATORS = re.compile(r"[\s\-‐–—・,()（）]+")
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_HANGUL = re.compile(r"^[\uac00-\ud7af\s]+$")
_LATIN_WORD = re.compile(r"^[A-Z][a-z]+$")


@dataclass(frozen=True)
class DerivedName:
    lang: str
    name: str
    how: str
    source: str = ""  # the registered name it comes from (its ambiguity carries over); "" for owner names
    given: bool = False  # a person-like name's given name alone (Cloud, クラウド): judged with its twins


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def chinese_script_forms(name: str) -> list[tuple[str, str]]:
    """The same Chinese name in traditional and simplified characters (OpenCC)."""
    out = []
    for config, label in (("s2t", "traditional"), ("t2s", "simplified")):
        other = _opencc(config).convert(name)
        if other != name:
            out.append((other, f"{label} Chinese of {name}"))
    return out


# A Chinese name of Han words apart by a name dot (达斯·维达, "Darth Vader"), with perhaps a Latin
# letter inside one (哆啦A梦): pinyin writes the same name in syllables, the dot and the letter kept
# as a space and the letter.
_HAN_NAME = re.compile(r"^(?:[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Z](?![A-Za-z]))+$")
_NAME_DOT = re.compile(r"[\u00b7\u30fb\u2027\u2022]")


def pinyin(name: str) -> str | None:
    """Toneless pinyin, syllables apart ("pi ka qiu", "da si wei da", "duo la A meng"); None when
    the name is not Han words, perhaps apart by name dots. Without the dotted and lettered forms,
    the pinyin of a foreign name given in Chinese (most of them are dotted) was never derived."""
    parts = _NAME_DOT.split(name)
    if not all(_HAN_NAME.match(part) and not part.isascii() for part in parts):
        return None
    from pypinyin import lazy_pinyin

    return " ".join(" ".join(lazy_pinyin(part)) for part in parts)


def hangul_romanization(name: str) -> str | None:
    """Revised Romanization of Korean ("pikachyu"), word by word; None for a non-Hangul name."""
    if not _HANGUL.match(name) or not name.strip():
        return None
    from korean_romanizer.romanizer import Romanizer

    return " ".join(Romanizer(word).romanize() for word in name.split())


def _words(name: str) -> list[str]:
    return [w for w in _SEPARATORS.split(name) if w]


def without_article(name: str) -> str | None:
    words = name.split()
    if len(words) >= 3 and words[0].casefold() in _ARTICLES:
        return " ".join(words[1:])
    return None


_AMPERSAND = re.compile(r"\s*&\s*")
MIN_TITLE_WORDS, MAX_TITLE_WORDS = 3, 4
_TITLE_FUNCTION_WORDS = _ARTICLES | frozenset(
    ("of", "and", "my", "your", "his", "her", "in", "on", "at", "to", "for", "with", "from", "de", "du",
     "des", "di", "da", "do", "del", "von", "und", "et", "y", "e")
)  # fmt: skip


def shortened_titles(name: str) -> list[tuple[str, str]]:
    """A work's title as people shorten it: "&" written out ("Mickey Mouse and Friends"), and one
    inner word of a title of three or more content words left out ("Mickey and Friends", "Mickey
    Mouse Friends"): titles are retitled and abbreviated by a word, and the first and last words
    carry the name. Each form is classified for ambiguity like any name."""
    out: list[tuple[str, str]] = []
    spelled = _AMPERSAND.sub(" and ", name).strip() if "&" in name else name
    if spelled != name:
        out.append((spelled, f'"{name}" with "&" written out'))
    words = spelled.split()
    content = [i for i, w in enumerate(words) if w.casefold() not in _TITLE_FUNCTION_WORDS]
    if MIN_TITLE_WORDS <= len(content) <= MAX_TITLE_WORDS:
        for i in content[1:-1]:
            if not words[i].isalpha() or words[i - 1].casefold() in _TITLE_FUNCTION_WORDS:
                continue  # "Sonic the Hedgehog series" is not "Sonic the series"
            short = " ".join(words[:i] + words[i + 1 :])
            out.append((short, f'"{name}" without "{words[i]}"'))
    return out


# "Sonic the Hedgehog", "ソニック・ザ・ヘッジホッグ", "소닉 더 헤지혹", "Thomas the Tank Engine": a
# character called by its name and an epithet is called by the name alone.
_EPITHET = re.compile(r"^(?P<name>\S.*?)(?:\s+the\s+|・ザ・|\s+더\s+|\s+le\s+|\s+der\s+|\s+el\s+)\S", re.I)


def without_epithet(name: str) -> str | None:
    """ "Sonic the Hedgehog" -> "Sonic"; None when the name has no "the <epithet>" part. The bare
    name goes through the ambiguity detector like any other ("Sonic" is an English word too)."""
    m = _EPITHET.match(name.strip())
    if m and len(m.group("name")) >= 2 and " " not in m.group("name").strip():
        return m.group("name").strip()
    return None


def without_legal_form(name: str) -> str:
    """ "Studio Ghibli Inc." -> "Studio Ghibli", "株式会社スタジオジブリ" -> "スタジオジブリ": the name
    people use for a company, which keeps the words that say what it is (Studio, Animation) but not
    its legal form; the name itself if nothing would be left. `without_company_words` goes on to
    drop those words too ("Ghibli", "ジブリ"): both forms are written."""
    stripped = name.strip()
    for affix in _LEGAL_AFFIXES:
        if stripped.startswith(affix) and len(stripped) > len(affix):
            stripped = stripped[len(affix) :].strip(" ・")
        if stripped.endswith(affix) and len(stripped) > len(affix):
            stripped = stripped[: -len(affix)].strip(" ・")
    words = [w for w in re.split(r"[\s,]+", stripped) if w]
    kept = [w for w in words if w.casefold() not in _LEGAL_WORDS]
    while kept and kept[0].casefold() in _ARTICLES:
        kept = kept[1:]
    return " ".join(kept) if kept else name.strip()


def without_company_words(name: str) -> str:
    """ "Studio Ghibli Inc." -> "Ghibli", "株式会社スタジオジブリ" -> "ジブリ"; the name itself if nothing
    would be left."""
    stripped = name.strip()
    changed = True
    while changed:
        changed = False
        for affix in _COMPANY_AFFIXES:
            if stripped.startswith(affix) and len(stripped) > len(affix):
                stripped, changed = stripped[len(affix) :].strip(" ・"), True
            if stripped.endswith(affix) and len(stripped) > len(affix):
                stripped, changed = stripped[: -len(affix)].strip(" ・"), True
    words = [w for w in re.split(r"[\s,]+", stripped) if w]
    kept = [w for w in words if w.casefold() not in _COMPANY_WORDS]
    while kept and kept[0].casefold() in _ARTICLES:
        kept = kept[1:]
    return " ".join(kept) if kept else name.strip()


# Cues that are suffixes, glued to the name they follow ("Ghibliesque", "Pixarish", "Disney-like").
SUFFIX_CUES = frozenset(("esque", "ish", "like"))


def _alphabetic(cue: str) -> bool:
    """A cue in the Latin or Cyrillic alphabet, whose words stand apart; not Han, kana or Hangul,
    whose cues are glued to the name they follow (ジブリ風, 지브리풍)."""
    return all(ch.isspace() or ch in "-'" or (ch.isalpha() and ord(ch) < 0x0530) for ch in cue)


def _glued(cue: str) -> bool:
    return cue in SUFFIX_CUES or not _alphabetic(cue)


def holds_cue(low: str, cue: str) -> bool:
    """Whether the casefolded name `low` holds the casefolded `cue` as a word of its own ("Ghibli
    style"), or glued where the cue is written glued (ジブリ風, "Ghibliesque"): "trait" in
    "Portrait Masters" or "scene" in "Obscene Art" asks for nothing."""
    if _glued(cue):
        return cue in low
    for m in re.finditer(re.escape(cue), low):
        if not low[m.start() - 1 : m.start()].isalpha() and not low[m.end() : m.end() + 1].isalpha():
            return True
    return False


def strip_cue(name: str, cues: list[str]) -> str:
    """A style name without its style cues at either end ("Studio Ghibli style" -> "Studio Ghibli",
    "in the style of Akira Toriyama" -> "Akira Toriyama", "ジブリ風" -> "ジブリ"); a cue in letters
    only as a word of its own ("Studio Portrait" keeps its "trait")."""
    current = name.strip()
    changed = True
    while changed:
        changed = False
        for cue in cues:  # longest first
            low, c = current.casefold(), cue.casefold()
            glued = _glued(c)  # a cue in letters ends the name only as a word: "Portrait" keeps "trait"
            if low.endswith(c) and len(current) > len(cue) and (glued or not low[-len(c) - 1].isalpha()):
                current = current[: -len(cue)].rstrip(" -‐・の的")
                changed = True
            elif low.startswith(c) and len(current) > len(cue) and (glued or not low[len(c)].isalpha()):
                current = current[len(cue) :].lstrip(" -‐・")
                changed = True
    return current


_KATAKANA_PLURAL = re.compile(r"^[\u30a0-\u30ff・ー]{4,}ズ$")


def _katakana_singulars(registered: list[tuple[str, str]]) -> list[DerivedName]:
    """A katakana title that carries the English plural as ズ ("サンリオキャラクターズ" for "Sanrio
    characters") without it, as Japanese writes the loanword in running text ("サンリオキャラクターの
    ぬいぐるみ"): only when an English name of the entry ends in the plural "s" too."""
    if not any(lang == "en" and name.rstrip().endswith("s") for lang, name in registered):
        return []
    return [
        DerivedName(lang, name[:-1], f'"{name}" without the plural ズ', name)
        for lang, name in registered
        if lang.startswith("ja") and _KATAKANA_PLURAL.match(name)
    ]


def _person_like(name: str) -> tuple[str, str] | None:
    words = name.split()
    if len(words) == 2 and all(_LATIN_WORD.match(w) for w in words):
        return words[0], words[1]
    return None


def derive_names(
    entity: Entity,
    owner: Rightsholder | None,
    cues: list[str],
    families: Mapping[str, frozenset[str]] | None = None,
) -> list[DerivedName]:
    """Variants of `entity`'s registered names (see the module docstring), not yet deduplicated.
    `families`: the Han family names each work's characters share (`shared_family_names`)."""
    out: list[DerivedName] = []
    registered = entity.all_names()
    japanese = owner is not None and owner.country.upper() == "JP"
    for lang, name in registered:
        if lang.startswith("zh"):
            for other, how in chinese_script_forms(name):
                out.append(DerivedName(lang, other, how, name))
        if lang.startswith("zh"):
            # The registered form first, in a fixed order: the pinyin of both scripts is often the
            # same, and the first one derived is the one the evidence names (a set's order changed
            # with each process's string hashing).
            for form in dict.fromkeys([name, *(o for o, _ in chinese_script_forms(name))]):
                latin = pinyin(form)
                if latin:
                    out.append(DerivedName("zh-Latn", latin, f"pinyin of {form}", name))
        if lang.startswith("ko"):
            latin = hangul_romanization(name)
            if latin:
                out.append(DerivedName("ko-Latn", latin, f"romanization of {name}", name))
        short = without_article(name)
        if short:
            out.append(DerivedName(lang, short, f'"{name}" without its article', name))
        # Not a style's: its cue is read otherwise (風 "fuu" in a style, "kaze" alone, the wind).
        reading = kanji_reading(name) if lang.startswith("ja") and entity.kind is not EntityKind.STYLE else ""
        if reading:
            out.append(DerivedName(lang, reading, f"reading of {name}", name))
        if entity.kind is EntityKind.CHARACTER:
            bare = without_epithet(name)
            if bare:
                out.append(DerivedName(lang, bare, f'"{name}" without its epithet', name))
            if name.isascii():
                out.extend(DerivedName(lang, form, how, name) for form, how in localized_titles(name))
    if entity.kind is EntityKind.WORK:
        for lang, name in registered:
            for form, how in shortened_titles(name):
                out.append(DerivedName(lang, form, how, name))
        out.extend(_katakana_singulars(registered))
    if entity.kind is EntityKind.STYLE:
        out.extend(_bare_style_names(entity, owner, cues))
    elif entity.kind is EntityKind.CHARACTER and japanese:
        for lang, name in registered:
            parts = _person_like(name) if lang == "en" else None
            if parts:
                given, family = parts
                out.append(DerivedName(lang, f"{family} {given}", f'"{name}" in the other order', name))
                out.append(DerivedName(lang, given, f'"{name}" by its first name', name, given=True))
                out.append(DerivedName(lang, family, f'"{name}" by its last name', name))
        out.extend(_cjk_given_names(entity, (families or {}).get(entity.work or "", frozenset())))
    return out


def kanji_reading(name: str) -> str:
    """The hiragana reading of a Japanese name written in kana and kanji together ("ゼルダ姫" ->
    "ぜるだひめ"), so that its romaji ("Zeruda-hime") and an all-kana spelling meet it: the skeleton
    makes kana and romaji meet, but keeps a kanji as it is. Only names that mix the two: their
    kanji are ordinary words (姫 "princess", 王 "king"), which the dictionary reads right; a name
    all in kanji is a proper name, which it often reads wrong (鳥山明 as "toriyama mei", not Akira).
    A wrong reading only adds a key nobody writes; one that is an ordinary word is classified
    ambiguous and dropped with the other derived words (snapshot.py)."""
    from kyodaku.text.japanese_words import hiragana_reading
    from kyodaku.text.kana import is_kana

    if not any(_HAN.match(c) for c in name) or not any(is_kana(c) for c in name):
        return ""
    reading = hiragana_reading(name)
    return reading if reading != name and not any(_HAN.match(c) for c in reading) else ""


MIN_READING_LIKENESS = 0.6


def _cjk_given_names(entity: Entity, family_names: frozenset[str]) -> list[DerivedName]:
    """Given names of a Japanese character in Korean, Japanese and Chinese script (module docstring)."""
    givens = [p[0] for lang, n in entity.all_names() if lang == "en" and (p := _person_like(n))]
    out: list[DerivedName] = []
    for lang, name in entity.all_names():
        if not lang.startswith(("ja", "ko", "zh")):
            continue
        parts = [w for w in re.split(r"[\s・·･]+", name) if w]
        if len(parts) == 2 and givens:
            best = max(parts, key=lambda part: max(_given_likeness(part, g) for g in givens))
            if max(_given_likeness(best, g) for g in givens) >= MIN_READING_LIKENESS:
                out.append(DerivedName(lang, best, f'"{name}" by its given name', name, given=True))
        elif len(parts) == 1 and _HAN.match(name):
            for family in family_names:
                if name.startswith(family) and len(name) - len(family) >= 2:
                    given = name[len(family) :]
                    how = f'"{name}" by its given name (the family name {family} is shared with a sibling)'
                    out.append(DerivedName(lang, given, how, name))
    return out


def _reading(part: str) -> str:
    """A Latin reading of one name part, to compare with the Latin given name."""
    if _HANGUL.match(part):
        return (hangul_romanization(part) or "").replace(" ", "")
    from kyodaku.text.kana import is_kana, kana_run_to_romaji

    if all(is_kana(c) for c in part):
        return "".join(kana_run_to_romaji(part))
    return ""


def _given_likeness(part: str, given: str) -> float:
    """How well a CJK name part reads as the English given name: by spelling (a romanized
    Japanese name, "Tanjiro" / たんじろう), or, for a loanword the katakana writes by ear (クラウド for
    "Cloud": kuraudo is spelled little like cloud), 1.0 when the consonants heard are the ones the
    English spelling may be heard as (text/by_ear.py), with at least two of them."""
    from kyodaku.text.by_ear import heard_as

    reading = _reading(part)
    if reading and heard_as(reading, (given,), min_consonants=2):
        return 1.0
    return _likeness(reading, given)


def _likeness(reading: str, latin: str) -> float:
    if not reading:
        return 0.0
    return SequenceMatcher(None, reading.casefold(), latin.casefold()).ratio()


MIN_FAMILY, MIN_GIVEN = 2, 2


def shared_family_names(characters: Iterable[Entity]) -> dict[str, frozenset[str]]:
    """Per work, the Han prefixes that two or more of its characters' names share (竈門 of
    竈門炭治郎 and 竈門禰豆子): a Japanese or Chinese name has no space between family and given
    name, but siblings share the family name, and that tells where to cut."""
    names: dict[str, list[str]] = {}
    for e in characters:
        if e.work and e.kind is EntityKind.CHARACTER:
            for lang, n in e.all_names():
                if lang.startswith(("ja", "zh")) and _HAN.match(n):
                    names.setdefault(e.work, []).append(n)
    out: dict[str, frozenset[str]] = {}
    for work, group in names.items():
        found: set[str] = set()
        ordered = sorted(set(group))
        for a, b in pairwise(ordered):
            common = 0
            while common < min(len(a), len(b)) and a[common] == b[common]:
                common += 1
            if common >= MIN_FAMILY and min(len(a), len(b)) - common >= MIN_GIVEN:
                found.add(a[:common])
        if found:
            out[work] = frozenset(found)
    return out


def _bare_style_names(entity: Entity, owner: Rightsholder | None, cues: list[str]) -> list[DerivedName]:
    out: list[DerivedName] = []
    bare: list[tuple[str, str, str, str]] = []
    for lang, name in entity.all_names():
        core = strip_cue(name, cues)
        if core != name:
            bare.append((lang, core, f'"{name}" without its style cue', name))
    if owner is not None:
        for lang, name in owner.name.items():
            bare.append((lang, without_legal_form(name), f"the name of its owner, {name}", ""))
    latin = [without_company_words(core) for _, core, _, _ in bare if core.isascii()]
    for lang, core, how, source in bare:
        plain = without_company_words(core)
        for form in dict.fromkeys((core, plain)):
            out.append(DerivedName(lang, form, how, source))
            out.extend(DerivedName(lang, f, h, source) for f, h in manner_suffixed(form))
            if not _loanword_of_a_word(form, latin):
                out.extend(DerivedName(lang, f, h, source) for f, h in katakana_compounds(form, cues))
        person = _person_like(plain) if lang == "en" else None
        if person:
            given, family = person
            out.append(DerivedName(lang, f"{family} {given}", f'"{plain}" family name first', source))
            out.append(DerivedName(lang, family, f'"{plain}" by the family name', source))
            out.extend(DerivedName(lang, f, h, source) for f, h in manner_suffixed(family))
    out.extend(_cjk_family_names(bare))
    return out


def _cjk_family_names(bare: list[tuple[str, str, str, str]]) -> list[DerivedName]:
    """The family part of an artist's spaced name in Korean or Japanese script ("토리야마 아키라" ->
    "토리야마"), as the Latin name gives its family name: people ask for an artist's manner by the
    family name in every script ("토리야마 만화 같은 느낌"). Which part is the family name is read
    off the Latin name, not assumed from the order: the part that reads as its family name, and
    only when the other part does not read as it too."""
    families = [
        p[1] for lang, core, _, _ in bare if lang == "en" and (p := _person_like(without_company_words(core)))
    ]
    out: list[DerivedName] = []
    if not families:
        return out
    for lang, core, _, source in bare:
        if not lang.startswith(("ja", "ko")):
            continue
        parts = [w for w in re.split(r"[\s・·･]+", without_company_words(core)) if w]
        if len(parts) != 2:
            continue
        scores = [max(_given_likeness(part, f) for f in families) for part in parts]
        best = max(range(2), key=lambda i: scores[i])
        if scores[best] >= MIN_READING_LIKENESS and scores[1 - best] < MIN_READING_LIKENESS:
            out.append(DerivedName(lang, parts[best], f'"{core}" by the family name', source))
    return out


# Derivational suffixes that make an adjective of manner from a proper name, glued on: English
# "-esque", "-ish", "-like", "-(i)fied" ("Kafkaesque", "Disneyfied"), French "-esque", German "-esk"
# with its endings, "-artig", "-haft", "-mäßig" ("pixarmäßig"), Spanish, Italian and Portuguese
# "-esco" with theirs. Only these few: each is a cue that the word asks for the manner of the name
# it is glued to.
MANNER_SUFFIXES = (
    "esque", "esques", "ish", "like", "fied", "ified",
    "esk", "eske", "esken", "esker", "eskes", "artig", "artige", "artigen", "haft", "hafte", "haften",
    "mäßig", "mäßige", "mäßigen", "mässig", "mässige", "mässigen",
    "esco", "esca", "escos", "escas", "eschi", "esche",
)  # fmt: skip
MANNER_SUFFIX_HOW = "with a manner suffix"
"""`DerivedName.how` of a form made by `manner_suffixed`: its suffix is its style cue."""
MIN_SUFFIXED_BASE = 4


def manner_suffixed(base: str) -> list[tuple[str, str]]:
    """(form, how) for a one-word Latin style name ("Ghibli", "Pixar", "Toriyama") with each manner
    suffix glued on. People write the cue into the word ("a Ghibliesque town", "a Pixaresque
    lamp", "ein pixaresker Roboter"), where the alias matcher, which wants a word boundary after a
    name, never sees the bare name. The caller classifies each form like any derived name, so one
    that is an ordinary word is dropped. Not for a base that is a word itself: "birdlike" and
    "birdish" say nothing of Bird Studio; nor a form the dictionary lists ("vanish" of a "Van")."""
    from kyodaku.text.ambiguity import in_dictionary

    if not (base.isascii() and base.isalpha() and len(base) >= MIN_SUFFIXED_BASE) or in_dictionary(base):
        return []
    forms = ((f"{base}{suffix}", suffix) for suffix in MANNER_SUFFIXES)
    return [
        (form, f'"{base}" {MANNER_SUFFIX_HOW} -{suffix}') for form, suffix in forms if not in_dictionary(form)
    ]


_KATAKANA_WORD = re.compile(r"^[\u30a0-\u30ffー]+$")


def katakana_compounds(base: str, cues: Iterable[str]) -> list[tuple[str, str]]:
    """(form, how) for a katakana style name ("ジブリ", "ピクサー") with each katakana style cue
    written after it in one word: Japanese writes two loanwords together without a space or a dot
    ("ジブリスタイル", "ピクサーテイスト", "ジブリアニメ"), where the alias matcher, which wants a boundary
    after a short kana name, never sees the name. The cue is part of the word, as a manner suffix
    is ("Ghibliesque"), so the form counts alone."""
    if not _KATAKANA_WORD.match(base):
        return []
    return [
        (f"{base}{cue}", f'"{base}" {MANNER_SUFFIX_HOW} {cue}') for cue in cues if _KATAKANA_WORD.match(cue)
    ]


def _loanword_of_a_word(kana: str, latin_names: Iterable[str]) -> bool:
    """A katakana name that writes an English dictionary word of the entry's Latin names by sound:
    バード of Bird Studio is the loanword "bird", so "バードイラスト" is a bird illustration, not
    Akira Toriyama's style (the Latin "Bird" is dropped as an ordinary word for the same reason)."""
    from kyodaku.text.ambiguity import in_dictionary
    from kyodaku.text.by_ear import heard_as, romanized

    if not _KATAKANA_WORD.match(kana):
        return False
    words = [w for name in latin_names for w in name.split() if in_dictionary(w.casefold())]
    return bool(words) and heard_as(romanized(kana), words)
