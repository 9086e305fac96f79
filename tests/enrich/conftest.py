"""Small real source files and a catalog, written per test, and `kyodaku` run in process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from enrich_data import CATALOG, DANBOORU, POKEAPI_LANGUAGES, POKEAPI_NAMES, SOURCE_TXT, write


@pytest.fixture
def catalog_file(tmp_path) -> Path:
    return write(tmp_path / "catalog.yaml", CATALOG)


@pytest.fixture
def danbooru_file(tmp_path) -> Path:
    write(tmp_path / "danbooru" / "SOURCE.txt", SOURCE_TXT)
    return write(tmp_path / "danbooru" / "danbooru.csv", DANBOORU)


@pytest.fixture
def pokeapi_dir(tmp_path) -> Path:
    folder = tmp_path / "pokeapi"
    write(folder / "pokemon_species_names.csv", POKEAPI_NAMES)
    write(folder / "languages.csv", POKEAPI_LANGUAGES)
    write(folder / "SOURCE.txt", "Repo: github.com/PokeAPI/pokeapi\nLicense: BSD-3-Clause-style\n")
    return folder


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path) -> Callable[..., Ran]:
    """Run `kyodaku ARGS...` in this process, in tmp_path, stdout and stderr captured."""
    from kyodaku.cli import run

    monkeypatch.delenv("KYODAKU_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Ran:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return invoke
