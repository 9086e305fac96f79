"""Which catalog entry a source record is about, and which of its names to propose.

An entry matches a record when one of the entry's registered names (any language) has the same
matching key (`kyodaku.text.normalize.key`, the guard's own skeleton) as the record's key name or
one of its aliases. Works match the source's works (Danbooru category 3), characters its
characters (category 4, PokeAPI species); styles are not matched.

The work a record names (a Danbooru qualifier: `elsa_(frozen)`; PokeAPI: Pokémon) is evidence:

* it names the entry's own work (or owner, or is the source's generic "character"/"series"
  qualifier): the match is *qualified*, the strongest;
* there is none: the match is *exact*;
* it names another work, in the catalog or in the source's own list of works (`mario_(pripara)`
  for Nintendo's Mario): a different character with the same name, skipped;
* it names nothing known (`cloud_strife_(bahamut_garb)`, a costume): *weak*, never proposed alone.

Being conservative is the point: a wrong alias blocks prompts about someone else. So an entry
whose best matches are two records, a record that is the best match of two entries, and an entry
with only weak matches are reported, not proposed. A match on the record's key name beats a match
on one of its aliases.

Proposed names are the record's other names whose key the entry does not already have, each with
its language (the source's, else guessed from the script: kana ja, Hangul ko, Han "zh/ja?",
Latin en), its provenance, and the verdict of the guard's ambiguity detector
(`kyodaku.text.ambiguity`). A name that is the key of another entry is reported, not proposed.
Junk is dropped: fewer than 2 characters, no letters (numbers), an ordinary word that the
detector does not mark ambiguous.

Speed: the Danbooru list has 140,782 rows. Computing the skeleton of every name would take
seconds per ten thousand, so names written in plain ASCII letters are first compared by a coarse
signature that the skeleton never changes (`ascii_signature`); only those whose signature some
catalog name has get their key computed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from kyodaku.domain.model import Catalog, Entity, EntityKind
from kyodaku.enrich.sources import SourceData, SourceName, SourceRecord, simple
from kyodaku.text.ambiguity import AmbiguityVerdict, entity_ambiguities, is_common_word
from kyodaku.text.normalize import key

UNDECIDED_HAN = "zh/ja?"
"""The language of a Han-only name the source did not label: a reviewer decides before accepting."""
UNDECIDED = "und?"

_GENERIC_QUALIFIERS = {EntityKind.CHARACTER: {"character"}, EntityKind.WORK: {"series", "franchise"}}
MIN_QUALIFIER_WORDS = 4
"""A qualifier shorter than this (in letters) must equal a work's name; longer ones may be a run
of its words (`zelda` in "The Legend of Zelda")."""


class Tier(IntEnum):
    OTHER = 0  # the record names another work: a different character with the same name
    WEAK = 1  # it names something unknown
    EXACT = 2  # it names no work
    QUALIFIED = 3  # it names the entry's own work (or owner)


# ---------------------------------------------------------------- the coarse ASCII signature

_ASCII_NAME = re.compile(r"[A-Za-z _\-'.:,&()/?~;#*\"]*")
_SIGNATURE = str.maketrans(
    {
        **dict.fromkeys("aeioul", "a"),
        **dict.fromkeys("yhfp", None),
        **dict.fromkeys("ckst", "t"),
        **dict.fromkeys("djz", "j"),
        "m": "n",
    }
)


def ascii_signature(text: str) -> str | None:
    """A signature that `key` preserves for names in plain ASCII letters and punctuation
    (None for other names): signature(x) == signature(key(x)).

    Why it holds: for such names the skeleton only lower-cases, drops punctuation, reads l as i,
    applies its spelling folds (tch/ty -> ch, si -> shi, tu -> tsu, fu -> hu, di/zi -> ji, ck -> k,
    ph -> f, ou/oh -> o, mb/mp -> nb/np) and collapses doubled letters. The signature drops the
    letters those folds add or remove (y, h, f, p), merges the ones they exchange (vowels and l;
    c k s t; d j z; m n) and collapses repeats, so every fold leaves it unchanged. Two names with
    the same key therefore have the same signature; the converse need not hold (it only filters).
    """
    if not _ASCII_NAME.fullmatch(text):
        return None
    out: list[str] = []
    for c in text.lower().translate(_SIGNATURE):
        if "a" <= c <= "z" and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


def _key_signature(k: str) -> str:
    """The signature of a key (any script): its ASCII letters through the same table."""
    out: list[str] = []
    for c in k.translate(_SIGNATURE):
        if "a" <= c <= "z" and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


class KeyFilter:
    """`key(text)` for texts that may have one of `keys`, None (without computing it) for those
    that cannot."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = set(keys)
        self.signatures = {_key_signature(k) for k in self.keys}
        self.computed = 0

    def key_if_known(self, text: str) -> str | None:
        sig = ascii_signature(text)
        if sig is not None and sig not in self.signatures:
            return None
        self.computed += 1
        k = key(text)
        return k if k in self.keys else None


