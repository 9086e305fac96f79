"""What one scan is asked to do, in one options object (the CLI, the Python API and Ray all pass it).

Why frozen and plain: the options travel to worker processes (pickled for a local pool, shipped to
Ray tasks) and are written, in `settings()`, into the scan's state and its signed manifest. A
resumed scan must be the *same* scan, so everything that changes a result is in here and in the
fingerprint, and nothing that only changes speed (workers, executor, progress) is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import ReaderOptions

EXECUTORS = ("local", "ray")
CHECKS = ("caption", "media", "signals")
"""The per-sample checks: the caption through the text guard, the media through the reference
banks, the opt-out signals the files carry. The registry's `train` permissions decide the first two."""
MEDIA_TIERS = ("full", "pdq")
"""How images are matched against the references. `full` (the default): PDQ in all eight dihedral
variants, then ORB local features, which find crops, framed and captioned copies (so PDQ's window
hashes, which need a colour decode, are left out). `pdq`: PDQ in its dihedral variants and its
top/bottom windows (captioned copies), no local features: a copy cropped by a tenth or more is no
longer found. docs/benchmarks.md section 8 measures both."""


@dataclass(frozen=True)
class ScanOptions:
    """One scan. `licensee` is the trainer whose `train` permissions are checked (required: a scan
    for nobody in particular would only ever find "nothing permitted"). `at` fixes the registry
    time the permissions are read at; None means now, fixed when the scan first starts and kept
    on resume. `report_unreadable` keeps samples whose only reasons are unreadable signals or
    files (listed with warnings) instead of excluding them (the default: consent first)."""

    dataset: Path
    licensee: str
    out: Path | None = None
    region: str | None = None
    at: datetime | None = None
    catalog: Path | None = None
    database_url: str | None = None
    signing_key: Path | None = None
    layout: str | None = None
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    checks: tuple[str, ...] = CHECKS
    media: str = "full"
    signals: tuple[str, ...] | None = None  # None: every registered opt-out signal
    report_unreadable: bool = False
    semantic: bool | None = None  # None: the KYODAKU_SEMANTIC setting (default on)
    executor: str = "local"
    workers: int | None = None  # None: every core
    ray_address: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        if not self.licensee or not self.licensee.strip():
            raise InvalidInput("a scan needs --licensee: whose `train` permissions to check")
        if self.executor not in EXECUTORS:
            raise InvalidInput(f"unknown executor {self.executor!r}; use one of {', '.join(EXECUTORS)}")
        if self.media not in MEDIA_TIERS:
            raise InvalidInput(f"unknown media tiers {self.media!r}; use one of {', '.join(MEDIA_TIERS)}")
        unknown = sorted(set(self.checks) - set(CHECKS))
        if unknown:
            raise InvalidInput(f"unknown check(s) {', '.join(unknown)}; use {', '.join(CHECKS)}")
        if not self.checks:
            raise InvalidInput("a scan with no checks would keep everything; name at least one check")
        if self.workers is not None and self.workers < 1:
            raise InvalidInput(f"--workers must be at least 1, not {self.workers}")
        if self.reader.shard_size < 1:
            raise InvalidInput(f"shard size must be at least 1, not {self.reader.shard_size}")

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    def settings(self, at: datetime) -> dict[str, Any]:
        """What changes a result, as recorded in the state and the manifest (no paths of the
        machine beyond the dataset's name: a manifest is shared with auditors)."""
        reader = self.reader
        return {
            "licensee": self.licensee,
            "region": self.region.upper() if self.region else None,
            "use": "train",
            "at": at.isoformat(),
            "checks": list(self.checks),
            "media": self.media,
            "signals": list(self.signals) if self.signals is not None else None,
            "unreadable": "report" if self.report_unreadable else "exclude",
            "semantic": self.semantic,
            "reader": {
                "layout": self.layout,
                "caption_column": reader.caption_column,
                "path_column": reader.path_column,
                "id_column": reader.id_column,
                "shard_size": reader.shard_size,
                "max_member_bytes": reader.max_member_bytes,
            },
        }
