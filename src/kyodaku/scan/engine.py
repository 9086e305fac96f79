"""The scanner's entry points: `scan(ScanOptions) -> ScanReport`, and `iter_scan` for data loaders.

`scan` plans the dataset into shards, claims `--out` (a new folder, or the same scan to resume;
anything else is refused), runs the shards that are not done on the chosen executor, and, once
all are done, assembles the outputs and signs the manifest (finish.py). Nothing in the final
outputs depends on timing or on the executor, so a resumed or a Ray scan gives the same bytes as
an uninterrupted local one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kyodaku.domain.errors import ConfigurationError, InvalidInput, KyodakuError
from kyodaku.scan.checks import SampleResult
from kyodaku.scan.executors import ShardFailure, run_shards
from kyodaku.scan.finish import SUMMARY_JSON, finish
from kyodaku.scan.layout import Layout, Shard
from kyodaku.scan.model import Sample
from kyodaku.scan.options import ScanOptions
from kyodaku.scan.source import RegistrySource
from kyodaku.scan.state import ScanIdentity, ScanState
from kyodaku.scan.worker import ShardOutcome, WorkerConfig, check_samples, prepare_worker


class ScanIncomplete(KyodakuError):
    """Some shards failed; the others are done and kept. Rerunning the same command retries them."""

    exit_code = 10
    http_status = 500
    code = "scan_incomplete"


@dataclass
class ScanReport:
    """What a scan did: its counts (from the summary), where its outputs are, how long it took, how
    many shards this run scanned and how many an earlier run had finished."""

    out: Path
    summary: dict[str, Any]
    shards: int
    scanned_shards: int = 0
    resumed_shards: int = 0
    already_complete: bool = False
    seconds: float = 0.0
    setup_seconds: float = 0.0
    """Planning, pinning the registry and building the guard (once per process): not per sample."""
    scan_seconds: float = 0.0
    """Checking the shards and writing them: what `samples_per_second` divides by."""
    samples_scanned: int = 0
    scan_cpu_seconds: float = 0.0
    """CPU seconds the shards scanned by this run took, summed over the processes that scanned them."""
    failures: list[ShardFailure] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return self.summary.get("counts", {})

    @property
    def samples_per_second(self) -> float:
        return self.samples_scanned / self.scan_seconds if self.scan_seconds else 0.0

    @property
    def samples_per_cpu_second(self) -> float:
        """Samples per second of one core's time: what a core gives, however busy the machine."""
        return self.samples_scanned / self.scan_cpu_seconds if self.scan_cpu_seconds else 0.0


@dataclass(frozen=True)
class ScanHooks:
    """Progress callbacks for a front end (the CLI's bar): the plan once, then per shard and samples."""

    planned: Callable[[int, int], None] = lambda total, todo: None
    shard_done: Callable[[int], None] = lambda n: None
    samples: Callable[[int], None] = lambda n: None


def _open(options: ScanOptions) -> Layout:
    from kyodaku.scan.readers import open_layout

    if not options.dataset.exists():
        raise InvalidInput(f"{options.dataset}: no such file or folder", file=str(options.dataset))
    return open_layout(options.dataset, options.reader, options.layout)


def _recorded_at(state: ScanState) -> datetime | None:
    recorded = state.recorded()
    if recorded is None:
        return None
    at = recorded.get("identity", {}).get("settings", {}).get("at")
    return datetime.fromisoformat(at) if at else None


def plan(options: ScanOptions) -> tuple[Layout, list[Shard], ScanIdentity, WorkerConfig]:
    """Open the dataset, plan its shards, pin the registry and the time: the scan's identity."""
    if options.out is None:
        raise InvalidInput("a scan needs --out: the folder for its outputs")
    if options.dataset.is_dir() and options.out.resolve().is_relative_to(options.dataset.resolve()):
        # A scan writing inside its own input would read its outputs as samples when it resumes.
        raise InvalidInput(
            f"--out {options.out} is inside the dataset {options.dataset}; choose a folder outside it"
        )
    layout = _open(options)
    shards = layout.shards()
    state = ScanState(options.out)
    # The time is fixed when a scan first starts; a resumed scan without --at keeps it.
    # Microseconds kept: a registry change committed earlier in this same second is in force.
    at = options.at or _recorded_at(state) or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    source = RegistrySource.pin(options.catalog, options.database_url, at, options.semantic)
    identity = ScanIdentity(
        dataset=str(options.dataset.resolve()),
        layout=layout.name,
        shards=[
            {"id": s.id, "name": s.name, "source": list(s.source), "start": s.start, "stop": s.stop}
            for s in shards
        ],
        settings=options.settings(at),
        registry=source.describe(),
    )
    return layout, shards, identity, WorkerConfig(options, at, source)