# ---------------------------------------------------------------- languages


def guess_lang(text: str) -> str:
    """The language a name's script suggests: kana ja, Hangul ko, Han without kana "zh/ja?",
    Latin en; "und?" for the rest."""
    kana = hangul = han = latin = other = False
    for c in text:
        o = ord(c)
        if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
            kana = True
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            hangul = True
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
            han = True
        elif c.isalpha():
            if o < 0x250 or 0x1E00 <= o <= 0x1EFF or 0xFF21 <= o <= 0xFF5A:
                latin = True
            else:
                other = True
    if kana:
        return "ja"
    if hangul:
        return "ko"
    if han:
        return UNDECIDED_HAN
    if latin and not other:
        return "en"
    return UNDECIDED


def is_undecided(lang: str) -> bool:
    return lang.endswith("?")


def _catalog_lang(lang: str, entity: Entity) -> str:
    """The tag to file a name under: a script or region variant the entry does not use goes under
    the base language it does use (zh-Hant -> zh, es-419 -> es); ja-Latn (romaji) stays."""
    if lang in entity.names or "-" not in lang or lang.lower() == "ja-latn":
        return lang
    base = lang.split("-")[0]
    return base if base in entity.names else lang


# ---------------------------------------------------------------- results


@dataclass
class Proposal:
    """One name proposed for one entry."""

    entry: str
    owner: str
    kind: str
    name: str
    lang: str
    lang_from: str  # "source" or "script" (guessed)
    source: str  # the first source that proposed it
    provenance: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    ambiguity: dict[str, Any] = field(default_factory=dict)
    accepted: bool = False
    key: str = ""
    origin: int = 0  # index of the source (of the run's sources) that proposed it first

    @property
    def id(self) -> str:
        digest = hashlib.sha1(f"{self.entry}\0{self.lang}\0{self.name}".encode()).hexdigest()
        return f"p-{digest[:10]}"

    @property
    def ambiguous(self) -> bool:
        return bool(self.ambiguity.get("ambiguous"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entry": self.entry,
            "owner": self.owner,
            "kind": self.kind,
            "name": self.name,
            "lang": self.lang,
            "lang_from": self.lang_from,
            "source": self.source,
            "ambiguity": self.ambiguity,
            "provenance": self.provenance,
            "evidence": self.evidence,
            "accepted": self.accepted,
        }


@dataclass(frozen=True)
class Report:
    """A match not turned into proposals, and why."""

    source: str
    problem: str  # several-records, several-entries, weak-only, name-of-another-entry
    message: str
    entries: tuple[str, ...] = ()
    records: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "problem": self.problem,
            "message": self.message,
            "entries": list(self.entries),
            "records": list(self.records),
        }


@dataclass
class SourceStats:
    data: SourceData
    matched_entries: int = 0
    proposals: int = 0
    ambiguous_proposals: int = 0
    already_registered: int = 0
    homonyms_skipped: int = 0
    junk_dropped: int = 0
    reported: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.data.to_dict(),
            "matched_entries": self.matched_entries,
            "proposals": self.proposals,
            "ambiguous_proposals": self.ambiguous_proposals,
            "already_registered": self.already_registered,
            "homonyms_skipped": self.homonyms_skipped,
            "junk_dropped": self.junk_dropped,
            "reported": self.reported,
        }


@dataclass
class EnrichResult:
    proposals: list[Proposal]
    reports: list[Report]
    sources: list[SourceStats]
    entries: list[Entity]  # the entries considered, in catalog order


# ---------------------------------------------------------------- matching


@dataclass
class _Candidate:
    record: SourceRecord
    on_main: bool
    matched: str  # the source's form that matched


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", plain)


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


class _Matcher:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.entities = [e for e in catalog.entities if e.kind in (EntityKind.WORK, EntityKind.CHARACTER)]
        self.by_id = catalog.entity_map()
        self.owners = catalog.rightsholder_map()
        self.entry_keys: dict[str, set[str]] = {}
        self.index: dict[EntityKind, dict[str, list[str]]] = {EntityKind.WORK: {}, EntityKind.CHARACTER: {}}
        self.any_entry: dict[str, list[str]] = {}  # key -> every entry (any kind) with that name
        for e in catalog.entities:
            keys = {k for _, n in e.all_names() if (k := key(n))}
            self.entry_keys[e.id] = keys
            for k in keys:
                self.any_entry.setdefault(k, []).append(e.id)
                if e.kind in self.index:
                    self.index[e.kind].setdefault(k, []).append(e.id)
        self.filter = KeyFilter(self.any_entry)
        # Names of each work, to read qualifiers with: the catalog's, then the source's matched record's.
        self.work_keys: dict[str, set[str]] = {}
        self.work_words: dict[str, list[list[str]]] = {}
        for e in catalog.entities:
            if e.kind is EntityKind.WORK:
                self._add_work_names(e.id, [n for _, n in e.all_names()] + [e.id.replace("-", " ")])
        self.owner_words = {
            r.id: [_words(n) for n in (*r.name.values(), r.id.replace("-", " "))]
            for r in catalog.rightsholders
        }

    def _add_work_names(self, work_id: str, names: Iterable[str]) -> None:
        keys = self.work_keys.setdefault(work_id, set())
        words = self.work_words.setdefault(work_id, [])
        for n in names:
            if k := key(n):
                keys.add(k)
            words.append(_words(n))

    # -- qualifiers

    def tier(self, entity: Entity, hint: str | None, data: SourceData) -> Tier:
        if not hint:
            return Tier.EXACT
        if simple(hint) in _GENERIC_QUALIFIERS.get(entity.kind, ()):
            return Tier.QUALIFIED
        if entity.kind is EntityKind.CHARACTER and entity.work and self._names(entity.work, hint):
            return Tier.QUALIFIED
        if self._names_owner(entity.owner, hint):
            return Tier.QUALIFIED
        hint_key = key(hint)
        own = entity.work if entity.kind is EntityKind.CHARACTER else entity.id
        if any(hint_key in keys for w, keys in self.work_keys.items() if w != own):
            return Tier.OTHER
        if simple(hint) in data.other_works:
            return Tier.OTHER
        return Tier.WEAK

    def _names(self, work_id: str, hint: str) -> bool:
        if key(hint) in self.work_keys.get(work_id, ()):
            return True
        hint_words = _words(hint)
        if len("".join(hint_words)) < MIN_QUALIFIER_WORDS:
            return False
        return any(_contains_run(ws, hint_words) for ws in self.work_words.get(work_id, ()))

    def _names_owner(self, owner: str, hint: str) -> bool:
        hint_words = _words(hint)
        if len("".join(hint_words)) < MIN_QUALIFIER_WORDS:
            return False
        return any(_contains_run(ws, hint_words) for ws in self.owner_words.get(owner, ()))

    # -- one source

    def candidates(self, data: SourceData, kind: EntityKind) -> dict[str, dict[int, _Candidate]]:
        """entry id -> {record index -> best way it matched}."""
        index = self.index[kind]
        found: dict[str, dict[int, _Candidate]] = {}
        for i, record in enumerate(data.records):
            if record.kind is not kind:
                continue
            for n in record.names:
                on_main = n is record.name
                for form in (n.text, n.full):
                    if not form:
                        continue
                    k = self.filter.key_if_known(form)
                    for eid in index.get(k, ()) if k else ():
                        seen = found.setdefault(eid, {})
                        if i not in seen or (on_main and not seen[i].on_main):
                            seen[i] = _Candidate(record, on_main, form)
        return found

    def select(
        self, data: SourceData, kind: EntityKind, stats: SourceStats, reports: list[Report]
    ) -> dict[str, _Candidate]:
        chosen: dict[str, _Candidate] = {}
        for eid, cands in self.candidates(data, kind).items():
            entity = self.by_id[eid]
            ranked: list[tuple[tuple[int, bool], _Candidate]] = []
            for cand in cands.values():
                tier = self.tier(entity, cand.record.work_hint, data)
                if tier is Tier.OTHER:
                    stats.homonyms_skipped += 1
                    continue
                ranked.append(((int(tier), cand.on_main), cand))
            if not ranked:
                continue
            best = max(rank for rank, _ in ranked)
            top = [c for rank, c in ranked if rank == best]
            labels = tuple(c.record.label for c in top)
            if best[0] < Tier.EXACT:
                reports.append(
                    Report(
                        data.source, "weak-only",
                        f"{eid}: only records whose qualifier names no known work: {', '.join(labels)}",
                        (eid,), labels,
                    )
                )  # fmt: skip
            elif len(top) > 1:
                reports.append(
                    Report(
                        data.source, "several-records",
                        f"{eid}: matches {len(top)} records equally well: {', '.join(labels)}",
                        (eid,), labels,
                    )
                )  # fmt: skip
            else:
                chosen[eid] = top[0]
        by_record: dict[int, list[str]] = {}
        for eid, cand in chosen.items():
            by_record.setdefault(id(cand.record), []).append(eid)
        for eids in by_record.values():
            if len(eids) > 1:
                record = chosen[eids[0]].record
                reports.append(
                    Report(
                        data.source, "several-entries",
                        f"{record.label} matches {len(eids)} entries: {', '.join(eids)}",
                        tuple(eids), (record.label,),
                    )
                )  # fmt: skip
                for eid in eids:
                    del chosen[eid]
        if kind is EntityKind.WORK:
            for eid, cand in chosen.items():
                self._add_work_names(eid, [s for n in cand.record.names for s in (n.text, n.full) if s])
        return chosen

    # -- proposals

    def propose(
        self,
        entity: Entity,
        cand: _Candidate,
        origin: int,
        stats: SourceStats,
        reports: list[Report],
        pending: dict[tuple[str, str], Proposal],
    ) -> None:
        registered = self.entry_keys[entity.id]
        data = stats.data
        for n in cand.record.names:
            if n is cand.record.name and n.qualifier and entity.kind is EntityKind.WORK:
                # `sonic_(series)`: the bare title is the character's name; the qualifier was what
                # told them apart (catalogs list the bare name under the character, too).
                stats.homonyms_skipped += 1
                continue
            if _is_junk(n.text):
                stats.junk_dropped += 1
                continue
            if (
                n.qualifier
                and n is not cand.record.name
                and self.tier(entity, n.qualifier, data) is Tier.OTHER
            ):
                stats.homonyms_skipped += 1
                continue
            k = key(n.text)
            if not k:
                stats.junk_dropped += 1
                continue
            if k in registered:
                stats.already_registered += 1
                continue
            others = [o for o in self.any_entry.get(k, ()) if o != entity.id]
            if others:
                reports.append(
                    Report(
                        data.source, "name-of-another-entry",
                        f"{entity.id}: {n.text!r} ({n.provenance.raw}, line {n.provenance.line}) is already "
                        f"a name of {', '.join(others)}",
                        (entity.id, *others), (cand.record.label,),
                    )
                )  # fmt: skip
                continue
            evidence = {
                "record": cand.record.name.provenance.raw,
                "line": cand.record.name.provenance.line,
                "matched": cand.matched,
                "match": Tier(self.tier(entity, cand.record.work_hint, data)).name.lower(),
                "source": data.source,
            }
            provenance = _provenance(n)
            existing = pending.get((entity.id, k))
            if existing is not None:
                if provenance not in existing.provenance:
                    existing.provenance.append(provenance)
                if evidence not in existing.evidence:
                    existing.evidence.append(evidence)
                continue
            lang, lang_from = (n.lang, "source") if n.lang else (guess_lang(n.text), "script")
            pending[(entity.id, k)] = Proposal(
                entry=entity.id,
                owner=entity.owner,
                kind=entity.kind.value,
                name=n.text,
                lang=_catalog_lang(lang, entity),
                lang_from=lang_from,
                source=data.source,
                provenance=[provenance],
                evidence=[evidence],
                key=k,
                origin=origin,
            )


def _provenance(n: SourceName) -> dict[str, Any]:
    """Where the name was found, with the row's language when the source gives one: names of
    several rows can meet in one proposal (PokeAPI's fr "Évoli" and de "Evoli" share a key), and
    the proposal's `lang` is only the first row's."""
    out = n.provenance.to_dict()
    if n.lang:
        out["lang"] = n.lang
    return out


def _is_junk(text: str) -> bool:
    stripped = text.strip()
    return len(stripped) < 2 or not any(c.isalpha() for c in stripped)


def _verdicts(entity: Entity, proposals: list[Proposal]) -> dict[str, AmbiguityVerdict]:
    """The ambiguity detector's verdict on each proposed name, judged among the entry's names (so a
    katakana form of an ambiguous Latin name inherits it, as in the guard)."""
    names = [*entity.all_names()]
    keys = {n: key(n) for _, n in names}
    for p in proposals:
        names.append(("zh" if is_undecided(p.lang) else p.lang, p.name))
        keys[p.name] = p.key
    verdicts = entity_ambiguities(names, tuple(entity.ambiguous_names), keys)
    out = {}
    for p in proposals:
        verdict = verdicts[p.name]
        if p.lang == UNDECIDED_HAN and not verdict.ambiguous:
            as_ja = entity_ambiguities([("ja", p.name)], (), {p.name: p.key})[p.name]
            verdict = as_ja if as_ja.ambiguous else verdict
        out[p.name] = verdict
    return out


def _is_common(p: Proposal) -> bool:
    if " " in p.name.strip():
        return False
    lang = "en" if is_undecided(p.lang) else p.lang
    return is_common_word(p.name.strip(), lang)


def enrich(catalog: Catalog, sources: list[SourceData], owner: str | None = None) -> EnrichResult:
    """Match every source's records to the catalog's entries and propose their other names.

    `owner` keeps only that rightsholder's entries' proposals (matching still sees every entry,
    so that a record matching two owners' entries is still reported as ambiguous)."""
    matcher = _Matcher(catalog)
    reports: list[Report] = []
    stats_list: list[SourceStats] = []
    pending: dict[tuple[str, str], Proposal] = {}
    for data in sources:
        stats = SourceStats(data)
        stats_list.append(stats)
        before = len(reports)
        for kind in (EntityKind.WORK, EntityKind.CHARACTER):  # works first: their names read qualifiers
            chosen = matcher.select(data, kind, stats, reports)
            stats.matched_entries += len(chosen)
            for eid, cand in chosen.items():
                matcher.propose(matcher.by_id[eid], cand, len(stats_list) - 1, stats, reports, pending)
        stats.reported = len(reports) - before

    by_key: dict[str, list[Proposal]] = {}
    for p in pending.values():
        by_key.setdefault(p.key, []).append(p)
    for same in by_key.values():
        if len(same) > 1:  # one name proposed for two entries: which one it means is unknown
            eids = tuple(p.entry for p in same)
            reports.append(
                Report(
                    same[0].source, "several-entries",
                    f"{same[0].name!r} would be a name of {len(same)} entries: {', '.join(eids)}",
                    eids, tuple(str(e.get("record")) for p in same for e in p.evidence),
                )
            )  # fmt: skip
            stats_list[same[0].origin].reported += 1  # one report, counted once, for its source
            for p in same:
                del pending[(p.entry, p.key)]

    by_entry: dict[str, list[Proposal]] = {}
    for p in pending.values():
        by_entry.setdefault(p.entry, []).append(p)
    proposals: list[Proposal] = []
    entries = [e for e in matcher.entities if owner is None or e.owner == owner]
    for entity in entries:
        mine = by_entry.get(entity.id, [])
        verdicts = _verdicts(entity, mine) if mine else {}
        for p in sorted(mine, key=lambda p: (p.source, p.lang, p.name)):
            verdict = verdicts[p.name]
            if not verdict.ambiguous and _is_common(p):
                stats_list[p.origin].junk_dropped += 1
                continue
            p.ambiguity = {"ambiguous": verdict.ambiguous, "reason": verdict.reason}
            proposals.append(p)
            stats_list[p.origin].proposals += 1
            stats_list[p.origin].ambiguous_proposals += verdict.ambiguous
    if owner is not None:
        reports = [r for r in reports if any(matcher.by_id[e].owner == owner for e in r.entries)]
    return EnrichResult(proposals, reports, stats_list, entries)
