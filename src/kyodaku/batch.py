"""Batch screening of a JSONL file: `kyodaku screen --input IN.jsonl --output OUT.jsonl`.

Every input line gets exactly one output line, in input order: a decision, or
an error record naming the line and what is wrong with it (invalid UTF-8, bad
JSON, no text, a prompt too long). Nothing is lost and the batch carries on.
A prompt whose screening raises unexpectedly (a bug in a matcher) is not an
error record but a decision failed closed: BLOCK, `failed_closed: true`,
`reason: "screening_error"` and the exception's `error_class` (the guard makes
it, `Guard._screening_error`, and logs the traceback); the summary counts these
apart (`failed_closed`). The output is written to a temporary file and renamed
at the end, so a crash never leaves a half-written result behind.

Work is spread over processes (one per core by default), each holding its own
compiled snapshot; chunks keep the inter-process overhead small and let the
semantic matcher encode many prompts in one call.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kyodaku.atomic import atomic_writer
from kyodaku.domain.errors import InvalidInput, KyodakuError
from kyodaku.policy.engine import ScreenContext

CHUNK = 64


@dataclass(frozen=True)
class BatchOptions:
    input: Path
    output: Path
    catalog: Path | None = None
    database_url: str | None = None
    context: ScreenContext = field(default_factory=ScreenContext)
    semantic: bool | None = None  # None: the KYODAKU_SEMANTIC setting (default on)
    workers: int = 1
    # Append every decision to the generation ledger in this database (provenance/ledger.py); each
    # output line then carries its `ledger_id`. None: no ledger.
    ledger_url: str | None = None
    ledger_prompt_text: bool = False


@dataclass
class BatchSummary:
    total: int = 0
    screened: int = 0
    failed: int = 0  # error records: the line could not be screened (the caller's input)
    failed_closed: int = 0  # decisions (counted in `screened`) blocked because screening could not decide
    verdicts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # screening only
    prepare_seconds: float = 0.0  # loading the catalog or registry and compiling the snapshot
    output: str = ""

    def describe(self) -> str:
        rate = self.screened / self.seconds if self.seconds else 0.0
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.verdicts.items()))
        return (
            f"{self.total} lines: {self.screened} screened ({counts}), "
            f"{self.failed_closed} failed closed, {self.failed} failed; "
            f"{rate:,.0f} prompts/s (after {self.prepare_seconds:.1f} s to load and compile) -> {self.output}"
        )


@dataclass(frozen=True)
class _Item:
    line: int
    id: Any
    text: str | None
    error: dict[str, Any] | None = None


def read_items(path: Path) -> Iterator[_Item]:
    """Parse input lines; a malformed line becomes an item carrying its error."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        for n, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield _Item(
                    n,
                    None,
                    None,
                    _err(n, None, "invalid_utf8", f"line {n} is not valid UTF-8 ({exc.reason})"),
                )
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield _Item(n, None, None, _err(n, None, "invalid_json", f"line {n} is not JSON: {exc.msg}"))
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                item_id = obj.get("id") if isinstance(obj, dict) else None
                yield _Item(
                    n, item_id, None, _err(n, item_id, "invalid_input", f'line {n} needs a string "text"')
                )
                continue
            yield _Item(n, obj.get("id", n), obj["text"])


def _err(line: int, item_id: Any, code: str, message: str) -> dict[str, Any]:
    return {"id": item_id, "line": line, "verdict": None, "error": code, "message": message}


_GUARD = None


def _init_worker(options: BatchOptions) -> None:
    global _GUARD
    from kyodaku.screening import Guard, guard_options

    gopts = guard_options(options.semantic)
    if options.catalog is not None:
        _GUARD = Guard.from_file(str(options.catalog), gopts)
    else:
        from kyodaku.registry.store import RegistryStore

        _GUARD = Guard.from_catalog(RegistryStore(options.database_url or "").catalog_at(), gopts)


def _screen_chunk(args: tuple[list[_Item], ScreenContext]) -> list[dict[str, Any]]:
    items, ctx = args
    if _GUARD is None:
        raise RuntimeError("worker not initialised")
    good = [item for item in items if item.error is None]
    screened = iter(_GUARD.screen_many([(item.id, item.text or "") for item in good], ctx))
    results = []
    for item in items:
        if item.error is not None:
            results.append(item.error)
            continue
        outcome = next(screened)
        if isinstance(outcome, KyodakuError):
            results.append(_err(item.line, item.id, outcome.code, outcome.message))
        else:
            results.append({**outcome.to_dict(), "line": item.line})
    return results


def _chunks(items: list[_Item]) -> list[list[_Item]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def run_batch(options: BatchOptions, console: Console | None = None) -> BatchSummary:
    import time

    console = console or Console(stderr=True)
    items = list(read_items(options.input))
    summary = BatchSummary(total=len(items), output=str(options.output))
    options.output.parent.mkdir(parents=True, exist_ok=True)
    prepared = time.perf_counter()
    _init_worker(options)  # load and compile once, before the clock: forked workers share it
    summary.prepare_seconds = time.perf_counter() - prepared
    ledger, texts = None, {}
    if options.ledger_url:
        from kyodaku.provenance.ledger import Ledger

        ledger, texts = Ledger(options.ledger_url), {item.line: item.text for item in items}
    started = time.perf_counter()
    try:
        with atomic_writer(options.output, text=True) as sink, _progress(console) as progress:
            task = progress.add_task("screening", total=len(items))
            for results in _map(options, _chunks(items)):
                for r in results:
                    if ledger is not None and not r.get("error"):
                        r["ledger_id"] = _record(ledger, r, texts.get(r.get("line")), options)
                    sink.write(json.dumps(r, ensure_ascii=False) + "\n")
                    if r.get("error"):
                        summary.failed += 1
                    else:
                        summary.screened += 1
                        summary.verdicts[r["verdict"]] = summary.verdicts.get(r["verdict"], 0) + 1
                        summary.failed_closed += bool(r.get("failed_closed"))
                progress.advance(task, len(results))
    finally:
        if ledger is not None:
            ledger.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _record(ledger: Any, decision: dict[str, Any], text: str | None, options: BatchOptions) -> str:
    from kyodaku.provenance.entry import Record

    record = Record(source="cli", prompt=text, keep_prompt_text=options.ledger_prompt_text)
    return ledger.append({k: v for k, v in decision.items() if k != "line"}, record).entry_id


def _map(options: BatchOptions, chunks: list[list[_Item]]) -> Iterator[list[dict[str, Any]]]:
    args = [(c, options.context) for c in chunks]
    # run_batch compiled the snapshot; forked workers share it and the model copy-on-write.
    if options.workers <= 1 or len(chunks) <= 1 or not hasattr(os, "fork"):
        yield from map(_screen_chunk, args)
        return
    import multiprocessing as mp

    with mp.get_context("fork").Pool(min(options.workers, len(chunks))) as pool:
        yield from pool.imap(_screen_chunk, args)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )
