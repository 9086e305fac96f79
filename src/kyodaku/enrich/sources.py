"""Readers of open data files that list names: what a source says, with where it said it.

A reader turns one file (or folder) the operator supplies into `SourceRecord`s: a key name as
the source spells it, its alternative names, the language of each when the source says, and the
provenance of every name (source, file, line, licence and commit from the folder's SOURCE.txt).
Readers only read; deciding which catalog entry a record is about is `kyodaku.enrich.match`.

A bad row is skipped and counted (with the first few reasons kept), never sinking the run; a
missing file, or one in which no row can be read, is `InvalidInput` (exit code 2).

Two readers ship:

* `danbooru`: the headerless tag list `tag,category,post_count,"alias,alias"` of the
  a1111-sd-webui-tagcomplete project. Category 4 rows are characters, category 3 rows are works
  (franchises); other categories are counted and ignored. Tags use `_` for spaces and a trailing
  `_(qualifier)` naming the work (`link_(zelda)`) or a variant (`cloud_strife_(bahamut_garb)`);
  the qualifier is kept apart as evidence. `/xx` aliases are autocomplete shortcuts, not names.
* `pokeapi`: PokeAPI's `pokemon_species_names.csv` (`pokemon_species_id,local_language_id,name,
  genus`) with `languages.csv` beside it for the language ids: one record per species, the
  English name as key name, every localized name with its language. All of it is about one work,
  Pokémon, which the records carry as their work hint. The genus ("Mouse Pokémon") is a kind,
  not a name, and is not read.

`open_source("danbooru:PATH")`, `open_source("pokeapi:PATH")`, or a bare PATH whose format is
sniffed, gives a `Source` to `read()`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import EntityKind

Progress = Callable[[int, int], None]
"""progress(done, total): rows read so far, of how many (the reader counts them first)."""

MAX_PROBLEMS = 20
"""How many bad-row reasons a SourceData keeps (all are counted)."""

PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class Licence:
    """What a folder's SOURCE.txt says about where its files come from."""

    licence: str | None = None
    repo: str | None = None
    commit: str | None = None


@dataclass(frozen=True)
class Provenance:
    """Where one name was found."""

    source: str  # reader name: danbooru, pokeapi
    file: str
    line: int  # 1-based line of the row in `file`
    raw: str  # the value as written in the file (son_gokuu, ピカチュウ)
    licence: Licence = field(default_factory=Licence)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "file": self.file, "line": self.line, "raw": self.raw}
        out.update({k: v for k, v in self.licence.__dict__.items() if v})
        return out


@dataclass(frozen=True)
class SourceName:
    """One name of a record. `text` is the name as a catalog would hold it (`son gokuu`); `full`
    keeps a Danbooru qualifier as words (`kirby series`), `qualifier` the qualifier alone."""

    text: str
    lang: str | None
    provenance: Provenance
    qualifier: str | None = None

    @property
    def full(self) -> str | None:
        return f"{self.text} {self.qualifier}" if self.qualifier else None


@dataclass(frozen=True)
class SourceRecord:
    """One thing a source names: its key name and its other names. `work_hint` names the work the
    source says it belongs to (a Danbooru qualifier, or Pokémon for PokeAPI), if any."""

    source: str
    kind: EntityKind
    name: SourceName
    aliases: tuple[SourceName, ...]
    work_hint: str | None = None

    @property
    def names(self) -> tuple[SourceName, ...]:
        return (self.name, *self.aliases)

    @property
    def label(self) -> str:
        """How reports name the record: its raw key name and line (son_goku, line 2912)."""
        return f"{self.name.provenance.raw} (line {self.name.provenance.line})"


@dataclass
class SourceData:
    """Everything read from one source file."""

    source: str
    file: str
    licence: Licence
    records: list[SourceRecord] = field(default_factory=list)
    rows: int = 0  # data rows seen
    skipped: int = 0  # bad rows skipped
    ignored: int = 0  # good rows that are not about a character or a work (Danbooru tags of other kinds)
    problems: list[str] = field(default_factory=list)  # the first MAX_PROBLEMS bad-row reasons
    other_works: frozenset[str] = frozenset()  # simple forms of every work name the source lists

    def bad_row(self, line: int, reason: str) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{self.file}:{line}: {reason}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "file": self.file}
        out.update({k: v for k, v in self.licence.__dict__.items() if v})
        out.update(rows=self.rows, records=len(self.records), skipped=self.skipped, ignored=self.ignored)
        if self.problems:
            out["problems"] = list(self.problems)
        return out


