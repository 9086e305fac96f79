"""Compile a registry version into an immutable screening snapshot.

Snapshot, then serve: the registry is the system of record, the guard reads a
compiled, read-only snapshot (name automaton, fuzzy index, context index,
description embeddings, permissions) that is swapped in whole when the registry
changes. Requests in flight keep the snapshot they started with.

The matching part depends only on the entries, the policy part only on the
permissions; a permission change therefore rebuilds only the (cheap) policy
part, which is what makes "permission added -> next request obeys it" fast.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import yaml

from kyodaku.domain.model import Catalog, Entity, EntityKind, Rightsholder
from kyodaku.media.bank import ReferenceBank
from kyodaku.policy.engine import PolicyEngine
from kyodaku.text.alias import STYLE_CUE, AliasIndex, NameVariant, name_splits
from kyodaku.text.ambiguity import (
    BARE_STYLE_REASON,
    COMMON_WORD_ZIPF,
    PHRASE_REASON,
    TRANSLITERATION_REASON,
    AmbiguityVerdict,
    classify,
    distinctive_words,
    entity_ambiguities,
    transliterates,
    zipf,
)
from kyodaku.text.by_sound import BySoundIndex
from kyodaku.text.fuzzy import FuzzyIndex
from kyodaku.text.homophones import HomophoneIndex
from kyodaku.text.lookalikes import LookalikeIndex
from kyodaku.text.semantic import SemanticIndex
from kyodaku.text.surface import katakana_name
from kyodaku.text.translated import TranslatedNameIndex
from kyodaku.text.variants import (
    MANNER_SUFFIX_HOW,
    DerivedName,
    derive_names,
    holds_cue,
    shared_family_names,
)


@dataclass(frozen=True)
class MatchIndex:
    """Everything derived from the entries (not the permissions)."""

    digest: str
    aliases: AliasIndex
    fuzzy: FuzzyIndex
    context: AliasIndex
    semantic: SemanticIndex | None  # built only when semantic matching is enabled
    build_seconds: float
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    # Names translated word by word ("Homem-Aranha"); built with the semantic index's encoder.
    translations: TranslatedNameIndex | None = None
    # Han names by their pinyin, for homophone misspellings ("皮卡秋").
    homophones: HomophoneIndex | None = None
    # Katakana names by the shapes of their letters, for look-alike letters ("スパイダーマソ").
    lookalikes: LookalikeIndex | None = None
    # Distinctive Latin names by their sound keys, for names spelled as heard ("Peekachoo").
    by_sound: BySoundIndex | None = None
    # Each rightsholder's registered styles (matching/style_of_work.py).
    styles_by_owner: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    version: int
    digest: str
    entities: dict[str, Entity]
    rightsholders: dict[str, Rightsholder]
    match: MatchIndex
    policy: PolicyEngine
    catalog: Catalog
    # The reference hashes of this registry version (empty without references).
    media: ReferenceBank = field(default_factory=ReferenceBank.empty)

    @property
    def label(self) -> str:
        return f"v{self.version}:{self.digest[:12]}"


def entities_digest(catalog: Catalog) -> str:
    payload = [
        (
            e.id,
            e.kind.value,
            e.owner,
            e.work,
            sorted((k, list(v)) for k, v in e.names.items()),
            sorted(e.description.items()),
            sorted((k, list(v)) for k, v in e.context.items()),
            list(e.ambiguous_names),
        )
        for e in sorted(catalog.entities, key=lambda x: x.id)
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


def catalog_digest(catalog: Catalog, entities: str | None = None) -> str:
    perms = sorted(repr(p) for p in catalog.permissions)
    rh = sorted(repr(r) for r in catalog.rightsholders)
    base = entities or entities_digest(catalog)
    return hashlib.sha256((base + repr(perms) + repr(rh)).encode()).hexdigest()


@lru_cache(maxsize=1)
def _style_cue_data() -> dict:
    return yaml.safe_load(resources.files("kyodaku.data").joinpath("style_cues.yaml").read_text("utf-8"))


_ADJACENT_SECTIONS = ("right_before_name", "not_with_endings")


@lru_cache(maxsize=1)
def style_cues() -> tuple[tuple[str, str], ...]:
    """(language, cue) pairs from data/style_cues.yaml: cues anywhere in the prompt."""
    data = _style_cue_data()
    return tuple(
        (lang, str(cue)) for lang, cues in data.items() if lang not in _ADJACENT_SECTIONS for cue in cues
    )


@lru_cache(maxsize=1)
def _cues_before_name() -> tuple[tuple[str, tuple[str, ...]], ...]:
    data = _style_cue_data()
    endings = data.get("not_with_endings", {})
    cues = {str(c).casefold() for cs in data.get("right_before_name", {}).values() for c in cs}
    return tuple((c, tuple(endings.get(c, ()))) for c in sorted(cues, key=len, reverse=True))


def style_cue_before(text: str, span: tuple[int, int]) -> str:
    """The preposition right before the name at `span` that asks for a style there only ("под
    Диснея", "a lo Disney": data/style_cues.yaml `right_before_name`), or "". A name written in the
    case that gives the preposition its other sense ("под Диснеем", under Disney) has none."""
    gap = text[: span[0]]
    before = gap.rstrip(" \t")
    if len(before) == len(gap):
        return ""  # glued to the word before: no preposition of its own
    low, name = before.casefold(), text[span[0] : span[1]].casefold()
    for cue, endings in _cues_before_name():
        if low.endswith(cue) and not low[: -len(cue)][-1:].isalpha() and not name.endswith(endings):
            return cue
    return ""


def _has_cue(name: str) -> bool:
    """Whether a style name holds a style cue, so that it counts alone ("Ghibli style", "ジブリ風",
    "Ghibliesque"). A cue written in letters counts as a word of the name, not as letters inside
    another word: "trait" in "Portrait Masters" or "scene" in "Obscene Art" asks for nothing. Only
    the suffix cues ("-esque", "-ish", "-like") may be glued to the word before them."""
    low = name.casefold()
    return any(holds_cue(low, cue.casefold()) for _, cue in style_cues() if len(cue) > 2 or not cue.isascii())


def _is_latin_name(name: str) -> bool:
    return any(ch.isalpha() for ch in name) and all(not ch.isalpha() or ch.isascii() for ch in name)


def _name_variants(
    entity: Entity,
    owner: Rightsholder | None = None,
    taken: dict[str, str] | None = None,
    families: dict[str, frozenset[str]] | None = None,
) -> list[NameVariant]:
    """The entry's registered names and the variants derived from them (text/variants.py), each
    classified for ambiguity. A derived variant is dropped when its key is already one of the
    entry's names, or another entry's registered name (`taken`: key -> entry id)."""
    registered = entity.all_names()
    keys = {name: name_splits(name)[0] for _, name in registered}
    own_keys = set(keys.values())
    derived: dict[str, DerivedName] = {}
    for d in derive_names(entity, owner, _cue_words(), families):
        k = name_splits(d.name)[0]
        if len(k) < 2 or k in own_keys or (taken is not None and taken.get(k, entity.id) != entity.id):
            continue
        own_keys.add(k)
        keys[d.name] = k
        derived.setdefault(d.name, d)
    names = registered + [(d.lang, d.name) for d in derived.values()]
    # Registered names are judged together (a kana name inherits its Latin twin's ambiguity); a
    # derived name on its own, so that "Big" of "Big Totoro" leaves トトロ as distinctive as it was.
    verdicts = entity_ambiguities(registered, entity.ambiguous_names, keys)
    for d in derived.values():
        verdicts[d.name] = classify(d.name, d.lang, keys[d.name])
    # A given name in kana or Hangul that writes an ambiguous Latin given name by sound is as
    # ambiguous (クラウド and 클라우드 of Cloud Strife, like "Cloud"): a person's English first name
    # that is a word is the same loanword in Japanese. Not other derivations: ソニック of ソニック・
    # ザ・ヘッジホッグ names the hedgehog, whatever "sonic" is in English.
    ambiguous_latin = [d.name for d in derived.values() if d.given and verdicts[d.name].ambiguous]
    for d in derived.values():
        if d.given and not verdicts[d.name].ambiguous and transliterates(d.name, ambiguous_latin):
            verdicts[d.name] = AmbiguityVerdict(True, TRANSLITERATION_REASON)
    out = []
    for lang, name in names:
        k, splits = name_splits(name)
        v = verdicts[name]
        ambiguous, reason = v.ambiguous, v.reason
        how = ""
        if name in derived:
            d = derived[name]
            how = d.how
            if lang.endswith("-Latn"):  # a romanization is one word however it is spaced
                v = classify(name.replace(" ", ""), "en", k)
                ambiguous, reason = v.ambiguous, v.reason
                if not ambiguous and _word_elsewhere(k):
                    # Pinyin of 馬力歐 is "ma li ou", which folds to "maio", Portuguese for May: a
                    # romanization belongs to no language, so a word of any big one is a clash.
                    ambiguous, reason = True, f'its matching key "{k}" is a common word'
            if ambiguous and not (entity.kind is EntityKind.STYLE and not name.isascii()):
                # A derived form that is itself an ordinary word adds only false alarms: "Son" of
                # Son Goku, "Cat" of Cat Bus, "Bird" of the owner Bird Studio. Registered names
                # that are ordinary words stay (the rightsholder chose them) and need support.
                # A bare style name in Han or kana script stays: it counts only beside a style
                # cue anyway, and its "frequency" is the studio's fame (迪士尼 is counted 195
                # times by jieba because Disney is famous, not because it is a common word).
                # A Latin one of a character or work stays for two uses: written in disguise
                # ("S_o_n_i_c", "S0nic"), which nobody does to the ordinary word, or capitalised
                # beside words of its own description ("Cloud with his spiky blond hair").
                if entity.kind is not EntityKind.STYLE and (_is_latin_name(name) or katakana_name(name)):
                    out.append(
                        NameVariant(
                            entity.id,
                            entity.kind.value,
                            name,
                            lang,
                            k,
                            splits,
                            True,
                            reason,
                            False,
                            how,
                            True,
                        )
                    )
                continue
            source = verdicts.get(d.source)
            if source is not None and source.ambiguous:
                ambiguous, reason = True, f"derived from an ambiguous name ({source.reason})"
        if entity.kind is EntityKind.STYLE and not (_has_cue(name) or MANNER_SUFFIX_HOW in how):
            # "Ghibli", "宮崎駿": a style's core name is a request to imitate it only next to a style cue.
            # "Ghibliesque" carries its cue in the word (text/variants.py `manner_suffixed`).
            ambiguous, reason = True, BARE_STYLE_REASON
        out.append(
            NameVariant(entity.id, entity.kind.value, name, lang, k, splits, ambiguous, reason, v.by_key, how)
        )
    return out


_LATIN_LANGS = ("en", "fr", "de", "es", "it", "pt", "nl")


def _word_elsewhere(key: str) -> bool:
    """A romanization's key that is a frequent word (Zipf >= 3) in a big Latin-script language.
    Not the inflection test of `is_common_word`: that one tells famous names from words, but a
    romanized Chinese or Korean name is famous in no Latin-script language, so frequency alone
    means a clash."""
    return (
        key.isascii() and key.isalpha() and any(zipf(key, code) >= COMMON_WORD_ZIPF for code in _LATIN_LANGS)
    )


def _drop_shared_derivations(by_entity: dict[str, list[NameVariant]]) -> None:
    """A derived name that two entries derive ("Kamado" from Tanjiro Kamado and Nezuko Kamado) names
    neither: it is dropped from both, so a sibling is never found by the family they share."""
    owners: dict[str, set[str]] = {}
    for eid, variants in by_entity.items():
        for v in variants:
            if v.derived:
                owners.setdefault(v.key, set()).add(eid)
    shared = {k for k, ids in owners.items() if len(ids) > 1}
    if shared:
        for eid, variants in by_entity.items():
            by_entity[eid] = [v for v in variants if not (v.derived and v.key in shared)]


SHARED_NAME_WORKS = 3


def _mark_names_shared_across_works(catalog: Catalog, by_entity: dict[str, list[NameVariant]]) -> None:
    """A name that entries of three or more different works are registered under ("Aqua", "Sora",
    "Hime" in a 40,000-character catalog) does not, on its own, point at any of them: it needs
    support, like an ordinary word, and the support says which entry is meant. Two works may share
    a name by chance or by design (a remake); three is a word, or a generic name."""
    group = {e.id: e.work or e.id for e in catalog.entities if e.kind is not EntityKind.STYLE}
    works: dict[str, set[str]] = {}
    for eid, variants in by_entity.items():
        if eid in group:
            for v in variants:
                works.setdefault(v.key, set()).add(group[eid])
    shared = {k: len(ws) for k, ws in works.items() if len(ws) >= SHARED_NAME_WORKS}
    if not shared:
        return
    for eid, variants in by_entity.items():
        if eid in group:
            by_entity[eid] = [
                replace(v, ambiguous=True, ambiguity_reason=f"a name {shared[v.key]} works' entries share")
                if v.key in shared and not v.ambiguous
                else v
                for v in variants
            ]


@lru_cache(maxsize=1)
def _cue_words() -> list[str]:
    """Style cues, longest first (so "art style" goes before "style" when stripping)."""
    return sorted({cue for _, cue in style_cues()}, key=len, reverse=True)


# A context variant's `ambiguity_reason` says where it comes from: a word the rightsholder (or the
# description) gave as context, or another entry's name standing as context.
CONTEXT_WORD = "context"
CONTEXT_NAME = "context: a name"


def _context_variants(
    catalog: Catalog, variants_by_entity: dict[str, list[NameVariant]]
) -> list[NameVariant]:
    """Words that support an ambiguous name, keyed by the *group* they support.

    A word supports the entry it belongs to, and everything in that entry's
    work: an entry's `context` words and its distinctive names support its
    work's group (so "Luigi" supports "Mario"), a work's own context words and
    names support the work's group. The guard accepts support for entry E from
    the groups {E, E's work}. Grouping keeps this linear in the number of
    words; listing supporters per entry would be quadratic in a work's size.
    """
    out: list[NameVariant] = []

    def add(group: str, lang: str, word: str, source: str = CONTEXT_WORD, how: str = "") -> None:
        k, splits = name_splits(word)
        out.append(NameVariant(group, "context", word, lang, k, splits, False, source, derived=how))

    shared = _shared_description_words(catalog)
    for e in catalog.entities:
        group = e.work or e.id
        if e.kind is EntityKind.STYLE:
            for lang, cue in style_cues():
                add(e.id, lang, cue, how=STYLE_CUE)
        for lang, words in e.context.items():
            for w in words:
                add(e.id, lang, w)
                if group != e.id:
                    add(group, lang, w)
        for lang, text in e.description.items():
            # A minimal catalog lists no context words: its descriptions' rare words stand in.
            for w in distinctive_words(text, lang):
                if w.casefold() not in shared:
                    add(e.id, lang, w)
        for v in variants_by_entity.get(e.id, []):
            if not v.ambiguous or v.ambiguity_reason == PHRASE_REASON:  # see _distinctive_support
                add(group, v.lang, v.name, CONTEXT_NAME)
                add(_owner_group(e.owner), v.lang, v.name, CONTEXT_NAME)
    return out


# A rare word that the descriptions of this many works (or unaffiliated entries) share points at
# none of them: "glowing" (6 of the minimal catalog's 17 works: ki blasts, reactors, laser swords,
# headlight eyes), "spiky", "blond", "muscular", "whiskers". Found on the video probe's tune half:
# "the glowing screen" of a shadow-puppet play supported "Sun Wukong" as Son Goku.
SHARED_WORD_GROUPS = 3


def _shared_description_words(catalog: Catalog) -> frozenset[str]:
    """The description words (`distinctive_words`, case-folded) of SHARED_WORD_GROUPS or more works."""
    groups: dict[str, set[str]] = {}
    for e in catalog.entities:
        for lang, text in e.description.items():
            for w in distinctive_words(text, lang):
                groups.setdefault(w.casefold(), set()).add(e.work or e.id)
    return frozenset(w for w, g in groups.items() if len(g) >= SHARED_WORD_GROUPS)


def _owner_group(owner: str) -> str:
    return f"owner:{owner}"


def support_groups(entity: Entity) -> set[str]:
    """The context groups whose words count as support for `entity` (see `_context_variants`): its
    own, its work's, and its owner's (a sibling from the same rightsholder: Elsa beside Mickey)."""
    groups = {entity.id, _owner_group(entity.owner)}
    if entity.work:
        groups.add(entity.work)
    return groups


def build_match_index(
    catalog: Catalog,
    semantic_builder: Callable[[Catalog], SemanticIndex] | None = None,
    digest: str | None = None,
) -> MatchIndex:
    started = time.perf_counter()
    owners = catalog.rightsholder_map()
    taken = {name_splits(n)[0]: e.id for e in catalog.entities for _, n in e.all_names()}
    families = shared_family_names(catalog.entities)
    by_entity = {e.id: _name_variants(e, owners.get(e.owner), taken, families) for e in catalog.entities}
    _drop_shared_derivations(by_entity)
    _mark_names_shared_across_works(catalog, by_entity)
    written = [v for vs in by_entity.values() for v in vs]
    # A disguise-only form is found exactly as written in disguise, never one edit away, by ear or
    # in translation (those read an ordinary word as it is).
    variants = [v for v in written if not v.disguise_only]
    semantic = semantic_builder(catalog) if semantic_builder else None
    translations = TranslatedNameIndex(variants, semantic.encoder) if semantic is not None else None
    return MatchIndex(
        digest=digest or entities_digest(catalog),
        aliases=AliasIndex(written),
        fuzzy=FuzzyIndex(variants),
        context=AliasIndex(_context_variants(catalog, by_entity), min_key=1),  # 風, 풍 are cues
        semantic=semantic,
        build_seconds=time.perf_counter() - started,
        ambiguous={
            eid: [v.name for v in vs if v.ambiguous and not v.disguise_only]
            for eid, vs in by_entity.items()
            if any(v.ambiguous and not v.disguise_only for v in vs)
        },
        translations=translations,
        homophones=HomophoneIndex(variants),
        lookalikes=LookalikeIndex(variants),
        by_sound=BySoundIndex(variants),
        styles_by_owner=_styles_by_owner(catalog),
    )


def _styles_by_owner(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for e in catalog.entities:
        if e.kind is EntityKind.STYLE:
            out.setdefault(e.owner, []).append(e.id)
    return {owner: tuple(ids) for owner, ids in out.items()}


def compile_snapshot(
    catalog: Catalog,
    semantic_builder: Callable[[Catalog], SemanticIndex] | None = None,
    reuse: Snapshot | None = None,
    media: ReferenceBank | None = None,
) -> Snapshot:
    """Build a snapshot; reuse the previous one's match index when only permissions changed, and its
    reference bank unless a new one is given."""
    if reuse is not None and catalog.entities is reuse.catalog.entities:
        digest = reuse.match.digest  # the very same entries (a permission-only refresh): no need to hash them
    else:
        digest = entities_digest(catalog)
    if reuse is not None and reuse.match.digest == digest:
        match = reuse.match
    else:
        match = build_match_index(catalog, semantic_builder, digest)
    return Snapshot(
        version=catalog.version,
        digest=catalog_digest(catalog, digest),
        entities=catalog.entity_map(),
        rightsholders=catalog.rightsholder_map(),
        match=match,
        policy=PolicyEngine(catalog),
        catalog=catalog,
        media=media if media is not None else _empty_bank(reuse),
    )


def _empty_bank(reuse: Snapshot | None) -> ReferenceBank:
    return reuse.media if reuse is not None else ReferenceBank.empty()
