"""Names that are also places: Batman is a province of Türkiye, and "the Batman river valley in
south-eastern Turkey" or "der Bahnhof von Batman in der Türkei" is about the place.

Why a gazetteer and not a guess: a character's name is a place only where a real place has that
name, and ISO 3166-2 (the `pycountry` package, maintained with the standard) lists every country's
first-level subdivisions. A registered name that is one of them is read as the place when the
prompt also names the country it lies in (in any of the languages pycountry's translations cover),
or when a word for a landform or an administrative unit follows it ("Batman river", "Batman
Province"). Elsewhere ("Batman on a rooftop") it stays the character's name. A name that is no
subdivision is never affected, so "Pikachu in Japan" is Pikachu.

Other scripts write a foreign place by sound, as they write a foreign character's name: the
province is バットマン in Japanese, 배트맨 in Korean and Батман in Russian, the very forms a catalog
registers for the character. A one-word katakana, Hangul or Cyrillic name is the province when its
consonant frame (text/by_ear.py: バットマン "battoman" is B-T-M-N, as "Batman" is) is one a
subdivision's name is heard as, with four consonants or more, and the prompt names that
subdivision's country ("トルコのバットマン川", "город Батман в Турции"). A translated name (蝙蝠侠,
"bat hero") keeps no frame of the place and is never read so. Russian declines a country's name
("в Турции", "in Turkey"), so a Cyrillic country name counts with a case ending.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

# The languages of the style-cue lexicon, as pycountry's translation catalogues name them, and
# those of the alphabets names are read by ear in (text/alphabets.py: Greek, Hebrew, Arabic).
_LANGUAGES = (
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "pt_BR",
    "nl",
    "ru",
    "ja",
    "zh_CN",
    "zh_TW",
    "ko",
    "el",
    "he",
    "ar",
)

# English names people still write where ISO 3166 adopted another (its names are the English
# ones, and pycountry has no English catalogue to translate them back).
_FORMER_ENGLISH = {
    "TR": ("Turkey", "터키"),  # and Korean: 튀르키예 since 2022, 터키 before and still in use
    "CZ": ("Czech Republic",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "MM": ("Burma",),
    "CV": ("Cape Verde",),
    "CI": ("Ivory Coast",),
    "TL": ("East Timor",),
}

# Words for a landform or an administrative unit that follow a place's name in the Latin-script
# languages: "Batman river", "Batman Province". Where the generic word comes first ("río Batman",
# "the city of Batman") it is matching/text.py's `_PLACE_BEFORE`. Turkish, written in Latin letters
# and the language of the country with most such provinces in a catalog of Western and Japanese
# names, puts the generic after the name in its possessive form ("Batman ili", the province of
# Batman; "Batman nehri", its river), capitalised or not (İli: Turkish dotted capital I).
_AFTER = re.compile(
    r"[ \t]+(?:river|valley|province|district|county|region|prefecture|dam|airport|basin|plain|gorge|"
    r"fluss|tal|provinz|bezirk|rivière|vallée|région|río|valle|provincia|región|fiume|regione|"
    r"rio|vale|região|"
    r"[iİ]li|[iİ]lçesi|nehri|vadisi|barajı|havalimanı|ovası)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def subdivisions() -> dict[str, frozenset[str]]:
    """Casefolded subdivision name -> the countries (alpha-2) that have one so named."""
    import pycountry

    out: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None):
            continue  # first-level units only: provinces, states, prefectures
        out.setdefault(sub.name.casefold(), set()).add(sub.country_code)
    return {name: frozenset(codes) for name, codes in out.items()}


@lru_cache(maxsize=256)
def country_names(code: str) -> tuple[str, ...]:
    """The country's names, casefolded: ISO's English ones, former English ones, and translations."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return ()
    english = [country.name, *(getattr(country, a, "") for a in ("common_name", "official_name"))]
    names = {n for n in english if n} | set(_FORMER_ENGLISH.get(code, ()))
    for lang in _LANGUAGES:
        try:
            catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        names.update(catalogue.gettext(n) for n in english if n)
    return tuple(sorted({n.casefold() for n in names if n}, key=len, reverse=True))


# The generic word of a named geographic feature or street, written after its name and, like it,
# capitalised: "the Naruto Strait", "Link River", "Peach Springs", "Kirby Road". English writes a
# feature's proper name so; a character is never followed by a capitalised generic of geography.
# Not the words a fan's scene or a game's level is named with (Castle, Island, Land, World, Forest,
# Park, Kingdom, City, Zone): "Peach Castle", "Yoshi's Island", "Kirby's Dream Land" are the works'.
_FEATURE_AFTER = re.compile(
    r"[ \t]+(?:Strait|Straits|River|Valley|Bay|Lake|Lakes|Gulf|Channel|Canyon|Creek|Falls|Springs|Gorge|"
    r"Peninsula|Glacier|Fjord|Estuary|Delta|Dam|Reservoir|Harbour|Harbor|Road|Street|Avenue|Boulevard|Lane|"
    r"Bridge|Airport)\b"
)


