"""Function words (articles, prepositions, conjunctions, possessives) of the big Latin-script
languages and of Russian.

Why a module of its own: two matchers ask about them for different reasons. Translated names drop
them before words are paired ("La leyenda de Zelda" ~ "The Legend of Zelda"; text/translated.py),
and the semantic matcher reads them as the mark of prose inside a tag list: "a small yellow mouse
with red cheeks" is a description, "long golden blonde hair" a feature (text/semantic.py, "Tag
lists").
"""

from __future__ import annotations

import re

_FUNCTION_WORDS = """the a an of and my your his her our to in on at for with from
    le la les l un une des du de d et mon ma mes au aux en
    el los las lo uno una del y mi mis al con
    il gli i lo uno di da e mio mia dei della delle nel
    der die das den dem des ein eine einer und von vom zum zur mein meine im
    o os as um uma do da dos das nas nos no na e meu minha
    het een van en
    о об в во на и с со из от для у к по мой моя моё мои"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+")


def has_function_word(text: str) -> bool:
    """Whether any word of `text` (letters only, case-folded) is a function word."""
    return any(w.casefold() in FUNCTION_WORDS for w in _WORD.findall(text))
