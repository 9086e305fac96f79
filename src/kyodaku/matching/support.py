"""What supports reading an ambiguous name as the registered entry, and what overlapping findings
add nothing.

Support comes from these places: words registered as context of the entry's group (its own
context words, its work's, the distinctive names of its siblings: "Bowser" supports "Mario"); a
sibling from the same work named beside it, even by a first name of its own ("Mario und Luigi":
two Italian first names are each weak, a plumber pair from one work together is not); a phrase
of ordinary words written as a title ("One Piece", not "one piece swimsuit"); a
disguised spelling (nobody writes the ordinary word "cloud" as "C1oud"); a tag site's bracket
after the name that names its work ("elsa_(frozen)", "link (zelda)", "mario_(series)":
text/tag_qualifier.py); and the prompt's agreement with the entry's description (the semantic
matcher found it, or the prompt reaches the description's own calibrated threshold).

A name that reads as part of a person's full name ("Mario Draghi", "Jack Kirby") gets no
support from siblings: two people's names side by side are just two people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from kyodaku.domain.findings import Finding
from kyodaku.domain.model import Entity, EntityKind
from kyodaku.matching.subject import first_name_sense
from kyodaku.snapshot import CONTEXT_WORD, Snapshot, style_cue_before, support_groups
from kyodaku.text.alias import AliasHit, NameVariant
from kyodaku.text.ambiguity import (
    FIRST_NAME_REASON,
    FORCED_REASON,
    PHRASE_REASON,
    TRANSLITERATION_REASON,
    in_dictionary,
    is_common_word,
    zipf,
)
from kyodaku.text.semantic import EncodedQuery
from kyodaku.text.surface import (
    capitalised_mid_sentence,
    disguised,
    hiragana_grammar,
    in_cyrillic,
    person_name_part,
    pet_name_use,
    script_word_use,
    written_as_title,
)
from kyodaku.text.tag_qualifier import GENERIC_QUALIFIERS, names_the_work, qualifier_after
from kyodaku.text.titles import TITLES


def support_for(
    snapshot: Snapshot,
    hit: AliasHit,
    context_hits: list[AliasHit],
    described: dict[str, list[tuple[int, int]]],
    query: EncodedQuery | None,
    margin: float,
    others: Sequence[AliasHit] = (),
    text: str | None = None,
) -> list[str]:
    """Why an ambiguous name may be read as the registered entry (empty: it may not).

    Never from the name itself: a name embeds close to its own description, so semantic support
    is judged on the clauses of the prompt that do not contain the name (and a description found
    only in a segment that is little more than the name does not count)."""
    entity = snapshot.entities.get(hit.variant.entity)
    groups = support_groups(entity) if entity else {hit.variant.entity}
    near = _needs_near_context(hit)
    # A name met as a few hiragana of Japanese grammar (いる, から) is no chance of its own: a name
    # of its group elsewhere in the prompt says nothing about it (text/surface.py
    # `hiragana_grammar`); "ピカチュウが森で遊んでいる" is no Liru.
    grammar = hiragana_grammar(hit.text, hit.variant.name)
    support = [
        f"context: {c.text}"
        for c in context_hits
        if not grammar
        and c.variant.entity in groups
        and (c.span[1] <= hit.span[0] or c.span[0] >= hit.span[1])
        and (not near or text is None or _same_clause(text, hit.span, c.span))
    ]
    if not grammar:
        support.extend(_siblings(snapshot, hit, others, text))
    if entity is not None and entity.kind is EntityKind.STYLE and text is not None:
        cue = style_cue_before(text, hit.span)  # "под Дисней", "a lo Disney": a cue there only
        if cue:
            support.append(f'style cue: "{cue}" right before it')
    if _ordinary_phrase(hit.variant) and written_as_title(hit.text):
        support.append(f'written as a name: "{hit.text}"')
    if (
        entity is not None
        and entity.kind is EntityKind.WORK
        and text is not None
        and capitalised_mid_sentence(text, hit.span)
    ):
        # A work titled with one ordinary word ("Frozen") is written as a title: capitalised where
        # English capitalises only proper nouns. Not for characters: any person's name is.
        support.append(f'written as a title: "{hit.text}" capitalised mid-sentence')
    pet = text is not None and pet_name_use(text, hit.span)  # "моего кота по кличке Соник"
    if disguised(hit.text, hit.variant.name) and not _first_name_in_cyrillic(hit) and not pet:
        support.append(f'disguised spelling "{hit.text}": ordinary words are not disguised')
    if entity is not None and text is not None:
        qualified = _tag_qualifier(snapshot, entity, text, hit.span)
        if qualified:
            support.append(qualified)
    if entity is not None and text is not None:
        description = entity.description.get("en", "")
        title = described_title(description, text, hit.span)
        if title:
            support.append(f'title: "{title}" before it is what its description calls it')
        pair = description_pair(description, _without(text, hit.span))
        if pair:
            support.append(f"description: {', '.join(pair)} (words of its own description, together)")
    if any(_beyond(span, hit.span, query) for g in groups for span in described.get(g, ())):
        support.append("semantic: the prompt describes this entry")
    elif query is not None and snapshot.match.semantic is not None:
        # Only the prompt's segments (clauses) that do not contain the name: no second encoding.
        best = snapshot.match.semantic.best_margin(query, groups, outside=hit.span)
        if best is not None and best >= -margin:
            support.append(f"semantic: the rest of the prompt fits the description (margin {best:+.3f})")
    return support


def own_description_support(
    entity: Entity, hit: AliasHit, context_hits: list[AliasHit], text: str
) -> list[str]:
    """Support from the entry's own description alone: its distinctive words elsewhere in the
    prompt, or two of its concrete words together. What a derived name that is an ordinary word
    ("Cloud" of Cloud Strife) may stand on: never a sibling, a work or a neighbouring name, which
    made "Hello" of Hello Kitty and "Son" of Son Goku read as the characters when tried."""
    words = [
        c.text
        for c in context_hits
        if c.variant.entity == entity.id
        and c.variant.ambiguity_reason == CONTEXT_WORD
        and (c.span[1] <= hit.span[0] or c.span[0] >= hit.span[1])
    ]
    pair = description_pair(entity.description.get("en", ""), _without(text, hit.span))
    if not words and not pair:
        return []
    return [f"description: {', '.join(words or pair)} (words of its own description)"]


def _ordinary_phrase(variant: NameVariant) -> bool:
    """A name ambiguous as a phrase of ordinary words: found so ("one piece"), or marked ambiguous
    by the catalog and made of dictionary words ("Demon Slayer": "a demon slayer knight"). Written
    as a title, such a phrase is a name; the catalog's mark says it is a phrase, not why else."""
    reason = variant.ambiguity_reason
    if reason != FORCED_REASON:
        return reason == PHRASE_REASON
    words = variant.name.casefold().split()
    return len(words) > 1 and all(w.isascii() and in_dictionary(w) for w in words)


