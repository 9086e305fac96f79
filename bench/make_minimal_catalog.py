"""Write bench/data/minimal-catalog.yaml: the demo catalog cut down to what a rightsholder registers.

A rightsholder registers each work, character and style under its official names, in English,
Japanese and, where official ones exist, Chinese and Korean, with one short description. It does
not hand-list nicknames, romaji, kana readings, spacing variants, "X style" phrasings, context
words or ambiguity marks: those are what the guard has to derive or do without. The evaluation
(bench/eval_prompts.py --minimal) measures the guard on this catalog; the hand-tuned demo catalog
stays for the demo.

Rule, applied to examples/demo-catalog.yaml (so the two stay in step):

- names: for en, ja, zh and ko, the FIRST name listed in that language (the catalog lists the
  official name first), plus, for zh, the traditional-Chinese form of that same official name when
  the demo catalog lists it (TRADITIONAL below). Other languages are dropped. OFFICIAL below
  overrides the first-name rule where the first name listed is not the official one. Every name
  kept must be one the demo catalog lists for that entry, so nothing is invented here.
- description: the English one only.
- context and ambiguous_names: dropped. references: dropped (the demo lists none).
- rightsholders, ids, owners, works and kinds unchanged; permissions: [].

    .venv/bin/python bench/make_minimal_catalog.py            # writes bench/data/minimal-catalog.yaml
    .venv/bin/python bench/make_minimal_catalog.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from _common import DEMO_CATALOG, MINIMAL_CATALOG, ROOT, die, require_file

LANGUAGES = ("en", "ja", "zh", "ko")
SECTIONS = ("works", "characters", "styles")
KEPT_FIELDS = ("id", "owner", "work")

# The traditional-Chinese spelling of the entry's first (simplified) zh name, where the demo catalog
# lists one. Only a spelling of the same official name: a different localised title (星際大戰 beside
# 星球大战, 蜘蛛人 beside 蜘蛛侠) is not kept.
TRADITIONAL: dict[str, str] = {
    "pokemon": "寶可夢",
    "super-mario": "超級瑪利歐",
    "the-legend-of-zelda": "薩爾達傳說",
    "dragon-ball": "龍珠",
    "demon-slayer": "鬼滅之刃",
    "final-fantasy": "最終幻想",
    "frozen": "冰雪奇緣",
    "star-wars": "星球大戰",
    "doraemon-series": "哆啦A夢系列",
    "sanrio-characters": "三麗鷗角色",
    "charizard": "噴火龍",
    "mario": "瑪利歐",
    "princess-zelda": "薩爾達公主",
    "son-goku": "孫悟空",
    "vegeta": "貝吉塔",
    "tanjiro-kamado": "竈門炭治郎",
    "nezuko-kamado": "竈門禰豆子",
    "naruto-uzumaki": "漩渦鳴人",
    "cloud-strife": "克勞德·史特萊夫",
    "sephiroth": "薩菲羅斯",
    "donald-duck": "唐老鴨",
    "batman": "蝙蝠俠",
    "spider-man": "蜘蛛俠",
    "darth-vader": "達斯·維達",
    "yoda": "尤達",
    "totoro": "龍貓",
    "catbus": "貓巴士",
    "doraemon": "哆啦A夢",
    "hello-kitty": "凱蒂貓",
    "ghibli-style": "吉卜力風格",
    "akira-toriyama-style": "鳥山明風格",
    "disney-animation-style": "迪士尼風格",
    "pixar-style": "皮克斯風格",
}

# Where the first name listed is not (or not the only) official name in a language. The value
# replaces the first-name rule for that language (the traditional form above is still added).
OFFICIAL: dict[str, dict[str, list[str]]] = {
    # ポケモン and 포켓몬 are the brand's own short names (株式会社ポケモン, 포켓몬코리아).
    "pokemon": {"ja": ["ポケットモンスター", "ポケモン"], "ko": ["포켓몬스터", "포켓몬"]},
    # Nintendo's official Chinese name since 2017; 库巴 is an older fan rendering.
    "bowser": {"zh": ["酷霸王"]},
}


def _first(names: Sequence[str]) -> list[str]:
    return [names[0]] if names else []


def minimal_names(entry: Mapping[str, Any]) -> dict[str, list[str]]:
    """The official names of one demo-catalog entry, per language (en, ja, zh, ko only)."""
    eid = entry["id"]
    listed: Mapping[str, list[str]] = entry.get("names") or {}
    out: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        names = list(OFFICIAL.get(eid, {}).get(lang) or _first(listed.get(lang) or []))
        if lang == "zh" and eid in TRADITIONAL and TRADITIONAL[eid] not in names:
            names.append(TRADITIONAL[eid])
        for name in names:
            if name not in (listed.get(lang) or []):
                die(f"{eid}: {lang} name {name!r} is not listed in the demo catalog; update the tables")
        if names:
            out[lang] = names
    return out


def minimal_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: entry[k] for k in KEPT_FIELDS if k in entry}
    out["names"] = minimal_names(entry)
    description = (entry.get("description") or {}).get("en")
    if description:
        out["description"] = {"en": description}
    return out


def minimal_catalog(demo: Mapping[str, Any]) -> dict[str, Any]:
    """The minimal catalog (a plain YAML document) derived from the demo catalog's document."""
    ids = {e["id"] for section in SECTIONS for e in demo.get(section) or []}
    for table in (TRADITIONAL, OFFICIAL):
        stale = sorted(set(table) - ids)
        if stale:
            die(f"the tables name entries the demo catalog no longer has: {', '.join(stale)}")
    doc: dict[str, Any] = {"version": demo["version"], "rightsholders": demo.get("rightsholders") or []}
    for section in SECTIONS:
        doc[section] = [minimal_entry(e) for e in demo.get(section) or []]
    doc["permissions"] = []
    return doc


