"""One real process per command group: the installed `kyodaku` entry point (pyproject's
`kyodaku.cli:main`), its output streams and its exit code, end to end. Everything else about the
commands is tested in process (the `cli` fixture), which is several times faster.

`kyodaku demo` has no smoke test: it draws, encodes and hashes media and takes 8 to 12 seconds.
"""

import json
from pathlib import Path

from kyodaku_samples.synthetic import draw_image

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def test_when_screen_runs_as_a_process_then_it_prints_block_and_exits_0(kyodaku_process):
    r = kyodaku_process("screen", "--no-semantic", "--catalog", str(MINI), "Pikachu on a beach")
    assert r.code == 0, r.stderr
    assert r.stdout.startswith("BLOCK  pikachu") and "default-deny" in r.stdout


def test_when_catalog_validate_runs_as_a_process_on_a_bad_file_then_exit_code_2_names_the_line(
    kyodaku_process, tmp_path
):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrightsholders:\n  - {id: a, name: {en: A}, country: JP}\ncharacters:\n"
                   "  - {id: x, owner: nobody, names: {en: [X]}}\n", encoding="utf-8")  # fmt: skip
    r = kyodaku_process("catalog", "validate", str(bad))
    assert r.code == 2
    assert "bad.yaml:5" in r.stderr and "Traceback" not in r.stderr


def test_when_screen_media_runs_as_a_process_then_it_prints_the_decision_as_json(kyodaku_process, tmp_path):
    draw_image("scene", 7).save(tmp_path / "out.png")
    r = kyodaku_process("screen-media", "--catalog", str(MINI), "--json", str(tmp_path / "out.png"))
    assert r.code == 0, r.stderr
    assert json.loads(r.stdout)["verdict"] == "allow"


def test_when_refs_runs_as_a_process_on_an_unknown_reference_then_exit_code_3(kyodaku_process, tmp_path):
    store = ["--db", f"sqlite:///{tmp_path / 'r.db'}", "--store", str(tmp_path / "store")]
    r = kyodaku_process("refs", "remove", "ref_0000000000000000", *store)
    assert r.code == 3
    assert r.stderr.startswith("error (not_found):") and r.stdout == ""


def test_when_keys_create_runs_as_a_process_then_only_the_secret_is_on_stdout(kyodaku_process, tmp_path):
    r = kyodaku_process("keys", "create", "--role", "admin", "--db", f"sqlite:///{tmp_path / 'k.db'}")
    assert r.code == 0, r.stderr
    assert len(r.stdout.splitlines()) == 1 and r.stdout.startswith("kyk_")
    assert "created key" in r.stderr
