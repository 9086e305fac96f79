#!/usr/bin/env python3
"""Write the labelled parity prompt set built from the demo catalog.

Why a script and a committed file: the parity figures must be reproducible by anyone. The set is
a pure function of the catalog and the templates in `kyodaku.reports.labelled`; this script reads
the catalog, fills every template with the official name of every JP and US entry (and the benign
controls) and writes `src/kyodaku/data/parity/prompts.yaml`. Rerun it after changing the demo
catalog or the templates; `--check` exits 1 when the committed file is out of date (for CI).

    .venv/bin/python scripts/make_parity_set.py [--catalog examples/demo-catalog.yaml] [--out FILE] [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from kyodaku.registry.catalog import load_catalog
from kyodaku.reports.labelled import build_parity_set, catalog_sha256, set_document

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "examples" / "demo-catalog.yaml"
OUT = ROOT / "src" / "kyodaku" / "data" / "parity" / "prompts.yaml"
HEADER = """\
# kyodaku parity prompt set (generated: do not edit by hand).
#
# Made by scripts/make_parity_set.py from {catalog}: every request template of
# kyodaku.reports.labelled filled with the official name of every JP and US
# entry (in the template's language where the catalog has one, else English),
# plus benign controls that name nothing registered. Each item is labelled with
# its entity, kind, rightsholder, country, language, template and expected
# verdict. Read by `kyodaku report parity` and GET /v1/reports/parity.
"""


def render(catalog_path: Path) -> str:
    catalog = load_catalog(catalog_path)
    items = build_parity_set(catalog, countries=("JP", "US"))
    try:
        label = catalog_path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        label = catalog_path.name
    document = set_document(items, label, catalog_sha256(catalog_path))
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return HEADER.format(catalog=label) + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --out differs from what would be written"
    )
    args = parser.parse_args(argv)
    text = render(args.catalog)
    if args.check:
        current = args.out.read_text("utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: rerun scripts/make_parity_set.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    from kyodaku.atomic import write_atomic

    write_atomic(args.out, text.encode("utf-8"))
    items = text.count("\n- {id:")
    print(f"wrote {args.out} ({items} items)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
