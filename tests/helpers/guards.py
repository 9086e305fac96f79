"""A lexical guard over a catalog written as a dict: loaded through the real catalog loader (the
YAML file a rightsholder writes), no semantic matcher or themes, so a test sees the lexical path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kyodaku.registry.catalog import load_catalog
from kyodaku.screening import Guard, GuardOptions


def lexical_guard(catalog: dict[str, Any], folder: Path) -> Guard:
    path = folder / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")
    return Guard.from_catalog(load_catalog(path), GuardOptions(semantic=False, themes=False))


def found(guard: Guard, text: str) -> set[str]:
    """The entities the guard finds in a prompt."""
    return {f.entity for f in guard.screen_prompt(text).findings}


def studio_catalog(*names: str, work: bool = False) -> dict:
    """A one-studio catalog of characters named in English, all of one work when `work`."""
    catalog = {
        "version": 1,
        "rightsholders": [{"id": "studio", "name": {"en": "Studio Co., Ltd."}, "country": "JP"}],
        "characters": [
            {
                "id": n.lower().replace(" ", "-"),
                "owner": "studio",
                "names": {"en": [n]},
                **({"work": "saga"} if work else {}),
            }
            for n in names
        ],
    }
    if work:
        catalog["works"] = [{"id": "saga", "owner": "studio", "names": {"en": ["Grey Wings Saga"]}}]
    return catalog
