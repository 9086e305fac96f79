"""How long `load_catalog` takes on a 40,000-character JSON catalog, beside the old way, in one run.

Measured:

* `load_catalog` (the quick road: `json`, the compiled schema yes/no, the model, the rules between
  entries; lines are read only when there is a problem), best of --runs, and its stages;
* baseline: the old way on the same file, i.e. the thorough road alone (PyYAML's pure-Python
  composer for the line of every field, then jsonschema's `iter_errors`), best of --baseline-runs;
  the ratio of the two;
* the same file with one mistake in its last entry: the time to the error report (the quick
  road gives up, the thorough one locates the mistake) and the report itself;
* with --yaml, the same catalog as YAML: libyaml (the quick road) against the old way.

The catalog is built from ../shared/data/danbooru-tags by bench/build_danbooru_catalog.py unless
--catalog names one.

    .venv/bin/python bench/catalog_load.py                       # ~2 min; builds the Danbooru catalog
    .venv/bin/python bench/catalog_load.py --catalog /tmp/danbooru.json --skip-error-case
    .venv/bin/python bench/catalog_load.py --yaml                # ~3 min more
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from _common import DANBOORU_CSV, die, file_digest, machine_line, require_file

TARGET_S = 3.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--catalog", help="a JSON catalog (default: build the Danbooru one in a temporary folder)"
    )
    ap.add_argument("--runs", type=int, default=3, help="load_catalog runs, best kept (default: %(default)s)")
    ap.add_argument(
        "--baseline-runs",
        type=int,
        default=1,
        help="old-way runs, best kept (default: %(default)s; ~40 s each)",
    )
    ap.add_argument("--skip-error-case", action="store_true", help="do not time a catalog with a mistake")
    ap.add_argument("--yaml", action="store_true", help="also time the same catalog written as YAML")
    return ap.parse_args(argv)


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Least wall time of `runs` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def danbooru_catalog(out_dir: Path) -> Path:
    import build_danbooru_catalog as builder

    try:
        tags = builder.read_tags(DANBOORU_CSV)
    except builder.DataError as exc:
        die(f"{exc}; the Danbooru tag list from ../shared/data is needed (or pass --catalog)")
    data, _ = builder.build_catalog(tags, None)
    path = out_dir / "danbooru.json"
    builder.write(data, path)
    return path


def quick_stages(raw: bytes) -> dict[str, float]:
    """Seconds of each step of the quick road, as `load_catalog_text` runs them (cyclic GC paused)."""
    from kyodaku.registry import catalog as cat
    from kyodaku.registry.catalog_quick import paused_cyclic_gc, quick_parse
    from kyodaku.registry.documents import Format, LineIndex, ParsedDocument

    out: dict[str, float] = {}
    with paused_cyclic_gc():
        t = time.perf_counter()
        data = quick_parse(raw, Format.JSON)
        out["parse (json)"] = time.perf_counter() - t
        t = time.perf_counter()
        accepted = cat._schema_accepts()(data)
        out["schema yes/no"] = time.perf_counter() - t
        loader = cat._Loader(ParsedDocument(data, LineIndex(), []), "bench.json")
        t = time.perf_counter()
        loader._check_duplicates(data)
        out["duplicate ids"] = time.perf_counter() - t
        t = time.perf_counter()
        catalog, origins = loader._build(data)
        out["build model"] = time.perf_counter() - t
        t = time.perf_counter()
        loader._check_integrity(catalog, origins)
        out["integrity"] = time.perf_counter() - t
    if not accepted or loader.issues:
        die("the catalog has problems; the quick road does not apply to it")
    return out


def old_stages(raw: bytes, name: str, fmt: Any) -> dict[str, float]:
    """Seconds of the old way's costly steps: locating parse, then jsonschema's error walk."""
    from kyodaku.registry import catalog as cat
    from kyodaku.registry.documents import parse_document

    out: dict[str, float] = {}
    t = time.perf_counter()
    doc = parse_document(raw, name, fmt)
    out["parse with lines (PyYAML composer)"] = time.perf_counter() - t
    t = time.perf_counter()
    errors = sum(1 for _ in cat._validator().iter_errors(doc.data))
    out["jsonschema iter_errors"] = time.perf_counter() - t
    if errors:
        die("the catalog has schema errors")
    return out


def with_mistake(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The catalog with an unknown key in its last character: what the report must locate."""
    broken = dict(data)
    broken["characters"] = [*data["characters"][:-1], {**data["characters"][-1], "colour": "red"}]
    return broken, f"characters[{len(data['characters']) - 1}].colour"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    with tempfile.TemporaryDirectory(prefix="kyodaku-catalog-load-") as tmp_name:
        tmp = Path(tmp_name)
        path = require_file(args.catalog, "catalog") if args.catalog else danbooru_catalog(tmp)
        return run(args, path, tmp)


