"""Crash count of the prompt guard over random prompts from all of Unicode (issue 8: zero in 100,000).

Each prompt mixes random code points from every plane (lone surrogates, controls, combining marks,
right-to-left scripts, characters whose normalization changes length) with names and tricky
characters in the scripts the demo catalog's names use, so the matchers really fire. Prompts are
screened in batches through `Guard.screen_many`, the path the CLI batch and the API take. A crash
is any exception out of the guard, or a decision that failed closed (the guard could not decide);
refusals of input that cannot be screened (empty, a lone surrogate) are counted apart. The
baseline, in the same run, is the naive substring filter over the same prompts, for the speed ratio.

    .venv/bin/python bench/fuzz_prompts.py                    # 100,000 prompts, lexical matchers
    .venv/bin/python bench/fuzz_prompts.py -n 20000 --semantic
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
import traceback

from _common import DEMO_CATALOG, machine_line, require_file

PIECES = [
    "Pikachu", "ピカチュウ", "ぴかちゅう", "皮卡丘", "피카츄", "Totoro", "Cloud", "Mario", "Ghibli",
    "ジブリ風",
    "超人", "超人类", "Maß", "Straße", "ﬁ", "ﬃ", "ﬆ", "㌀", "ⅻ", "ß", "ẞ", "ǅ", "İ", "ŉ", "ｶﾞ", "ﾋﾟ", "゙", "゛",
    "\u0301", "\u200d", "\x00", "\u202e", "שלום", "مرحبا", " ", "  ", "P1k@chu", "Рikасhu", "Пикачу", "ー",
    "ッ", "ァ", "ヴ", "가", "人", "\ufeff", "\U0001f600", "\U000e0041", "\uffff", "\ud800",
]  # fmt: skip


def random_prompt(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 20)):
        roll = rng.random()
        if roll < 0.45:
            parts.append(rng.choice(PIECES))
        elif roll < 0.75:
            parts.append(chr(rng.randint(0, 0x10FFFF)))
        elif roll < 0.9:
            parts.append(chr(rng.randint(0x20, 0x30FF)))  # the busy part of the BMP
        else:
            parts.append(" ")
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=100_000, help="prompts to screen (default 100,000)")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--semantic", action="store_true", help="also run the semantic matcher (slower)")
    ap.add_argument("--catalog", default=str(DEMO_CATALOG))
    args = ap.parse_args()
    require_file(args.catalog, "catalog")

    from kyodaku.domain.errors import InvalidInput
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.screening import Guard, GuardOptions

    catalog = load_catalog(args.catalog)
    guard = Guard.from_catalog(catalog, GuardOptions(semantic=args.semantic, themes=False))
    rng = random.Random(args.seed)
    prompts = [random_prompt(rng) for _ in range(args.n)]

    crashes: collections.Counter[str] = collections.Counter()
    examples: dict[str, tuple[str, str]] = {}
    refused = failed_closed = flagged = 0
    began = time.perf_counter()
    for at in range(0, len(prompts), 64):
        chunk = prompts[at : at + 64]
        try:
            results = guard.screen_many([(str(at + k), p) for k, p in enumerate(chunk)])
        except Exception as exc:  # counting crashes is the point
            results = [exc] * len(chunk)
        for text, res in zip(chunk, results, strict=True):
            if isinstance(res, InvalidInput):
                refused += 1
            elif isinstance(res, Exception):
                name = f"{type(res).__name__}: {str(res)[:80]}"
                crashes[name] += 1
                examples.setdefault(name, (text, "".join(traceback.format_exception(res))[-400:]))
            elif res.failed_closed:
                failed_closed += 1
                crashes["failed closed: " + "; ".join(res.notes)[:80]] += 1
            elif res.verdict.value != "allow":
                flagged += 1
    guard_s = time.perf_counter() - began

    names = [n.casefold() for e in catalog.entities for ns in e.names.values() for n in ns]
    began = time.perf_counter()
    baseline_hits = sum(any(n in p.casefold() for n in names) for p in prompts)
    base_s = time.perf_counter() - began

    print(f"# {machine_line()}")
    print(f"prompts {args.n:,} (seed {args.seed}), semantic {'on' if args.semantic else 'off'}")
    crashed = sum(crashes.values()) - failed_closed
    print(f"crashes {crashed}, failed closed {failed_closed}, refused {refused}")
    print(f"flagged {flagged:,} ({flagged / args.n:.1%}); substring filter flags {baseline_hits:,}")
    print(f"guard {args.n / guard_s:,.0f} prompts/s; substring filter {args.n / base_s:,.0f}/s")
    for name, count in crashes.most_common(10):
        text, tb = examples.get(name, ("", ""))
        print(f"  {count} x {name}\n    e.g. {text!r}\n    {tb}")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
