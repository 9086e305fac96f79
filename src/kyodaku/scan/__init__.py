"""The training-data consent scanner: `kyodaku scan` and its Python API.

    from kyodaku.scan import ScanOptions, scan, iter_scan
    report = scan(ScanOptions(Path("shards/"), licensee="acme", out=Path("clean/"),
                              signing_key=Path("scan.key")))
    for checked in iter_scan(ScanOptions(Path("shards/"), licensee="acme"), kept_only=True):
        train_on(checked.sample)

Modules: `model` (samples, signals), `layout` and `readers/` (dataset layouts), `signals/` (opt-out
signals), `checks` (judging samples), `worker` (one shard), `executors` (local pool, Ray),
`state` (resume), `finish` (outputs), `merkle`, `signing`, `manifest` (the signed audit manifest),
`engine` (the entry points). docs/scan.md explains formats, signals, reason codes and the manifest.
"""

from __future__ import annotations

from kyodaku.scan.engine import CheckedSample, ScanHooks, ScanIncomplete, ScanReport, iter_scan, scan
from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.options import ScanOptions

__all__ = [
    "CheckedSample",
    "ReaderOptions",
    "ScanHooks",
    "ScanIncomplete",
    "ScanOptions",
    "ScanReport",
    "iter_scan",
    "scan",
]
