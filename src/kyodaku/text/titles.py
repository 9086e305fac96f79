"""Titles written before a name, in the Latin-script languages of the cue lexicon and in Russian.

A title is a common noun every language has its own word for, so a character called by a title and
a name ("Princess Peach", "Captain Falcon") is called, in each language, by that language's title
and the same name: "Prinzessin Peach", "Princesse Peach", "Princesa Peach", "Principessa Peach",
"Принцесса Peach". The name half is a proper name and travels unchanged; only the title is
translated. So these forms follow from the registered English name by a rule, with no list of
any entry's localized names: see `localized_titles` (used by text/variants.py), and
`matching.support.described_title` (a title before a first name supports it).
"""

from __future__ import annotations

# English title -> its words in en, de, fr, es, it, pt, nl, ru (masculine and feminine where both).
_BY_ENGLISH: dict[str, str] = {
    "queen": "queen königin reine reina regina rainha koningin королева",
    "king": "king könig roi rey re rei koning король",
    "princess": "princess prinzessin princesse princesa principessa prinses принцесса",
    "prince": "prince prinz príncipe principe prins принц",
    "captain": "captain kapitän capitaine capitán capitano capitão kapitein капитан",
    "knight": "knight ritter chevalier caballero cavaliere cavaleiro ridder рыцарь",
    "lord": "lord лорд",
    "emperor": "emperor kaiser empereur emperador imperatore imperador keizer император",
}

TITLES: dict[str, str] = {word: english for english, words in _BY_ENGLISH.items() for word in words.split()}
"""Each title word (lower case) -> the English title it translates."""


def localized_titles(name: str) -> list[tuple[str, str]]:
    """The name with its leading English title in the other languages' words: "Princess Peach" ->
    "Prinzessin Peach", "Princesse Peach", ... (capitalised like the registered title). Nothing for
    a name without a leading title, or a title alone."""
    words = name.split()
    if len(words) < 2 or TITLES.get(words[0].casefold()) != words[0].casefold():
        return []
    english = words[0].casefold()
    rest = " ".join(words[1:])
    out = []
    for word in _BY_ENGLISH[english].split():
        if word == english:
            continue
        title = word.capitalize() if words[0][:1].isupper() else word
        out.append((f"{title} {rest}", f'"{name}" with the title "{words[0]}" as "{title}"'))
    return out
