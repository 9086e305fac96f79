"""Nothing lost in a batch: a prompt or a media file whose screening raises unexpectedly (a bug,
provoked here with a plug-in matcher registered through the public `register_matcher`) gets its
BLOCK failed closed in place, every other line or file its own decision, and the summary counts it.
In process (the `cli` fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kyodaku_samples.synthetic import draw_image

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def _failed_closed(row: dict) -> bool:
    return (
        row["verdict"] == "block"
        and row["failed_closed"] is True
        and row["reason"] == "screening_error"
        and row["error_class"] == "IndexError"
        and "IndexError" in row["message"]["en"]
    )


@pytest.mark.parametrize("workers", ["1", "2"])
def test_when_a_batch_line_makes_screening_raise_then_every_line_is_written_in_order_and_it_fails_closed(
    cli, tmp_path, buggy, workers
):
    texts = ["Pikachu", "a dog", "POISON apple", "a cloud"] * 40  # 160 lines: three chunks
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), "utf-8")
    out = tmp_path / "out.jsonl"
    r = cli("screen", "--no-semantic", "--catalog", str(MINI), "-i", str(src), "-o", str(out),
            "--workers", workers)  # fmt: skip
    assert r.code == 0, r.stderr  # fail-closed lines are decisions, not failed lines
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == list(range(len(texts)))
    assert [row["verdict"] for row in rows[:4]] == ["block", "allow", "block", "allow"]
    assert all(_failed_closed(row) for row in rows[2::4])
    assert not any(row["failed_closed"] for i, row in enumerate(rows) if i % 4 != 2)
    assert rows[0]["findings"][0]["entity"] == "pikachu"
    assert "160 screened" in r.stderr and "40 failed closed, 0 failed" in r.stderr
    assert not list(tmp_path.glob(".kyodaku-*"))  # the temporary file was renamed, none left behind


def test_when_a_batch_has_a_raising_line_and_bad_lines_then_only_the_bad_lines_set_exit_code_2(
    cli, tmp_path, buggy
):
    src = tmp_path / "in.jsonl"
    lines = [{"id": "a", "text": "Superman"}, {"id": "b", "text": "POISON"}, {"id": "c", "text": ""}]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines) + "{not json\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = cli("screen", "--no-semantic", "--catalog", str(MINI), "-i", str(src), "-o", str(out),
            "--workers", "1")  # fmt: skip
    assert r.code == 2, r.stderr
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [row.get("id") for row in rows] == ["a", "b", "c", None]
    assert rows[0]["verdict"] == "block" and not rows[0]["failed_closed"]
    assert _failed_closed(rows[1])
    assert [row.get("error") for row in rows[2:]] == ["invalid_input", "invalid_json"]
    assert "2 screened" in r.stderr and "1 failed closed, 2 failed" in r.stderr


def test_when_a_single_prompt_makes_screening_raise_then_the_cli_prints_a_block_failed_closed(cli, buggy):
    r = cli("screen", "--no-semantic", "--json", "--catalog", str(MINI), "POISON")
    assert r.code == 0, r.stderr
    assert _failed_closed(json.loads(r.stdout))


@pytest.fixture(scope="module")
def media_catalog(tmp_path_factory) -> Path:
    """The mini catalog with one reference image for Pikachu (media matchers need a bank)."""
    root = tmp_path_factory.mktemp("catalog")
    draw_image("character", 1).save(root / "pikachu-1.png")
    text = MINI.read_text(encoding="utf-8")
    names = '    names: {en: ["Pikachu"], ja: ["ピカチュウ"], zh: ["皮卡丘"], ko: ["피카츄"]}\n'
    assert names in text
    (root / "catalog.yaml").write_text(text.replace(names, names + '    references: ["pikachu-1.png"]\n'))
    return root / "catalog.yaml"


def test_when_a_media_file_makes_screening_raise_then_it_fails_closed_and_the_others_are_screened(
    cli, media_catalog, tmp_path, buggy
):
    folder = tmp_path / "outputs"
    folder.mkdir()
    draw_image("character", 1).save(folder / "a-copy.png")
    draw_image("scene", 77).save(folder / "b-poison.png")
    draw_image("scene", 78).save(folder / "c-unrelated.png")
    (folder / "d-broken.png").write_bytes(b"this is not a picture\n" * 10)
    result = tmp_path / "decisions.jsonl"
    r = cli("screen-media", "--catalog", str(media_catalog), str(folder), "--output", str(result))
    assert r.code == 2, r.stderr  # the unreadable file, not the one failed closed
    records = [json.loads(x) for x in result.read_text(encoding="utf-8").splitlines()]
    assert [Path(rec["file"]).name for rec in records] == [
        "a-copy.png", "b-poison.png", "c-unrelated.png", "d-broken.png"
    ]  # fmt: skip
    assert records[0]["verdict"] == "block" and records[0]["entities"][0]["entity"] == "pikachu"
    assert _failed_closed(records[1])
    assert records[2]["verdict"] == "allow" and not records[2]["failed_closed"]
    assert records[3]["error"] == "unsupported_media"
    assert "3 of 4" in r.stderr and "1 failed closed; 1 failed" in r.stderr
    assert "b-poison.png" in r.stderr
