#!/usr/bin/env python3
"""Build a large kyodaku catalog from the Danbooru tag list, for scale benchmarks.

Why: the guard must stay fast and precise with tens of thousands of registered
characters, and the names it meets in practice look like Danbooru tags (short
romanised Japanese names, shared first names, franchise qualifiers). This
turns the tag list in ../shared/data/danbooru-tags (MIT, see SOURCE.txt there)
into catalog format version 1:

* category 3 (copyright) tags become works, except the meta tag "original";
* category 4 (character) tags become characters. `artoria_pendragon_(fate)`
  is named "artoria pendragon" (underscores to spaces, the qualifier dropped)
  plus its aliases treated the same way; the qualifier picks the work when it
  matches a copyright tag, its alias, its unqualified form (`fate` ->
  `fate_(series)`) or a whole-word prefix or suffix of it (`zelda` ->
  `the_legend_of_zelda`), else the character goes to the catch-all work
  `danbooru-misc`;
* 50 synthetic rightsholders `rh-00` .. `rh-49` with countries cycling JP, US,
  FR, KR, CN own the works round-robin (and the catch-all's characters
  directly), so parity figures can compare countries on equal footing.

The rightsholders are invented; the tag list carries no ownership data.

    python bench/build_danbooru_catalog.py --output /tmp/danbooru.json
    python bench/build_danbooru_catalog.py --limit-characters 5000 --output /tmp/danbooru-5k.yaml

Needs only the standard library and PyYAML (for YAML output).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "danbooru-tags" / "danbooru.csv"

CATEGORY_GENERAL = "0"
CATEGORY_COPYRIGHT = "3"
CATEGORY_CHARACTER = "4"
# "original" marks original work, not a franchise: as a work name it would block everything.
SKIP_COPYRIGHTS = frozenset({"original"})
MISC_WORK = "danbooru-misc"
RIGHTSHOLDER_COUNT = 50
COUNTRIES = ("JP", "US", "FR", "KR", "CN")
MAX_ID_LENGTH = 100  # the catalog schema allows 128; leave room for a -N suffix

_QUALIFIER = re.compile(r"_?\(([^()]*)\)$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_VARIANT = re.compile(r"\d+(st|nd|rd|th)_(costume|ascension)|character|vtuber|cosplay|old_design|normal")


class DataError(Exception):
    """The tag file is missing or unreadable."""


@dataclass(frozen=True)
class Tag:
    name: str
    category: str
    post_count: int
    aliases: tuple[str, ...]


@dataclass
class Stats:
    """What the build did, printed to stderr so a benchmark log records the catalog it ran on."""

    copyrights: int = 0
    characters: int = 0
    mapped: int = 0
    misc: int = 0
    names: int = 0
    renamed_ids: int = 0
    skipped_aliases: int = 0
    qualifiers_unmatched: Counter = field(default_factory=Counter)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"danbooru.csv, or the folder holding it (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="catalog file to write; a .json suffix writes JSON (fast to load), anything else YAML "
        "(default: YAML on stdout)",
    )
    parser.add_argument(
        "--limit-characters",
        type=int,
        default=None,
        metavar="N",
        help="keep only the N characters with the most posts (default: all)",
    )
    args = parser.parse_args(argv)
    if args.limit_characters is not None and args.limit_characters < 0:
        parser.error("--limit-characters must be >= 0")
    return args


def read_tags(path: Path) -> list[Tag]:
    """Rows of the headerless `tag,category,post_count,"aliases"` file."""
    if path.is_dir():
        path = path / "danbooru.csv"
    if not path.is_file():
        raise DataError(f"Danbooru tag file not found: {path}")
    tags = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for lineno, row in enumerate(csv.reader(handle), 1):
                if len(row) < 3:
                    raise DataError(f"{path}:{lineno}: expected tag,category,post_count,aliases")
                aliases = tuple(a.strip() for a in row[3].split(",") if a.strip()) if len(row) > 3 else ()
                count = int(row[2]) if row[2].strip().isdigit() else 0
                tags.append(Tag(row[0].strip(), row[1].strip(), count, aliases))
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}") from None
    return tags


def split_qualifiers(tag: str) -> tuple[str, list[str]]:
    """`saber_(fate)_(cosplay)` -> ("saber", ["cosplay", "fate"]): base and qualifiers, innermost last."""
    base, qualifiers = tag, []
    while True:
        match = _QUALIFIER.search(base)
        if not match or match.start() == 0:
            return base, qualifiers
        qualifiers.append(match.group(1))
        base = base[: match.start()]


def display_name(tag: str) -> str:
    """Tag -> the name a prompt would contain: qualifier dropped, underscores to spaces."""
    base, _ = split_qualifiers(tag)
    return " ".join(base.replace("_", " ").split())


def name_lang(name: str) -> str:
    """Language tag by script. Han-only names go to `ja`: this tag list is Japanese-centred."""
    if any("\u3040" <= c <= "\u30ff" or "\uff66" <= c <= "\uff9f" for c in name):
        return "ja"
    if any("\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" for c in name):
        return "ko"
    if any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in name):
        return "ja"
    return "en"


class IdMaker:
    """Lowercase kebab-case ids, unique across works and characters (one namespace in a catalog)."""

    def __init__(self, reserved: set[str]) -> None:
        self.used = set(reserved)
        self.renamed = 0

    def make(self, text: str, fallback: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")[:MAX_ID_LENGTH].strip("-") or fallback
        candidate, n = slug, 1
        while candidate in self.used:
            n += 1
            candidate = f"{slug}-{n}"
        if n > 1:
            self.renamed += 1
        self.used.add(candidate)
        return candidate


def names_for(tag: Tag, stats: Stats) -> dict[str, list[str]]:
    """The tag's display name plus its aliases, grouped by language, without duplicates."""
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for raw in (tag.name, *tag.aliases):
        if raw.startswith("/"):  # "/hm": an autocomplete shortcut of the tool, not a name
            stats.skipped_aliases += 1
            continue
        name = display_name(raw)
        if not name or not any(c.isalnum() for c in name) or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        out.setdefault(name_lang(name), []).append(name)
    return out


