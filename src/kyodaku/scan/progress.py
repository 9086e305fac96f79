"""The progress bar of a scan: shards done of planned, samples and samples/s, time left.

One implementation for the CLI and for `scan(options)` with `options.progress` (a notebook or a
pipeline script gets the same bar). Drawn on stderr, and only when stderr is a terminal: logs and
CI output stay clean.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kyodaku.scan.engine import ScanHooks


@contextmanager
def progress_bar(console: Console | None = None) -> Iterator[ScanHooks]:
    """Hooks that draw the bar while the `with` block runs (nothing when not on a terminal)."""
    console = console or Console(stderr=True)
    bar = Progress(
        TextColumn("scanning shards"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[samples]:,} samples, {task.fields[rate]:,.0f}/s"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    began = time.perf_counter()
    state: dict = {"task": None, "samples": 0}

    def planned(total: int, todo: int) -> None:
        state["task"] = bar.add_task("scan", total=total, completed=total - todo, samples=0, rate=0.0)

    def shard_done(n: int) -> None:
        if state["task"] is not None:
            bar.advance(state["task"], n)

    def samples(n: int) -> None:
        state["samples"] += n
        if state["task"] is not None:
            rate = state["samples"] / max(time.perf_counter() - began, 1e-9)
            bar.update(state["task"], samples=state["samples"], rate=rate)

    with bar:
        yield ScanHooks(planned, shard_done, samples)
