"""Names that are also places: Batman is a province of Türkiye, and "the Batman river valley in
south-eastern Turkey" or "der Bahnhof von Batman in der Türkei" is about the place.

Why a gazetteer and not a guess: a character's name is a place only where a real place has that
name, and ISO 3166-2 (the `pycountry` package, maintained with the standard) lists every country's
first-level subdivisions. A registered name that is one of them is read as the place when the
prompt also names the country it lies in (in any of the languages pycountry's translations cover),
or when a word for a landform or an administrative unit follows it ("Batman river", "Batman
Province"). Elsewhere ("Batman on a rooftop") it stays the character's name. A name that is no
subdivision is never affected, so "Pikachu in Japan" is Pikachu.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

# The languages of the style-cue lexicon, as pycountry's translation catalogues name them.
_LANGUAGES = ("de", "fr", "es", "it", "pt", "pt_BR", "nl", "ru", "ja", "zh_CN", "zh_TW", "ko")

# English names people still write where ISO 3166 adopted another (its names are the English
# ones, and pycountry has no English catalogue to translate them back).
_FORMER_ENGLISH = {
    "TR": ("Turkey",),
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
# "the city of Batman") it is matching/text.py's `_PLACE_BEFORE`.
_AFTER = re.compile(
    r"[ \t]+(?:river|valley|province|district|county|region|prefecture|dam|airport|basin|plain|gorge|"
    r"fluss|tal|provinz|bezirk|rivière|vallée|région|río|valle|provincia|región|fiume|regione|"
    r"rio|vale|região)\b",
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


def place_named(text: str, span: tuple[int, int]) -> bool:
    """The name at `span` is a first-level subdivision of a country, and the prompt reads it as
    that place: the country is named too, or a landform or administrative word follows."""
    codes = subdivisions().get(text[span[0] : span[1]].casefold())
    if not codes:
        return False
    if _AFTER.match(text, span[1]):
        return True
    folded = text.casefold()
    return any(_contains(folded, name) for code in codes for name in country_names(code))


def _contains(text: str, name: str) -> bool:
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        if name[0] >= "\u3000" or (  # CJK and Hangul names need no word boundary
            (at == 0 or not text[at - 1].isalpha()) and (end == len(text) or not text[end].isalpha())
        ):
            return True
        at = text.find(name, at + 1)
    return False