class SourceReader(Protocol):
    """A format of open data. `sniff` says whether a path looks like this format (cheaply);
    `read` reads it whole (raising InvalidInput when it cannot be read at all)."""

    name: str

    def sniff(self, path: Path) -> bool: ...

    def read(self, path: Path, progress: Progress | None = None) -> SourceData: ...


@dataclass(frozen=True)
class Source:
    """A reader bound to its path: what one `--from` names."""

    reader: SourceReader
    path: Path

    @property
    def name(self) -> str:
        return self.reader.name

    def read(self, progress: Progress | None = None) -> SourceData:
        return self.reader.read(self.path, progress)


# ---------------------------------------------------------------- helpers


def simple(text: str) -> str:
    """Lower-case letters and digits only: how qualifiers and work names of one source compare
    with each other (both written by the same hands, in the same convention)."""
    return "".join(c for c in text.casefold() if c.isalnum())


def read_licence(folder: Path) -> Licence:
    """Repo, commit and licence from `folder/SOURCE.txt` (lines `Repo:`, `Commit:`, `License:`)."""
    found: dict[str, str] = {}
    try:
        text = (folder / "SOURCE.txt").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return Licence()
    for line in text.splitlines():
        head, sep, value = line.partition(":")
        head = head.strip().lower()
        if sep and value.strip() and head in ("repo", "repository", "commit", "license", "licence"):
            found.setdefault("licence" if head in ("license", "licence") else head, value.strip())
    commit = found.get("commit")
    if commit and (sha := re.search(r"\b[0-9a-f]{40}\b", commit)):
        commit = sha.group(0)
    return Licence(found.get("licence"), found.get("repo") or found.get("repository"), commit)


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


def _file_for(path: Path, what: str) -> Path:
    if not path.exists():
        raise InvalidInput(f"{what}: {path} does not exist")
    if not path.is_file():
        raise InvalidInput(f"{what}: {path} is not a file")
    return path


