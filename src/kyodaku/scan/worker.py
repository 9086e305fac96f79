"""One shard, scanned: read, check, write the kept samples and both lists, commit atomically.

The same function runs in the scanning process, in a local pool's workers and in Ray tasks, so the
executors differ only in where it runs, never in what a shard produces (which is why the outputs
of the local and the Ray executor are byte-identical). Each process builds its guard and opens its
layout once (`_worker_for`) and keeps them for every shard it is given.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kyodaku.scan.checks import SampleChecker, SampleResult
from kyodaku.scan.layout import InputFile, Layout, Shard
from kyodaku.scan.model import Sample
from kyodaku.scan.options import ScanOptions
from kyodaku.scan.source import RegistrySource
from kyodaku.scan.state import SHARD_SUMMARY, ScanState, canonical

BATCH = 32
"""Samples checked together: captions are embedded in one call per batch."""
KEPT_LIST = "kept.jsonl"
EXCLUDED_LIST = "excluded.jsonl"
KEPT_DIR = "kept"


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to scan any shard of one scan (pickled to pool workers and Ray tasks)."""

    options: ScanOptions
    at: datetime
    source: RegistrySource

    @property
    def key(self) -> str:
        return canonical(
            {"settings": self.options.settings(self.at), "registry": self.source.describe(),
             "dataset": str(self.options.dataset)}
        ).decode()  # fmt: skip


@dataclass
class ShardOutcome:
    """What one shard produced; saved as the shard's `shard.json` and merged into the summary."""

    id: str
    name: str
    samples: int = 0
    kept: int = 0
    excluded: int = 0
    warned: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    by_rightsholder: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    """CPU time of the process that scanned the shard (all its threads): per-core throughput that a
    busy machine does not distort the way it distorts wall time."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def load(cls, part: Path) -> ShardOutcome:
        return cls(**json.loads((part / SHARD_SUMMARY).read_text("utf-8")))

    def count(self, result: SampleResult) -> None:
        self.samples += 1
        if result.kept:
            self.kept += 1
            self.warned += bool(result.warnings)
        else:
            self.excluded += 1
        for reason in result.reasons:
            self.by_reason[reason] = self.by_reason.get(reason, 0) + 1
        for reason in result.warnings:
            key = f"reported:{reason}"
            self.by_reason[key] = self.by_reason.get(key, 0) + 1
        for entity, owner in result.owners.items():
            holder = self.by_rightsholder.setdefault(
                owner.get("id", ""), {"name": owner.get("name", ""), "country": owner.get("country", ""),
                                      "samples": 0, "entities": {}}
            )  # fmt: skip
            holder["entities"][entity] = holder["entities"].get(entity, 0) + 1
        for owner_id in {o.get("id", "") for o in result.owners.values()}:
            self.by_rightsholder[owner_id]["samples"] += 1


SCAN_PYRAMID = (4, 1.5)
"""The query ORB pyramid of the scan's full tier (GuardOptions.query_pyramid; docs/scan.md)."""


class _Worker:
    def __init__(self, config: WorkerConfig) -> None:
        from kyodaku.scan.readers import open_layout

        self.layout: Layout = open_layout(
            config.options.dataset, config.options.reader, config.options.layout
        )
        full = config.options.media == "full"
        # The full tier: local features on a coarser query pyramid over the same span (4 x 1.5),
        # and OpenCV on one thread: a scan's parallelism is its worker processes, one per core.
        guard = config.source.build_guard(local_features=full, regions=not full, pyramid=SCAN_PYRAMID)
        if full:
            import cv2

            cv2.setNumThreads(1)
        guard.warm()
        self.checker = SampleChecker(guard, config.options, config.at)


_WORKERS: dict[str, _Worker] = {}


def _worker_for(config: WorkerConfig) -> _Worker:
    worker = _WORKERS.get(config.key)
    if worker is None:
        _WORKERS.clear()  # one scan per process at a time: free the previous guard
        worker = _WORKERS[config.key] = _Worker(config)
    return worker


def prepare_worker(config: WorkerConfig) -> None:
    """Build this process's guard and layout now (before forking, so workers share them)."""
    _worker_for(config)


def batches(samples: Iterable[Sample], size: int = BATCH) -> Iterator[list[Sample]]:
    batch: list[Sample] = []
    for sample in samples:
        batch.append(sample)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def check_samples(config: WorkerConfig, samples: Iterable[Sample]) -> Iterator[tuple[Sample, SampleResult]]:
    """Every sample with its judgement, in order (the iterator form a data loader wraps)."""
    checker = _worker_for(config).checker
    for batch in batches(samples):
        yield from zip(batch, checker.check(batch), strict=True)


def run_shard(
    config: WorkerConfig, shard: Shard, progress: Callable[[int], None] | None = None
) -> ShardOutcome:
    """Scan one shard into its part folder and commit it; returns its outcome. Safe to repeat: a
    shard already done is not redone (its recorded outcome is returned)."""
    state = ScanState(config.options.out)
    if state.is_done(shard.id):
        return ShardOutcome.load(state.part(shard.id))
    began, cpu = time.perf_counter(), time.process_time()
    worker = _worker_for(config)
    tmp = state.begin(shard.id)
    outcome = ShardOutcome(shard.id, shard.name)
    (tmp / KEPT_DIR).mkdir()
    writer = worker.layout.writer(shard, tmp / KEPT_DIR)
    seen: dict[str, InputFile] = {}  # every member read, hashed once as read (see Member.sha256)
    with open(tmp / KEPT_LIST, "wb") as kept, open(tmp / EXCLUDED_LIST, "wb") as excluded:
        for batch in batches(worker.layout.read(shard)):
            for sample in batch:
                for m in sample.members:
                    if m.data is not None and m.sha256 is not None:
                        seen[m.name] = InputFile(m.name, m.sha256, len(m.data))
            for sample, result in zip(batch, worker.checker.check(batch), strict=True):
                outcome.count(result)
                line = canonical(result.record()) + b"\n"
                if result.kept:
                    writer.write(sample)
                    kept.write(line)
                else:
                    excluded.write(line)
            if progress is not None:
                progress(len(batch))
    written = writer.close()
    outcome.files = sorted(written.files)
    outcome.inputs = [f.to_dict() for f in worker.layout.input_files(shard, seen)]
    outcome.by_reason = dict(sorted(outcome.by_reason.items()))
    outcome.seconds = time.perf_counter() - began
    outcome.cpu_seconds = time.process_time() - cpu
    (tmp / SHARD_SUMMARY).write_bytes(canonical(outcome.to_dict()))
    state.commit(shard.id, tmp)
    return outcome


def reason_counts(outcomes: Iterable[ShardOutcome]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for outcome in outcomes:
        total.update(outcome.by_reason)
    return dict(sorted(total.items()))