class WorkMatcher:
    """Qualifier text -> work id.

    Exact copyright tags win over their aliases, aliases over unqualified forms
    (`fate` for `fate_(series)`); within each kind the copyright with more posts
    wins (the list comes in descending post order). Failing those, a qualifier
    that is a whole-word prefix or suffix of a copyright tag (`xenoblade` ->
    `xenoblade_chronicles_(series)`, `zelda` -> `the_legend_of_zelda`) picks the
    most-posted such copyright, unless the qualifier is descriptive (an
    ordinary Danbooru tag such as `magical_girl`, or a single word used in
    ordinary tags such as `young`): those describe a variant of the
    character, not its franchise.
    """

    def __init__(self, copyrights: list[tuple[Tag, str]], general_tags: list[str]) -> None:
        exact: dict[str, str] = {}
        alias: dict[str, str] = {}
        unqualified: dict[str, str] = {}
        self.partial: dict[str, str] = {}
        for tag, work_id in copyrights:
            exact.setdefault(tag.name, work_id)
            for a in tag.aliases:
                alias.setdefault(a, work_id)
            base, qualifiers = split_qualifiers(tag.name)
            if qualifiers:
                unqualified.setdefault(base, work_id)
            words = base.split("_")
            for i in range(1, len(words)):
                self.partial.setdefault("_".join(words[:i]), work_id)
                self.partial.setdefault("_".join(words[i:]), work_id)
        self.direct = {**unqualified, **alias, **exact}
        self.general = set(general_tags)
        self.general_words = {w for t in general_tags for w in t.split("_") if w}

    def _descriptive(self, qualifier: str) -> bool:
        """Whether a qualifier describes a variant rather than naming a franchise.

        Descriptive: a general tag, a costume number, or a single ordinary word
        (one used in general tags: `young`, `human`, `land`).
        """
        if qualifier in self.general or _VARIANT.fullmatch(qualifier):
            return True
        return "_" not in qualifier and qualifier in self.general_words

    def find(self, qualifiers: list[str]) -> str | None:
        for q in qualifiers:
            if q in self.direct:
                return self.direct[q]
        for q in qualifiers:
            if q in self.partial and not self._descriptive(q):
                return self.partial[q]
        return None


def rightsholders() -> list[dict]:
    return [
        {
            "id": f"rh-{i:02d}",
            "name": {"en": f"Synthetic rightsholder {i:02d} ({COUNTRIES[i % len(COUNTRIES)]})"},
            "country": COUNTRIES[i % len(COUNTRIES)],
        }
        for i in range(RIGHTSHOLDER_COUNT)
    ]


