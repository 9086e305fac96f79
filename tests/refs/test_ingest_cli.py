"""Attaching references through the CLI (in process, real files): `catalog import` with `references:`
globs, and `refs add / list / remove`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from media_files import clip_file, image_file

from kyodaku.media.refstore import ReferenceStore
from kyodaku.registry.store import RegistryStore

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def _catalog_with(tmp_path: Path, patterns: list[str]) -> Path:
    text = (
        "version: 1\n"
        "rightsholders: [{id: studio, name: {en: Studio}, country: JP}]\n"
        "characters:\n"
        f"  - {{id: hero, owner: studio, names: {{en: [Hero]}}, references: {json.dumps(patterns)}}}\n"
    )
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from kyodaku.cli import main

    monkeypatch.setattr(sys, "argv", ["kyodaku", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return exited.value.code or 0, captured.out, captured.err


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.delenv("KYODAKU_DATABASE_URL", raising=False)
    monkeypatch.delenv("KYODAKU_REFERENCE_STORE", raising=False)
    return ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--store", str(tmp_path / "store")]


def test_when_a_catalog_with_references_is_imported_twice_then_the_second_import_adds_nothing(
    tmp_path, monkeypatch, capsys, cli_env
):
    image_file(tmp_path / "refs" / "hero-1.png", 1)
    image_file(tmp_path / "refs" / "hero-2.jpg", 2, "JPEG")
    clip_file(tmp_path / "refs" / "hero.mp4", [3, 4])
    catalog = _catalog_with(tmp_path, ["refs/*.png", "refs/*.jpg", "refs/*.mp4"])
    code, out, err = run_cli(monkeypatch, capsys, "catalog", "import", str(catalog), *cli_env)
    assert code == 0, err
    assert "references: 3 added, 0 already attached, 0 failed (registry version 4)" in out
    code, out, err = run_cli(monkeypatch, capsys, "catalog", "import", str(catalog), *cli_env)
    assert code == 0, err
    assert "references: 0 added, 3 already attached, 0 failed (registry version 4)" in out
    code, out, _ = run_cli(monkeypatch, capsys, "refs", "list", "hero", "--json", *cli_env)
    listed = json.loads(out)
    assert sorted(r["filename"] for r in listed) == ["hero-1.png", "hero-2.jpg", "hero.mp4"]
    assert len(ReferenceStore(tmp_path / "store").blobs()) == 3


def test_when_a_catalog_has_no_references_then_import_says_nothing_about_them(monkeypatch, capsys, cli_env):
    code, out, err = run_cli(monkeypatch, capsys, "catalog", "import", str(MINI), *cli_env)
    assert code == 0, err
    assert "imported" in out and "references" not in out


def test_when_a_catalog_pattern_matches_nothing_then_import_changes_nothing(
    tmp_path, monkeypatch, capsys, cli_env
):
    catalog = _catalog_with(tmp_path, ["refs/*.png"])
    code, _, err = run_cli(monkeypatch, capsys, "catalog", "import", str(catalog), *cli_env)
    assert code == 2
    assert "refs/*.png" in err and "'hero'" in err
    registry = RegistryStore(cli_env[1])
    registry.migrate()
    assert registry.current_version() == 0


def test_when_refs_add_gets_a_bad_file_then_the_others_are_added_and_the_exit_code_says_so(
    tmp_path, monkeypatch, capsys, cli_env
):
    code, _, err = run_cli(monkeypatch, capsys, "catalog", "import", str(MINI), *cli_env)
    assert code == 0, err
    good = [image_file(tmp_path / f"p{i}.png", i) for i in range(3)]
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"<html>not an image</html>")
    files = [str(good[0]), str(bad), *map(str, good[1:])]
    code, out, err = run_cli(monkeypatch, capsys, "refs", "add", "pikachu", *files, *cli_env)
    assert code == 2
    assert "broken.png" in err and "neither an image nor a video" in err
    assert "3 added, 0 already attached, 1 failed" in out
    code, out, _ = run_cli(monkeypatch, capsys, "refs", "list", "--json", *cli_env)
    refs = json.loads(out)
    assert [r["filename"] for r in refs] == ["p0.png", "p1.png", "p2.png"]
    code, out, err = run_cli(monkeypatch, capsys, "refs", "remove", refs[0]["id"], *cli_env)
    assert code == 0 and f"removed {refs[0]['id']}" in out
    code, _, err = run_cli(monkeypatch, capsys, "refs", "remove", refs[0]["id"], *cli_env)
    assert code == 3 and "no reference" in err
    code, _, err = run_cli(monkeypatch, capsys, "refs", "add", "nobody", str(good[0]), *cli_env)
    assert code == 3 and "nobody" in err
