"""Russian words, told from names Russian writes in Cyrillic, by OpenCorpora's dictionary.

A Latin name may be a Russian word in romaji: "Belka" (the dog, белка "squirrel"), "Groza"
(гроза "thunderstorm"), "Ruki" (руки "hands"). Met in a Russian prompt as that word, it is the
word, whatever its case ("Белка с орехом на стволе сосны" is a squirrel), and counts as the name
only with support. Other names Russian spells in Cyrillic are no words of it (Наруто, Соник,
Бэтмен, Пикачу), or words that came from the name (супермен): those keep their reading.

The test (`native_word`): the dictionary (pymorphy3 with pymorphy3-dicts-ru, OpenCorpora) knows
the word, its likeliest reading is no proper noun (a first name, surname, place or organisation
is a name in any script), and Russian uses the word ten times as often as English uses the Latin
name (wordfreq): белка 4.1 against "belka" 1.8, where супермен (3.3) comes from "superman" (3.9),
линк (3.2) from "link" (5.0), and йода ("of iodine", 3.3) is as common as "Yoda" (3.1). Frequency
alone could not tell белка (4.1) from Наруто (4.0), no Russian word."""

from __future__ import annotations

from functools import lru_cache

from kyodaku.text.ambiguity import zipf
from kyodaku.text.surface import in_cyrillic

PROPER_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"})
NATIVE_MARGIN = 1.0
"""Zipf: the Russian word is ten times as frequent in Russian as the name in English. Nearer, the
word and the name are alike at home (йода, "of iodine", 3.3 and "Yoda" 3.1; гибли, "perished",
3.1 and "Ghibli" 2.7), and the capitalised word stays the name."""


@lru_cache(maxsize=1)
def _analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _likeliest(word: str):
    """The dictionary's likeliest reading (a pymorphy3 Parse) of a Cyrillic word it knows, else None."""
    low = word.casefold()
    if not in_cyrillic(low):
        return None
    analyzer = _analyzer()
    return analyzer.parse(low)[0] if analyzer.word_is_known(low) else None


@lru_cache(maxsize=50_000)
def dictionary_word(word: str) -> bool:
    """The dictionary knows the Cyrillic word, and its likeliest reading is no proper noun."""
    best = _likeliest(word)
    return best is not None and not (PROPER_TAGS & set(best.tag.grammemes))


@lru_cache(maxsize=50_000)
def finite_verb(word: str) -> bool:
    """The Cyrillic word's likeliest reading in the dictionary is a finite verb (VERB: "катается",
    "спит"; not an infinitive, participle or gerund): what makes a clause a sentence."""
    best = _likeliest(word)
    return best is not None and best.tag.POS == "VERB"


def native_word(word: str, latin_name: str) -> bool:
    """The Cyrillic word is a Russian word the Latin name is a romanization of, not the name
    written in Russian: a dictionary word (`dictionary_word`) more frequent in Russian than the
    name is in English by NATIVE_MARGIN."""
    return dictionary_word(word) and more_at_home(zipf(word.casefold(), "ru"), latin_name)


def more_at_home(cyrillic_zipf: float, latin_name: str) -> bool:
    """A Cyrillic word of this Zipf frequency is NATIVE_MARGIN more frequent in its language than
    the Latin name (its letters run together) is in English."""
    name = "".join(c for c in latin_name.casefold() if c.isalnum())
    return cyrillic_zipf >= zipf(name, "en") + NATIVE_MARGIN
