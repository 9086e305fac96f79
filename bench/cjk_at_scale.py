"""Ordinary Japanese, Chinese, Korean and Russian prompts against the 40,931-character Danbooru
catalog: how many are blocked, and through what.

Why: issue 8's precision target at 40k is measured on English tag prompts (`bench/speed.py`, 4.7 %
blocked). The rightsholders who asked for this system are Japanese, and so are many of its users;
a Japanese sentence has no spaces, is full of one-kana syllables and katakana loanwords, and meets
a catalog of tens of thousands of Latin names very differently.

    .venv/bin/python bench/cjk_at_scale.py
    PYTHONPATH=OLD/src .venv/bin/python bench/cjk_at_scale.py    # the same on an older tree

Russian was added when a probe found nearly every Russian prompt blocked at this scale (the
preposition "на" read as the name "Naa" in disguise): its ordinary prompts are
bench/data/ordinary-ru.jsonl (120 written for this bench, none naming an entry) and the benign
Russian prompts of the other sets. `--half tune` and `--half report` split every group as
bench/eval_prompts.py splits a set.

Prompts (no labels needed: none of them names a character):
* `ordinary`: every line of the background corpus written in Japanese, Chinese or Korean
  (src/kyodaku/data/background_prompts.txt: ordinary prompts by construction) and every prompt of
  category `benign` in bench/data/*.jsonl in those languages;
* `shared-word`: the prompts of category `benign_shared` in those languages (a registered name used
  as an ordinary word: マリオネット, ソニックブーム); against this catalog, names of its own may be
  among them, so read those as a second, harder group.
Printed: per language and group, the prompts blocked or held, and the findings' surfaces that
blocked the most prompts (what to look at next).

`--positives` also screens every Japanese and Russian prompt that names an entry (the
positive categories of bench/data/*.jsonl, both halves: none of them was written for this catalog,
whose names are Latin only), and counts those blocked or held, and those blocked or held with an
entry of the expected one: a Danbooru id equal to the expected id or starting with it and a hyphen
("mickey-mouse", "sephiroth-ever-crisis"), a heuristic that also counts a sequel's game. What it
measures is how far Japanese and Russian written for Latin names reach them (by ear, romaji).

`--katakana-pairs N` also screens N random pairs of ordinary katakana words (the generated list,
src/kyodaku/data/ja_katakana_words.tsv, Zipf >= 3), each written three ways, as Japanese lists
things and joins words: with a name dot, with a space and run together (ミソ・ライスの写真,
ミソ ライスの写真, ミソライスの写真). A pair of words is no character's name, though by chance a
few spell one. `--pairs-half tune` draws them with seed 7 (the pairs rules were developed on), and
`report` (the default) with seed 8.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from collections import Counter
from pathlib import Path

from _common import DANBOORU_CSV, ROOT, machine_line, require_file
from eval_prompts import SPLITS, assign_splits, load_records
from speed import danbooru_catalog

LANGS = ("ja", "zh", "ko", "ru")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=12, help="surfaces to list")
    ap.add_argument(
        "--half",
        choices=("all", *SPLITS),
        default="all",
        help="only the prompts of one half (bench/eval_prompts.py's split; corpus lines by their hash)",
    )
    ap.add_argument(
        "--katakana-pairs", type=int, default=0, metavar="N", help="random pairs of katakana words to screen"
    )
    ap.add_argument("--pairs-half", choices=tuple(PAIR_SEEDS), default="report")
    ap.add_argument("--positives", action="store_true", help="ja and ru prompts naming an entry")
    return ap.parse_args(argv)


PAIR_SEEDS = {"tune": 7, "report": 8}
PAIR_SEPARATORS = ("・", " ", "")


POSITIVE_LANGS = ("ja", "ru")


def positives() -> list[tuple[str, str, tuple[str, ...]]]:
    """(lang, text, expected ids) of every Japanese or Russian prompt of a positive category, each
    text once."""
    out: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for path in sorted((ROOT / "bench" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            positive = r.get("category") not in ("benign", "benign_shared") and r.get("expected")
            if r.get("lang") in POSITIVE_LANGS and positive:
                out.setdefault(r["text"], (r["lang"], r["text"], tuple(r["expected"])))
    return list(out.values())


def _expected(found: set[str], expected: tuple[str, ...]) -> bool:
    return any(f == e or f.startswith(e + "-") for f in found for e in expected)


def katakana_pairs(n: int, seed: int) -> list[str]:
    """`n` random pairs of ordinary katakana words, each joined by every PAIR_SEPARATORS, as prompts."""
    import random

    from kyodaku.text.katakana_words import katakana_words

    words = sorted(w for w, k in katakana_words().items() if k.zipf >= 3.0)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        a, b = rng.choice(words), rng.choice(words)
        out.extend(f"{a}{sep}{b}の写真" for sep in PAIR_SEPARATORS)
    return out


def prompts(half: str = "all") -> list[tuple[str, str, str]]:
    """(group, lang, text) for every prompt described in the module docstring, each text once; of
    one half only, when `half` is "tune" or "report" (labelled sets by bench/eval_prompts.py's
    split, corpus lines by the parity of their SHA-256)."""
    from kyodaku.text.semantic import script_group

    out: dict[str, tuple[str, str, str]] = {}
    corpus = ROOT / "src" / "kyodaku" / "data" / "background_prompts.txt"  # this checkout's, not the tree's
    lines = corpus.read_text(encoding="utf-8").splitlines()
    for text in (line.strip() for line in lines if line.strip() and not line.startswith("#")):
        lang = script_group(text)
        side = ("tune", "report")[hashlib.sha256(text.encode()).digest()[0] % 2]
        if lang in LANGS and half in ("all", side):
            out.setdefault(text, ("ordinary", lang, text))
    for path in sorted((ROOT / "bench" / "data").glob("*.jsonl")):
        records = load_records(path)
        labels = assign_splits(records)
        for r in records:
            group = {"benign": "ordinary", "benign_shared": "shared-word"}.get(r.category)
            if group and r.lang in LANGS and half in ("all", labels[r.id]):
                out.setdefault(r.text, (group, r.lang, r.text))
    return list(out.values())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    require_file(DANBOORU_CSV, "the Danbooru tag list in ../shared/data")
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard, guard_options

    print(f"kyodaku cjk_at_scale  {machine_line()}")
    with tempfile.TemporaryDirectory(prefix="kyodaku-cjk-") as tmp:
        path, note = danbooru_catalog(Path(tmp), None, False)
        guard = Guard.from_catalog(load_catalog(path), guard_options(True))
    print(note)
    total: Counter[tuple[str, str]] = Counter()
    blocked: Counter[tuple[str, str]] = Counter()
    surfaces: Counter[str] = Counter()
    for group, lang, text in prompts(args.half):
        total[group, lang] += 1
        decision = guard.screen_prompt(text)
        if decision.verdict.value != "allow":
            blocked[group, lang] += 1
            surfaces.update({f.evidence.text for f in decision.findings if f.evidence.text})
    print("\ngroup        lang  blocked / prompts")
    for group in ("ordinary", "shared-word"):
        for lang in LANGS:
            n = total[group, lang]
            if n:
                b = blocked[group, lang]
                print(f"{group:12} {lang:4}  {b:4} / {n:<4} {100 * b / n:5.1f} %")
        n, b = sum(total[group, x] for x in LANGS), sum(blocked[group, x] for x in LANGS)
        print(f"{group:12} all   {b:4} / {n:<4} {100 * b / max(n, 1):5.1f} %")
    top = ", ".join(f"{s} ({k})" for s, k in surfaces.most_common(args.examples))
    print(f"\nsurfaces that blocked the most prompts: {top}")
    if args.positives:
        rows = positives()
        held: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for lang, text, expected in rows:
            decision = guard.screen_prompt(text)
            if decision.verdict.value != "allow":
                held[lang] += 1
                right[lang] += _expected({f.entity for f in decision.findings}, expected)
        for lang in POSITIVE_LANGS:
            n = sum(1 for row in rows if row[0] == lang)
            print(
                f"\n{lang} prompts naming an entry: {held[lang]} / {n} blocked or held, "
                f"{right[lang]} of them with the expected entry"
            )
    if args.katakana_pairs:
        pairs = katakana_pairs(args.katakana_pairs, PAIR_SEEDS[args.pairs_half])
        found: Counter[str] = Counter()
        held = 0
        for text in pairs:
            decision = guard.screen_prompt(text)
            if decision.verdict.value != "allow":
                held += 1
                seen = {f"{f.evidence.text} ({f.entity})" for f in decision.findings if f.evidence.text}
                found.update(seen)
        print(
            f"\nkatakana word pairs ({args.pairs_half} half, seed {PAIR_SEEDS[args.pairs_half]}): "
            f"{held} / {len(pairs)} blocked ({100 * held / len(pairs):.2f} %)"
        )
        print("surfaces: " + ", ".join(f"{s} {k}" for s, k in found.most_common(args.examples)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