def build_catalog(tags: list[Tag], limit_characters: int | None = None) -> tuple[dict, Stats]:
    """Catalog as plain data (works and characters in descending post count) and the build stats."""
    stats = Stats()
    ids = IdMaker({MISC_WORK})
    by_posts = sorted(tags, key=lambda t: -t.post_count)  # stable: file order breaks ties

    works: list[dict] = []
    copyrights: list[tuple[Tag, str]] = []
    for tag in by_posts:
        if tag.category != CATEGORY_COPYRIGHT or tag.name in SKIP_COPYRIGHTS:
            continue
        names = names_for(tag, stats)
        if not names:
            continue
        work_id = ids.make(tag.name, f"work-{len(works) + 1}")
        works.append({"id": work_id, "owner": f"rh-{len(works) % RIGHTSHOLDER_COUNT:02d}", "names": names})
        copyrights.append((tag, work_id))
    stats.copyrights = len(works)
    works.append(
        {
            "id": MISC_WORK,
            "owner": "rh-00",
            "names": {"en": ["Danbooru miscellaneous characters"]},
            "description": {"en": "Catch-all for characters whose franchise the tag list does not name."},
        }
    )
    general = [t.name for t in tags if t.category == CATEGORY_GENERAL]
    matcher = WorkMatcher(copyrights, general)

    characters: list[dict] = []
    character_tags = [t for t in by_posts if t.category == CATEGORY_CHARACTER]
    if limit_characters is not None:
        character_tags = character_tags[:limit_characters]
    for tag in character_tags:
        names = names_for(tag, stats)
        if not names:
            continue
        _, qualifiers = split_qualifiers(tag.name)
        work_id = matcher.find(qualifiers)
        entry = {"id": ids.make(tag.name, f"character-{len(characters) + 1}")}
        if work_id is None:
            stats.misc += 1
            if qualifiers:
                stats.qualifiers_unmatched[qualifiers[0]] += 1
            entry["work"] = MISC_WORK
            entry["owner"] = f"rh-{stats.misc % RIGHTSHOLDER_COUNT:02d}"
        else:
            stats.mapped += 1
            entry["work"] = work_id
        entry["names"] = names
        characters.append(entry)
    stats.characters = len(characters)
    stats.renamed_ids = ids.renamed
    stats.names = sum(len(v) for e in (*works, *characters) for v in e["names"].values())

    catalog = {
        "version": 1,
        "rightsholders": rightsholders(),
        "works": works,
        "characters": characters,
        "styles": [],
        "permissions": [],
    }
    return catalog, stats


def write(catalog: dict, output: Path | None) -> None:
    """JSON for a .json output (loads several times faster than YAML), YAML otherwise."""
    if output is not None and output.suffix.lower() == ".json":
        text = json.dumps(catalog, ensure_ascii=False, separators=(",", ":")) + "\n"
    else:
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        header = "# Generated by bench/build_danbooru_catalog.py from the Danbooru tag list (MIT);\n"
        header += "# rightsholders are synthetic. See ../shared/data/danbooru-tags/SOURCE.txt.\n"
        text = header + yaml.dump(catalog, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000)
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        tags = read_tags(args.data)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("hint: pass --data pointing at ../shared/data/danbooru-tags/danbooru.csv", file=sys.stderr)
        return 2
    catalog, stats = build_catalog(tags, args.limit_characters)
    write(catalog, args.output)
    countries = Counter(r["country"] for r in catalog["rightsholders"])
    print(
        f"rightsholders {len(catalog['rightsholders'])} ({dict(countries)}), "
        f"works {len(catalog['works'])} ({stats.copyrights} franchises + {MISC_WORK}), "
        f"characters {stats.characters} ({stats.mapped} with a franchise, {stats.misc} in {MISC_WORK}), "
        f"names {stats.names}, ids renamed to stay unique {stats.renamed_ids}, "
        f"shortcut aliases skipped {stats.skipped_aliases}",
        file=sys.stderr,
    )
    if stats.qualifiers_unmatched:
        common = ", ".join(f"{q} ({n})" for q, n in stats.qualifiers_unmatched.most_common(8))
        print(f"unmatched qualifiers, most common: {common}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