def _rows(path: Path, data: SourceData, progress: Progress | None) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of every CSV row; rows with bytes that are not UTF-8 are bad rows."""
    total = _count_lines(path) if progress else 0
    try:
        handle = path.open(encoding="utf-8", errors="surrogateescape", newline="")
    except OSError as exc:
        raise InvalidInput(f"{data.source} source: cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        done = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                data.rows += 1
                data.bad_row(reader.line_num, f"malformed CSV ({exc})")
                continue
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(reader.line_num, total)
            if _UNDECODABLE.search("".join(row)):
                data.rows += 1
                data.bad_row(reader.line_num, "bytes that are not UTF-8")
                continue
            yield reader.line_num, row
    if progress:
        progress(total, total)


_UNDECODABLE = re.compile("[\udc80-\udcff]")
"""What errors="surrogateescape" leaves for bytes that are not UTF-8."""


def _no_rows(data: SourceData, what: str) -> InvalidInput:
    detail = f"; first problems: {'; '.join(data.problems[:3])}" if data.problems else ""
    return InvalidInput(f"{data.source} source {data.file}: {what}{detail}")


# ---------------------------------------------------------------- danbooru

_QUALIFIER = re.compile(r"^(?P<name>.+?)_\((?P<qualifier>[^()]+)\)$")
_DANBOORU_KINDS = {"4": EntityKind.CHARACTER, "3": EntityKind.WORK}


def split_tag(tag: str) -> tuple[str, str | None]:
    """A Danbooru tag as (name, qualifier), underscores read as spaces:
    `link_(zelda)` -> ("link", "zelda"), `kirby` -> ("kirby", None)."""
    tag = tag.strip()
    m = _QUALIFIER.match(tag)
    name, qualifier = (m["name"], m["qualifier"]) if m else (tag, None)

    def words(s: str) -> str:
        return " ".join(s.replace("_", " ").split())

    return words(name), (words(qualifier) or None) if qualifier else None


class DanbooruReader:
    """`tag,category,post_count,"alias,alias"` rows, headerless (see the module docstring)."""

    name = "danbooru"

    def sniff(self, path: Path) -> bool:
        if not path.is_file():
            return False
        try:
            with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                row = next(csv.reader(handle), [])
        except (OSError, csv.Error):
            return False
        return len(row) in (3, 4) and row[1].strip().isdigit() and row[2].strip().isdigit()

    def read(self, path: Path, progress: Progress | None = None) -> SourceData:
        _file_for(path, "danbooru source")
        data = SourceData(self.name, str(path), read_licence(path.parent))
        works: set[str] = set()
        for line, row in _rows(path, data, progress):
            data.rows += 1
            if len(row) not in (3, 4):
                data.bad_row(
                    line, f"expected 3 or 4 fields (tag,category,post_count,aliases), got {len(row)}"
                )
                continue
            tag, category, count = (v.strip() for v in row[:3])
            if not tag or not category.isdigit() or not count.isdigit():
                data.bad_row(line, "expected a tag, then a numeric category and post count")
                continue
            kind = _DANBOORU_KINDS.get(category)
            if kind is None:
                data.ignored += 1
                continue
            record = self._record(tag, kind, row[3] if len(row) == 4 else "", line, data)
            data.records.append(record)
            if kind is EntityKind.WORK:
                for n in record.names:
                    works.update(simple(s) for s in (n.text, n.full) if s)
        if not data.records:
            raise _no_rows(data, "no character (4) or copyright (3) row could be read")
        data.other_works = frozenset(works - {""})
        return data

    def _record(self, tag: str, kind: EntityKind, aliases: str, line: int, data: SourceData) -> SourceRecord:
        def name(raw: str) -> SourceName:
            text, qualifier = split_tag(raw)
            return SourceName(
                text, None, Provenance(self.name, data.file, line, raw, data.licence), qualifier
            )

        main = name(tag)
        others = tuple(name(a) for a in aliases.split(",") if a.strip() and not a.strip().startswith("/"))
        return SourceRecord(self.name, kind, main, others, work_hint=main.qualifier)


# ---------------------------------------------------------------- pokeapi

POKEAPI_LANGUAGES = {
    "ja-hrkt": "ja",
    "ja": "ja",
    "ja-roma": "ja-Latn",
    "roomaji": "ja-Latn",
    "ko": "ko",
    "zh-hant": "zh-Hant",
    "zh-hans": "zh-Hans",
    "en": "en",
    "fr": "fr",
    "de": "de",
    "es": "es",
    "es-419": "es",
    "it": "it",
    "cs": "cs",
    "pt-br": "pt-BR",
}
"""PokeAPI language identifiers -> catalog language tags (as scripts/build_pokeapi_catalog.py,
but romaji is ja-Latn and Brazilian Portuguese pt-BR)."""

POKEAPI_LANGUAGE_IDS = {
    "1": "ja-hrkt", "2": "ja-roma", "3": "ko", "4": "zh-hant", "5": "fr", "6": "de", "7": "es",
    "8": "it", "9": "en", "10": "cs", "11": "ja", "12": "zh-hans", "13": "pt-br", "14": "es-419",
}  # fmt: skip
"""Language ids of PokeAPI's languages.csv, used when that file is not beside the names."""

POKEAPI_NAMES = "pokemon_species_names.csv"
_POKEAPI_HEADER = ("pokemon_species_id", "local_language_id", "name")
POKEMON_WORK = "Pokémon"