def _siblings(snapshot: Snapshot, hit: AliasHit, others: Sequence[AliasHit], text: str | None) -> list[str]:
    """Other entries of the same work named elsewhere in the prompt, by first names.

    Two first names of one work side by side ("Mario and Luigi", "Anna und Elsa") support each
    other: that an ordinary prompt names two given people who happen to be a pair of one work is
    the product of two small chances. Not for names that are ordinary words: those are not
    independent chances ("red eyes, blue hair, black shirt" names Red, Blue and Black of Among
    Us; a 40,000-character catalog has works full of colours, flowers and animals; nor "mark",
    which reads as the first name Marc only after spelling folds; nor a name written as Japanese
    grammar or as a katakana or lower-case Cyrillic word, から, ピンク or руки: text/surface.py
    `hiragana_grammar`, `katakana_word_use`, `cyrillic_word_use`), and not when the name is part
    of a person's full name ("Mario Draghi and Luigi Di Maio")."""
    entity = snapshot.entities.get(hit.variant.entity)
    if entity is None or not entity.work or not _first_name_only(hit, snapshot):
        return []
    spans = [o.span for o in others if o is not hit]
    if text is not None and person_name_part(text, hit.span, spans):
        return []
    out: list[str] = []
    for other in others:
        sibling = snapshot.entities.get(other.variant.entity)
        if (
            sibling is None
            or sibling.id == entity.id
            or sibling.work != entity.work
            or not (other.span[1] <= hit.span[0] or other.span[0] >= hit.span[1])
            or (text is not None and person_name_part(text, other.span, [hit.span]))
            or not _first_name_only(other, snapshot)
            or is_common_word(other.text.casefold())
            or hiragana_grammar(other.text, other.variant.name)
            or script_word_use(other.text, other.variant.name, text or "", other.span)
        ):
            continue
        out.append(f'sibling: "{other.text}" names {sibling.id} of the same work')
    return out


