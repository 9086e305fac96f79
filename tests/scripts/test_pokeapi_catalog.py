"""The large multilingual catalog built from ../shared/data/pokeapi: it loads, and every script matches."""

import subprocess
import sys
from pathlib import Path

import pytest

from kyodaku.domain.findings import Verdict
from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions

ROOT = Path(__file__).parents[2]
DATA = ROOT.parent / "shared" / "data" / "pokeapi"

pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"{DATA} is absent (../shared not beside the clone)"
)


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    out = tmp_path_factory.mktemp("pokeapi") / "pokeapi.yaml"
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_pokeapi_catalog.py"),
            "--data",
            str(DATA),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    catalog = load_catalog(out)
    assert sum(e.kind.value == "character" for e in catalog.entities) == 1025
    return Guard.from_catalog(catalog, GuardOptions(semantic=False, themes=False))


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("フシギダネが森で眠っている", "bulbasaur"),
        ("ふしぎだね", "bulbasaur"),
        ("Fushigidane in a forest", "bulbasaur"),
        ("이상해씨가 숲에서 자고 있다", "bulbasaur"),
        ("妙蛙种子在森林里", "bulbasaur"),
        ("Bisasam im Wald", "bulbasaur"),
        ("Ｇｅｎｇａｒ at night", "gengar"),
        ("Pikachuu", "pikachu"),
    ],
)
def test_when_a_species_is_named_in_any_language_then_it_is_found(guard, text, entity):
    d = guard.screen_prompt(text)
    assert d.verdict is Verdict.BLOCK
    assert entity in {e.entity for e in d.entities}


def test_when_no_species_is_named_then_a_plain_prompt_passes(guard):
    assert guard.screen_prompt("a watercolor of a lighthouse at dawn").verdict is Verdict.ALLOW
