"""`kyodaku screen` and `kyodaku catalog` as a user runs them: real files, printed decisions, exit
codes (in process: the `cli` fixture; the real entry point is smoke-tested in test_cli_smoke.py)."""

import json
from pathlib import Path

import pytest

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def test_when_prompt_names_a_character_then_cli_prints_block_with_evidence(cli):
    r = cli("screen", "--no-semantic", "--catalog", str(MINI), "Pikachu storming the beaches of Normandy")
    assert r.code == 0, r.stderr
    assert "BLOCK" in r.stdout and "pikachu" in r.stdout and "The Pokémon Company" in r.stdout
    assert "default-deny" in r.stdout and "0..7" in r.stdout


def test_when_json_is_asked_then_decision_object_is_printed(cli):
    r = cli("screen", "--no-semantic", "--json", "--catalog", str(MINI), "ぴかちゅう")
    d = json.loads(r.stdout)
    assert d["verdict"] == "block"
    assert d["findings"][0]["entity"] == "pikachu"
    assert {"entity", "kind", "score", "matcher"} <= set(d["findings"][0])


def test_when_licensee_has_permission_then_cli_allows(cli):
    args = ["--json", "--catalog", str(MINI), "--licensee", "acme", "--region", "jp", "Pikachu at a picnic"]
    r = cli("screen", "--no-semantic", *args)
    assert json.loads(r.stdout)["verdict"] == "allow"


def test_when_prompt_is_empty_then_exit_code_2_and_message(cli):
    r = cli("screen", "--no-semantic", "--catalog", str(MINI), "")
    assert r.code == 2
    assert "empty" in r.stderr


def test_when_catalog_is_malformed_then_validate_names_line_and_field(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrightsholders:\n  - {id: a, name: {en: A}, country: JP}\ncharacters:\n"
                   "  - {id: x, owner: nobody, names: {en: [X]}}\n", encoding="utf-8")  # fmt: skip
    r = cli("catalog", "validate", str(bad))
    assert r.code == 2
    assert "bad.yaml:5" in r.stderr and "owner" in r.stderr


def test_when_catalog_is_valid_then_validate_says_ok(cli):
    r = cli("catalog", "validate", str(MINI))
    assert r.code == 0 and "OK" in r.stdout


def test_when_batch_has_bad_lines_then_they_are_reported_and_the_rest_screened(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "Pikachu on a beach"}).encode(),
        b"{not json",
        b'{"id": "c", "text": "\xff\xfe broken utf-8"}',
        json.dumps({"id": "d"}).encode(),
        json.dumps({"id": "e", "text": "a cloud over Mount Fuji"}).encode(),
        json.dumps({"id": "f", "text": ""}).encode(),
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    r = cli("screen", "--no-semantic", "--catalog", str(MINI), "--input", str(src), "--output", str(out),
                "--workers", "1")  # fmt: skip
    assert r.code == 2, r.stderr
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 6
    assert [r.get("verdict") for r in rows] == ["block", None, None, None, "allow", None]
    assert [r.get("error") for r in rows][1:4] == ["invalid_json", "invalid_utf8", "invalid_input"]
    assert rows[0]["findings"][0]["entity"] == "pikachu"
    assert "4 failed" in r.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_when_batch_runs_on_workers_then_order_and_results_are_kept(cli, tmp_path, workers):
    src = tmp_path / "in.jsonl"
    texts = ["Pikachu", "a dog", "Superman", "a cloud"] * 40
    src.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    r = cli(
        "screen",
        "--no-semantic",
        "--catalog",
        str(MINI),
        "-i",
        str(src),
        "-o",
        str(out),
        "--workers",
        workers,
    )
    assert r.code == 0, r.stderr
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == list(range(len(texts)))
    assert [row["verdict"] for row in rows[:4]] == ["block", "allow", "block", "allow"]