class PokeApiReader:
    """PokeAPI's species names (see the module docstring). PATH is the CSV file or its folder."""

    name = "pokeapi"

    def _names_file(self, path: Path) -> Path:
        return path / POKEAPI_NAMES if path.is_dir() else path

    def sniff(self, path: Path) -> bool:
        target = self._names_file(path)
        if not target.is_file():
            return False
        try:
            with target.open(encoding="utf-8", errors="replace") as handle:
                head = handle.readline()
        except OSError:
            return False
        return tuple(h.strip() for h in head.split(",")[:3]) == _POKEAPI_HEADER

    def read(self, path: Path, progress: Progress | None = None) -> SourceData:
        target = _file_for(self._names_file(path), "pokeapi source")
        data = SourceData(self.name, str(target), read_licence(target.parent))
        languages = self._languages(target.parent, data)
        identifiers = self._identifiers(target.parent)
        species: dict[str, list[tuple[str, str, int, str]]] = {}
        rows = _rows(target, data, progress)
        header = next(rows, None)
        if header is None or tuple(h.strip() for h in header[1][:3]) != _POKEAPI_HEADER:
            found = ",".join(header[1]) if header else "an empty file"
            raise InvalidInput(
                f"pokeapi source {target}: not PokeAPI's {POKEAPI_NAMES}: expected the header "
                f"{','.join(_POKEAPI_HEADER)},genus, found {found[:80]!r}"
            )
        for line, row in rows:
            data.rows += 1
            if len(row) < 3:
                data.bad_row(line, f"expected at least 3 fields, got {len(row)}")
                continue
            sid, lang_id, name = row[0].strip(), row[1].strip(), row[2].strip()
            if not sid.isdigit() or not lang_id.isdigit():
                data.bad_row(line, "species and language ids must be numbers")
                continue
            if not name:
                data.bad_row(line, "empty name")
                continue
            lang = languages.get(lang_id)
            if lang is None:
                data.bad_row(line, f"unknown language id {lang_id}")
                continue
            species.setdefault(sid, []).append((name, lang, line, name))
        for sid, found_names in species.items():
            data.records.append(self._record(sid, found_names, identifiers, data))
        if not data.records:
            raise _no_rows(data, "no species name could be read")
        data.other_works = frozenset({simple(POKEMON_WORK)})
        return data

    def _record(
        self, sid: str, found: list[tuple[str, str, int, str]], identifiers: dict[str, str], data: SourceData
    ) -> SourceRecord:
        def name(text: str, lang: str | None, line: int, raw: str) -> SourceName:
            return SourceName(text, lang, Provenance(self.name, data.file, line, raw, data.licence))

        english = [f for f in found if f[1] == "en"]
        if english:
            main = english[0]
            head = name(main[0], "en", main[2], main[3])
            rest = [f for f in found if f is not main]
        else:  # no English name: the species identifier (mr-mime) names the record
            ident = identifiers.get(sid, f"species {sid}")
            head = name(ident.replace("-", " "), None, found[0][2], ident)
            rest = found
        aliases = tuple(name(text, lang, line, raw) for text, lang, line, raw in rest)
        return SourceRecord(self.name, EntityKind.CHARACTER, head, aliases, work_hint=POKEMON_WORK)

    def _languages(self, folder: Path, data: SourceData) -> dict[str, str]:
        """Language id -> catalog tag, from languages.csv when it is there."""
        ids = dict(POKEAPI_LANGUAGE_IDS)
        file = folder / "languages.csv"
        if file.is_file():
            try:
                with file.open(encoding="utf-8", newline="") as handle:
                    for row in csv.DictReader(handle):
                        if row.get("id") and row.get("identifier"):
                            ids[row["id"].strip()] = row["identifier"].strip().lower()
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                data.problems.append(f"{file}: not read ({exc}); the built-in language table is used")
        return {i: POKEAPI_LANGUAGES.get(ident, ident) for i, ident in ids.items()}

    def _identifiers(self, folder: Path) -> dict[str, str]:
        file = folder / "pokemon_species.csv"
        try:
            with file.open(encoding="utf-8", newline="") as handle:
                return {r["id"]: r["identifier"] for r in csv.DictReader(handle) if r.get("identifier")}
        except (OSError, UnicodeDecodeError, csv.Error, KeyError):
            return {}


# ---------------------------------------------------------------- choosing a reader

READERS: dict[str, SourceReader] = {"danbooru": DanbooruReader(), "pokeapi": PokeApiReader()}


def open_source(spec: str) -> Source:
    """`danbooru:PATH`, `pokeapi:PATH`, or a PATH whose format is sniffed; InvalidInput otherwise."""
    kind, sep, rest = spec.partition(":")
    if sep and kind in READERS:
        path = Path(rest).expanduser()
        if not path.exists():
            raise InvalidInput(f"{kind} source: {path} does not exist")
        return Source(READERS[kind], path)
    path = Path(spec).expanduser()
    if not path.exists():
        if sep and re.fullmatch(r"[a-z][a-z0-9_-]*", kind):
            raise InvalidInput(
                f"unknown source kind {kind!r} in {spec!r}; expected one of: {', '.join(READERS)}"
            )
        raise InvalidInput(f"source {spec!r} does not exist")
    for reader in READERS.values():
        if reader.sniff(path):
            return Source(reader, path)
    raise InvalidInput(
        f"cannot tell the format of {spec!r}; name it: {', '.join(f'{k}:PATH' for k in READERS)}"
    )