def scan(options: ScanOptions, hooks: ScanHooks | None = None) -> ScanReport:
    """Scan a dataset into `options.out` (resuming an earlier run of the same scan); see module doc.

    Without `hooks`, `options.progress` draws a progress bar on stderr when it is a terminal."""
    if hooks is None and options.progress:
        from kyodaku.scan.progress import progress_bar

        with progress_bar() as bar:
            return _scan(options, bar)
    return _scan(options, hooks or ScanHooks())


def _scan(options: ScanOptions, hooks: ScanHooks) -> ScanReport:
    if options.signing_key is None:
        raise ConfigurationError(
            "a scan signs its manifest: give --signing-key FILE (create one with `kyodaku manifest keygen`)"
        )
    if not options.signing_key.is_file():
        raise InvalidInput(f"{options.signing_key}: no such signing key file", file=str(options.signing_key))
    began = time.perf_counter()
    layout, shards, identity, config = plan(options)
    if not shards:
        raise InvalidInput(f"{options.dataset}: no samples to scan", file=str(options.dataset))
    state = ScanState(options.out)
    resumed = state.claim(identity)
    report = ScanReport(options.out, {}, len(shards))
    if resumed and state.complete:
        report.summary = json.loads((options.out / SUMMARY_JSON).read_text("utf-8"))
        report.already_complete = True
        report.resumed_shards = len(shards)
        return report
    todo = [s for s in shards if not state.is_done(s.id)]
    report.resumed_shards = len(shards) - len(todo)
    hooks.planned(len(shards), len(todo))

    def count(n: int) -> None:
        report.samples_scanned += n
        hooks.samples(n)

    if options.executor == "local":
        prepare_worker(config)  # the guard, built once before the workers fork from this process
    report.setup_seconds = time.perf_counter() - began
    for done in run_shards(config, todo, hooks.shard_done, count):
        if isinstance(done, ShardFailure):
            report.failures.append(done)
        else:
            report.scanned_shards += 1
            report.scan_cpu_seconds += done.cpu_seconds
    if report.failures:
        names = "; ".join(f"{f.name}: {f.error}" for f in report.failures[:3])
        raise ScanIncomplete(
            f"{len(report.failures)} of {len(shards)} shards failed ({names}); the other shards are done "
            "and kept: run the same command again to retry the failed ones",
            failed=[f.__dict__ for f in report.failures],
        )
    report.scan_seconds = time.perf_counter() - began - report.setup_seconds
    report.summary = finish(state, identity, layout, shards, options.signing_key)
    report.seconds = time.perf_counter() - began
    return report


@dataclass(frozen=True)
class CheckedSample:
    """A sample with its judgement, as `iter_scan` yields it."""

    sample: Sample
    result: SampleResult

    @property
    def kept(self) -> bool:
        return self.result.kept


def iter_scan(options: ScanOptions, *, kept_only: bool = False) -> Iterator[CheckedSample]:
    """Every sample of the dataset with its judgement, streamed in order, in this process, with no
    outputs written: the form a training data loader wraps (`kept_only=True` yields what may be
    trained on). `options.out` is not used."""
    if options.out is None:
        options = replace(options, out=Path("."))
    layout = _open(options)
    at = options.at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    source = RegistrySource.pin(options.catalog, options.database_url, at, options.semantic)
    config = WorkerConfig(options, at, source)
    for shard in layout.shards():
        for sample, result in check_samples(config, layout.read(shard)):
            if kept_only and not result.kept:
                continue
            yield CheckedSample(sample, result)


__all__ = [
    "CheckedSample",
    "ScanHooks",
    "ScanIncomplete",
    "ScanOptions",
    "ScanReport",
    "ShardOutcome",
    "iter_scan",
    "scan",
]