def run(args: argparse.Namespace, path: Path, tmp: Path) -> int:
    from kyodaku.domain.errors import CatalogError
    from kyodaku.registry import catalog as cat
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.registry.documents import Format, parse_document

    raw = path.read_bytes()
    data = json.loads(raw)
    print(f"kyodaku catalog load  {date.today().isoformat()}  {machine_line()}")
    print(
        f"catalog {path.name} ({file_digest(path)}): {len(raw) / 1e6:.1f} MB, "
        + ", ".join(
            f"{len(data.get(s) or [])} {s}" for s in ("rightsholders", *cat.ENTITY_SECTIONS, "permissions")
        )
    )

    def old_way(p: Path, fmt: Format) -> Any:
        return cat._Loader(parse_document(p.read_bytes(), str(p), fmt), str(p)).load()

    new_s, catalog = best_of(args.runs, lambda: load_catalog(path))
    old_s, old_catalog = best_of(args.baseline_runs, lambda: old_way(path, Format.JSON))
    if old_catalog != catalog:  # source_dir is not compared
        die("the old way loaded a different catalog")
    verdict = "meets" if new_s <= TARGET_S else "MISSES"
    print()
    print(f"load_catalog (best of {args.runs}):  {new_s:6.2f} s   ({verdict} the {TARGET_S:.0f} s target)")
    print(f"old way      (best of {args.baseline_runs}):  {old_s:6.2f} s   ratio {old_s / new_s:.1f}x")
    print("  quick road stages: " + "; ".join(f"{k} {v:.2f} s" for k, v in quick_stages(raw).items()))
    print(
        "  old way stages:    "
        + "; ".join(f"{k} {v:.2f} s" for k, v in old_stages(raw, "bench.json", Format.JSON).items())
    )

    if not args.skip_error_case:
        broken, field = with_mistake(data)
        broken_path = tmp / "danbooru-broken.json"
        broken_path.write_text(json.dumps(broken, ensure_ascii=False, indent=2), encoding="utf-8")
        t0 = time.perf_counter()
        try:
            load_catalog(broken_path)
        except CatalogError as exc:
            report = exc.issues
        else:
            die("the broken catalog loaded")
        error_s = time.perf_counter() - t0
        located = [i for i in report if i.field == field]
        print()
        print(f"one mistake in the last entry: reported in {error_s:.2f} s (the thorough road, as before)")
        for issue in report:
            print(f"  {issue}")
        if not located:
            die(f"the report does not name {field}")

    if args.yaml:
        import yaml

        yaml_path = tmp / "danbooru.yaml"
        yaml_path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False))
        yaml_new, _ = best_of(args.runs, lambda: load_catalog(yaml_path))
        yaml_old, _ = best_of(args.baseline_runs, lambda: old_way(yaml_path, Format.YAML))
        print()
        print(
            f"same catalog as YAML ({yaml_path.stat().st_size / 1e6:.1f} MB, "
            f"libyaml {yaml.__with_libyaml__}):"
        )
        print(
            f"  load_catalog {yaml_new:6.2f} s   old way {yaml_old:6.2f} s   ratio {yaml_old / yaml_new:.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
