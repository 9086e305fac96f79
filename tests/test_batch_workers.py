"""Batch screening on forked workers gives what one process gives (kyodaku.batch._map)."""

from __future__ import annotations

import json
from pathlib import Path

from kyodaku.batch import CHUNK, BatchOptions, run_batch

MINI = Path(__file__).parent / "data" / "mini-catalog.yaml"
TEXTS = ["Pikachu on a beach", "a dog in the park", "Superman over Tokyo", "a cloud at dusk"]


def _write_items(path: Path, n: int) -> None:
    lines = (json.dumps({"id": i, "text": TEXTS[i % len(TEXTS)]}) for i in range(n))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_when_a_batch_runs_on_two_workers_then_every_decision_equals_one_workers(tmp_path):
    src = tmp_path / "in.jsonl"
    _write_items(src, CHUNK * 2 + 7)
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"out-{workers}.jsonl"
        run_batch(BatchOptions(input=src, output=out, catalog=MINI, semantic=False, workers=workers))
        outputs[workers] = [(r["id"], r["verdict"], [f["entity"] for f in r["findings"]]) for r in _rows(out)]
    assert outputs[1] == outputs[2]
    assert {verdict for _, verdict, _ in outputs[1]} == {"block", "allow"}