def _first_name_in_cyrillic(hit: AliasHit) -> bool:
    """A first name written in Cyrillic letters (Нина, Марио, Эльза) is how Russian writes that
    first name, chosen by nobody to slip past a filter: against the 40,931 Latin names of the
    Danbooru catalog, "моя бабушка Нина" and the Italian "Марио Росси" were read as characters on
    the support of a "disguise". A name ambiguous as an English word keeps it (Соник, Линк: Russian
    writes the words "sonic" and "link" otherwise)."""
    return hit.variant.ambiguity_reason == FIRST_NAME_REASON and in_cyrillic(hit.text)


def _tag_qualifier(snapshot: Snapshot, entity: Entity, text: str, span: tuple[int, int]) -> str:
    """The tag sites' bracket after the name ("elsa_(frozen)", "mario_(series)") when it names the
    entry's work or is a generic qualifier (text/tag_qualifier.py); "" otherwise."""
    found = qualifier_after(text, span[1])
    if found is None:
        return ""
    written, key = found
    if key in GENERIC_QUALIFIERS:
        return f'written as a tag: "{written}" after it'
    work = snapshot.entities.get(entity.work) if entity.work else None
    if work is not None and names_the_work(key, (name for _, name in work.all_names())):
        return f'written as a tag: "{written}" names its work, {work.id}'
    return ""


def _needs_near_context(hit: AliasHit) -> bool:
    """A name that is a frequent ordinary word ("Red", "Blue", "White") is supported by context in
    its own clause only: "Red from Pokémon" is the trainer, but "pokemon, red eyes, white shirt"
    (a tag list) and "a Pokémon plush on a red sofa" are colours beside a franchise."""
    v = hit.variant
    reason = v.ambiguity_reason
    return (
        v.ambiguous
        and not v.by_key
        and (reason.startswith(("common word", "short name")) or reason == PHRASE_REASON)
    )


_CLAUSE_BREAK = re.compile(r"[,;|.!?\n、，。；]")


def _same_clause(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    lo, hi = (a[1], b[0]) if a[1] <= b[0] else (b[1], a[0])
    return not _CLAUSE_BREAK.search(text, lo, hi) if lo <= hi else True


def _first_name_only(hit: AliasHit, snapshot: Snapshot) -> bool:
    """The name is ambiguous only as a person's first name (or not at all), written in Latin
    letters or transliterated from one (マリオ, 마리오 for Mario)."""
    v = hit.variant
    if not v.ambiguous or v.ambiguity_reason == FIRST_NAME_REASON:
        return True
    return v.ambiguity_reason == TRANSLITERATION_REASON and first_name_sense(
        v, snapshot.entities.get(v.entity)
    )


MIN_REST_WORDS = 2


def _without(text: str, span: tuple[int, int]) -> str:
    return (text[: span[0]] + " " + text[span[1] :]).strip()


def _beyond(segment: tuple[int, int], name: tuple[int, int], query: EncodedQuery | None) -> bool:
    """A semantic finding's segment says more than the name: at least two words outside it."""
    if query is None:
        return True
    piece = query.text[segment[0] : segment[1]]
    rest = _without(piece, (max(name[0] - segment[0], 0), max(name[1] - segment[0], 0)))
    return len(rest.split()) >= MIN_REST_WORDS or (not rest.isascii() and len(rest) >= 4)


def drop_nested(findings: list[Finding]) -> list[Finding]:
    """A name inside a longer name of the same entry ("Ghibli" in "in the style of Studio Ghibli")
    adds no evidence: keep the longest lexical span per entry and region."""
    lexical = [f for f in findings if f.matcher != "semantic" and f.evidence.span]

    def inside(f: Finding) -> bool:
        a, b = f.evidence.span  # type: ignore[misc]
        return any(
            g is not f
            and g.entity == f.entity
            and g.evidence.span[0] <= a  # type: ignore[index]
            and b <= g.evidence.span[1]  # type: ignore[index]
            and (g.evidence.span != f.evidence.span or g.score > f.score)
            for g in lexical
        )

    return [f for f in findings if f not in lexical or not inside(f)]


# Words of a description too frequent to point at the entry alone (DISTINCTIVE_ZIPF: "cap",
# "shield", "sword", "boots", "cape"), or rare but shared by several works' descriptions ("spiky",
# "blond": snapshot.py SHARED_WORD_GROUPS), but still concrete: two of them beside the name are what
# the description draws ("Link in his green cap raising a shield", "Cloud with his spiky blond
# hair"). Colours, body parts and everyday verbs ("green", "hair", "holding": Zipf above
# SECONDARY_ZIPF) are in every prompt. A rarer word that is no shared one supports alone (the
# context index), so it may count in a pair too.
SECONDARY_ZIPF = 4.6
MIN_SECONDARY = 2
_EN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=4096)
def _secondary_words(description: str) -> frozenset[str]:
    return frozenset(
        w for w in _EN_WORD.findall(description.casefold()) if len(w) >= 3 and zipf(w, "en") <= SECONDARY_ZIPF
    )


def description_pair(description: str, rest: str) -> list[str]:
    """At least MIN_SECONDARY different concrete words of the entry's English description (or
    their plurals) in the rest of the prompt; empty when fewer."""
    words = _secondary_words(description)
    if not words:
        return []
    found: list[str] = []
    for w in _EN_WORD.findall(rest.casefold()):
        base = w if w in words else w[:-1] if w.endswith("s") and w[:-1] in words else None
        if base and base not in found:
            found.append(base)
    return found if len(found) >= MIN_SECONDARY else []


# A first name after a title its own description gives ("Queen Elsa", "Königin Elsa", "reine Elsa":
# "A young queen with ice magic") is that character: a private person is not introduced by a royal
# title. The title words per language are in text/titles.py.
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")


TITLE_WINDOW = 40  # characters before a name searched for a title: longer than any title word


@lru_cache(maxsize=4096)
def _description_titles(description: str) -> frozenset[str]:
    """The English title words (`TITLES`' values) a description uses."""
    english = set(TITLES.values())
    return frozenset(w for w in _EN_WORD.findall(description.casefold()) if w in english)


def described_title(description: str, text: str, span: tuple[int, int]) -> str:
    """The title right before the name (`TITLES`) when the entry's description uses its English
    word; "" otherwise. Most entries' descriptions use no title word (a tag catalog has no
    descriptions at all): they are answered before the prompt is searched, and the search looks
    only at the TITLE_WINDOW characters before the name (on a 40,000-character catalog this was
    a fifth of the time of an ordinary tag prompt, searched from its first character for every
    ambiguous name in it)."""
    titles = _description_titles(description)
    if not titles:
        return ""
    start = max(0, span[0] - TITLE_WINDOW)
    m = _WORD_BEFORE.search(text, start, span[0])
    if m is None or (m.start() == start and start > 0 and text[start - 1].isalpha()):
        return ""  # no word right before, or one longer than the window (no title is)
    english = TITLES.get(m.group(1).casefold())
    return m.group(1) if english in titles else ""