def header(demo_path: Path) -> str:
    rel = demo_path.resolve().relative_to(ROOT) if demo_path.resolve().is_relative_to(ROOT) else demo_path
    return (
        "# GENERATED FILE, do not edit: the minimal catalog for the prompt-guard evaluation.\n"
        f"# Made from {rel} by: .venv/bin/python bench/make_minimal_catalog.py\n"
        "# (the rule and the table of official names are in that script).\n"
        "#\n"
        "# What a rightsholder really registers: each entry's official names in en, ja and, where\n"
        "# official, zh (simplified and traditional spellings of the same name) and ko, and one\n"
        "# English description. No nicknames, readings, romaji, style phrasings, context words or\n"
        "# ambiguous_names. Nothing is permitted (permissions: []).\n"
    )


def _q(value: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(value, ensure_ascii=False)


def _flow(mapping: Mapping[str, Any]) -> str:
    """{en: ["a", "b"], ja: ["c"]} or {en: "a"}, on one line."""
    cells = []
    for key, value in mapping.items():
        cell = "[" + ", ".join(_q(v) for v in value) + "]" if isinstance(value, list) else _q(value)
        cells.append(f"{key}: {cell}")
    return "{" + ", ".join(cells) + "}"


def to_yaml(doc: Mapping[str, Any]) -> str:
    """The document in the demo catalog's layout: one line per rightsholder, names on one line."""
    lines = [f"version: {doc['version']}", "", "rightsholders:"]
    for r in doc["rightsholders"]:
        extra = f", country: {r['country']}" if "country" in r else ""
        lines.append(f"  - {{id: {r['id']}, name: {_flow(r['name'])}{extra}}}")
    for section in SECTIONS:
        lines += ["", f"{section}:"]
        for e in doc[section]:
            lines.append(f"  - id: {e['id']}")
            lines += [f"    {k}: {e[k]}" for k in ("owner", "work") if k in e]
            lines.append(f"    names: {_flow(e['names'])}")
            if "description" in e:
                lines.append(f"    description: {_flow(e['description'])}")
    lines += ["", "permissions: []", ""]
    return "\n".join(lines)


def render(demo_path: Path) -> str:
    demo = yaml.safe_load(demo_path.read_text(encoding="utf-8"))
    doc = minimal_catalog(demo)
    body = to_yaml(doc)
    if yaml.safe_load(body) != doc:  # the hand-made layout must say exactly what the document says
        die("internal error: the rendered YAML does not read back as the document")
    return header(demo_path) + body


def validate(path: Path) -> int:
    from kyodaku.domain.errors import KyodakuError
    from kyodaku.registry.catalog import load_catalog

    try:
        catalog = load_catalog(path)
    except KyodakuError as exc:
        die(f"the generated catalog does not validate: {exc}")
    return len(catalog.entities)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", default=str(DEMO_CATALOG), help="source catalog (default: %(default)s)")
    ap.add_argument("-o", "--out", default=str(MINIMAL_CATALOG), help="output (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the output is not up to date")
    args = ap.parse_args(argv)
    demo_path = require_file(args.demo, "demo catalog")
    out = Path(args.out)
    text = render(demo_path)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        if current != text:
            print(f"{out} is out of date; run bench/make_minimal_catalog.py", file=sys.stderr)
            return 1
        print(f"{out} is up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    n = validate(out)
    names = sum(len(v) for s in SECTIONS for e in yaml.safe_load(text)[s] for v in e["names"].values())
    print(f"wrote {out}: {n} entries, {names} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