def named_feature(text: str, span: tuple[int, int]) -> bool:
    """The name at `span`, capitalised, is the first word of a named geographic feature or street:
    a capitalised generic word of geography follows it ("the Naruto Strait whirlpools", "Link River
    in Oregon"). Unlike `place_named` this needs no gazetteer: the capitalised generic after the
    name is the English form of a toponym whatever the place, and "the Naruto strait" or "Batman
    on a bridge" (lower case, or not right after) stays the name, as it does in a prompt in title
    case (`_NEXT_WORD`)."""
    written = text[span[0] : span[1]]
    if not written or not written[0].isupper():
        return False
    m = _FEATURE_AFTER.match(text, span[1])
    if m is None:
        return False
    nxt = _NEXT_WORD.match(text, m.end())
    return nxt is None or not nxt.group(1)[0].isupper()


# The word after the generic. Capitalised too, the prompt is in title case ("Batman Bridge Jump
# Comic Poster"), where capitals say nothing, or the generic is part of a longer name.
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")


# Turkish writes a proper noun's case ending after an apostrophe; the locative and the ablative
# ("Batman'da", in Batman; "Batman'dan", from Batman; with -ki, "Batman'daki", the one in Batman)
# of a Turkish province's name, in Turkish, are about the place.
_TURKISH_IN_FROM = re.compile(r"['’](?:da|de|ta|te)(?:n|ki)?(?![^\W\d_])")


def place_named(text: str, span: tuple[int, int]) -> bool:
    """The name at `span` is a first-level subdivision of a country, and the prompt reads it as
    that place: the country is named too, or a landform or administrative word follows. Written
    in katakana, Hangul or Cyrillic, the name is the subdivision it sounds like (`heard_subdivision`),
    and only the country named counts."""
    written = text[span[0] : span[1]]
    codes = subdivisions().get(written.casefold())
    if codes:
        if _AFTER.match(text, span[1]) or ("TR" in codes and _TURKISH_IN_FROM.match(text, span[1])):
            return True
    else:
        codes = heard_subdivision(written)
        if not codes:
            return False
    folded = text.casefold()
    return any(_contains(folded, name) for code in codes for name in country_names(code))


_KATAKANA_WORD = re.compile(r"[\u30a1-\u30faー]+")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7af]+")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")


def _reading(word: str) -> str:
    """The romanized reading of one katakana, Hangul or Cyrillic word ("" for any other text):
    Hepburn, Revised Romanization, the skeleton's reading of Cyrillic."""
    if _KATAKANA_WORD.fullmatch(word) or _CYRILLIC_WORD.fullmatch(word):
        from kyodaku.text.by_ear import romanized

        return romanized(word)
    if _HANGUL_WORD.fullmatch(word):
        from kyodaku.text.variants import hangul_romanization

        return hangul_romanization(word) or ""
    from kyodaku.text.alphabets import readings  # Greek, Hebrew, Arabic (μπ is b: Μπάτμαν)

    return next(iter(readings(word)), "") if " " not in word else ""


@lru_cache(maxsize=1)
def _heard_index() -> dict[str, frozenset[str]]:
    """Consonant frame (four consonants or more) -> the countries with a subdivision heard so."""
    from kyodaku.text.by_ear import MIN_CONSONANTS, consonants, spelled_frames

    out: dict[str, set[str]] = {}
    for name, codes in subdivisions().items():
        for frame in spelled_frames(name):
            if consonants(frame) >= MIN_CONSONANTS:
                out.setdefault(frame, set()).update(codes)
    return {frame: frozenset(codes) for frame, codes in out.items()}


@lru_cache(maxsize=4096)
def heard_subdivision(word: str) -> frozenset[str]:
    """The countries (alpha-2) with a first-level subdivision that the katakana, Hangul or Cyrillic
    `word` writes by sound (バットマン, 배트맨, Батман: Batman, TR); empty for other text and for
    frames of fewer than four consonants, which too many places share."""
    reading = _reading(word)
    if not reading:
        return frozenset()
    from kyodaku.text.by_ear import heard_frame

    return _heard_index().get(heard_frame(reading), frozenset())


# Russian case endings on a country's name: Турция, в Турции, Турцию, Турцией.
_RUSSIAN_CASE = re.compile(r"(?:ией|ию|ии|ой|ей|ом|ем|ою|ею|а|я|ы|и|е|у|ю)?")


@lru_cache(maxsize=4096)
def _declined(name: str) -> re.Pattern[str]:
    """A Cyrillic country name with any case ending on its last word ("турция" -> турц + ия, ии ...)."""
    stem = name[:-2] if name.endswith("ия") else name[:-1] if name[-1] in "аяьй" else name
    return re.compile(r"(?<!\w)" + re.escape(stem) + _RUSSIAN_CASE.pattern + r"(?!\w)")


def _contains(text: str, name: str) -> bool:
    if len(name) >= 4 and _CYRILLIC_WORD.fullmatch(name[-1]):
        return _declined(name).search(text) is not None
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        if name[0] >= "\u3000" or (  # CJK and Hangul names need no word boundary
            (at == 0 or not text[at - 1].isalpha()) and (end == len(text) or not text[end].isalpha())
        ):
            return True
        at = text.find(name, at + 1)
    return False
