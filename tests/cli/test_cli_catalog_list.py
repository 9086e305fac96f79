"""`kyodaku catalog list`: the registry a page at a time, by id, as the API pages it."""

from __future__ import annotations

import json
from pathlib import Path

from kyodaku.registry.catalog import load_catalog

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def test_when_the_catalog_is_listed_page_by_page_then_every_entry_comes_once_in_id_order(cli, tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert cli("catalog", "import", str(MINI), "--db", db).code == 0
    seen, after = [], None
    for _ in range(10):
        more = ["--after", after] if after else []
        ran = cli("catalog", "list", "--db", db, "--limit", "4", "--json", *more)
        assert ran.code == 0, ran.stderr
        seen += [json.loads(line)["id"] for line in ran.stdout.splitlines()]
        if "next:" not in ran.stderr:
            break
        after = ran.stderr.split("--after ")[1].split()[0]
    expected = sorted(e.id for e in load_catalog(MINI).entities)
    assert seen == expected


def test_when_a_kind_or_limit_is_wrong_then_exit_2_says_so(cli, tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    bad_kind = cli("catalog", "list", "--db", db, "--kind", "robot")
    bad_limit = cli("catalog", "list", "--db", db, "--limit", "0")
    assert bad_kind.code == bad_limit.code == 2
    assert "kind must be one of" in bad_kind.stderr and "limit must be between" in bad_limit.stderr
