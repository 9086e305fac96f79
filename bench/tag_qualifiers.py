"""Characters written as Danbooru tags, bracket and all ("elsa_(frozen)", "link_(zelda)"), in tag
prompts, against the 40,931-character Danbooru catalog: how many are flagged, beside the same
characters written by their display name and beside the same prompts with no character at all.

Why: image-generation prompts are often pasted from Danbooru, whose tags disambiguate a name shared
by several things with its series in brackets. Names that are ordinary words or first names ("Elsa",
"Link") are ambiguous and need support; the bracket is that support (text/tag_qualifier.py).

    .venv/bin/python bench/tag_qualifiers.py                       # 600 characters, seed 3
    PYTHONPATH=OLD/src .venv/bin/python bench/tag_qualifiers.py    # the same on an older tree

Prompts (one core; semantic matching on, as the guard's default):
* `qualified`: a tag prompt with one character tag whose Danbooru name has a bracket, written as
  the tag is (`elsa_(frozen)`), picked at random among those characters, weighted by posts;
* `display name`: the same prompt with the character's display name instead (`elsa`);
* `no character`: the same prompt without it (every flag there is a false positive).
Printed: the share flagged (block or review) per group and, for `qualified`, the share whose finding
is the intended character.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from _common import DANBOORU_CSV, machine_line, require_file
from speed import PromptMaker, danbooru_catalog, general_tags


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=600, help="characters (prompts per group)")
    ap.add_argument("--seed", type=int, default=3)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    require_file(DANBOORU_CSV, "the Danbooru tag list in ../shared/data")
    import build_danbooru_catalog as builder
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard, guard_options

    print(f"kyodaku tag_qualifiers  {machine_line()}")
    tmp = Path(tempfile.mkdtemp(prefix="kyodaku-tagq-"))
    path, note = danbooru_catalog(tmp, None, False)
    catalog = load_catalog(path)
    guard = Guard.from_catalog(catalog, guard_options(True))
    print(note)
    by_name: dict[str, set[str]] = {}
    for e in catalog.entities:
        if e.kind.value == "character":
            by_name.setdefault(e.display_name().casefold(), set()).add(e.id)
    qualified = [
        (t, builder.display_name(t.name))
        for t in builder.read_tags(DANBOORU_CSV)
        if t.category == "4" and builder.split_qualifiers(t.name)[1]
        and builder.display_name(t.name).casefold() in by_name
    ]  # fmt: skip
    rng = random.Random(args.seed)
    picked = rng.choices(qualified, [max(t.post_count, 1) ** 0.5 for t, _ in qualified], k=args.n)
    maker = PromptMaker(general_tags(DANBOORU_CSV), rng)
    counts = {"qualified": 0, "display name": 0, "no character": 0, "qualified, the intended entry": 0}
    for tag, name in picked:
        base = maker.tags_prompt()
        parts = base.split(", ")
        at = rng.randint(0, min(3, len(parts)))
        texts = {
            "qualified": ", ".join([*parts[:at], tag.name, *parts[at:]]),
            "display name": ", ".join([*parts[:at], name, *parts[at:]]),
            "no character": base,
        }
        for group, text in texts.items():
            decision = guard.screen_prompt(text)
            flagged = {e.entity for e in decision.entities if e.verdict.value in ("block", "review")}
            counts[group] += bool(flagged)
            if group == "qualified":
                counts["qualified, the intended entry"] += bool(flagged & by_name[name.casefold()])
    print(
        f"{len(qualified):,} Danbooru character tags with a bracket name a catalog character; {args.n} picked"
    )
    for group, n in counts.items():
        print(f"{group:<32} {n:>5} / {args.n}  {100 * n / args.n:5.1f} % flagged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
