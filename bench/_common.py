"""Small helpers shared by the bench scripts: percentiles, the machine line, clear exits.

Kept free of kyodaku imports so a script can set thread variables before numpy loads. Importing it
puts the repository's samples/ folder on sys.path, so `kyodaku_samples` imports after it.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO_CATALOG = ROOT / "examples" / "demo-catalog.yaml"
DEVSET = ROOT / "bench" / "data" / "devset.jsonl"
FRESHSET = ROOT / "bench" / "data" / "freshset.jsonl"
"""Written after the guard was tuned and never used to tune it (bench/data/README.md)."""
MINIMAL_CATALOG = ROOT / "bench" / "data" / "minimal-catalog.yaml"
"""Official names and one description per entry; made by bench/make_minimal_catalog.py."""
DANBOORU_CSV = SHARED_DATA / "danbooru-tags" / "danbooru.csv"
SAMPLES = ROOT / "samples"
"""The synthetic media the media benchmarks draw (kyodaku_samples), deliberately not installed."""

if str(SAMPLES) not in sys.path:
    sys.path.insert(0, str(SAMPLES))


def die(message: str, code: int = 2) -> NoReturn:
    """Stop with a one-line reason on stderr (the bench scripts' way to say an input is missing)."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def require_file(path: Path | str, what: str, hint: str = "") -> Path:
    p = Path(path)
    if not p.is_file():
        die(f"{what} not found: {p}" + (f" ({hint})" if hint else ""))
    return p


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`; NaN for an empty sequence."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def machine_line() -> str:
    """Cores, CPU model and Python, as recorded next to every figure."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    return (
        f"{usable} usable cores (nproc) of {cores}, {model}, Python {platform.python_version()}, "
        f"{code_version()}"
    )


def file_digest(path: Path | str) -> str:
    """First 12 hex digits of a file's SHA-256, to tell which version of an input a figure used."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def code_version() -> str:
    """The commit the figures come from, and whether the working tree had uncommitted changes."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return f"commit {out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        return "commit unknown"


def pct(x: float) -> str:
    return "   n/a" if math.isnan(x) else f"{100 * x:5.1f}%"
