"""`kyodaku cases ...`: the desk's round from the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kyodaku.claims.model import Case, CaseKind, CaseState
from kyodaku.claims.store import CaseStore
from kyodaku.cli import run
from kyodaku.registry.store import RegistryStore


def _seed(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    monkeypatch.setenv("KYODAKU_DATABASE_URL", url)
    store = RegistryStore(url)
    store.migrate()
    cases = CaseStore(store.engine)
    now = datetime.now(UTC)
    for name, age in (("case_late", 5), ("case_fresh", 0)):
        filed = now - timedelta(days=age)
        ack, decide = filed + timedelta(days=2), filed + timedelta(days=14)
        case = Case(name, CaseKind.INQUIRY, "dc", ["superman"], "in the set?", CaseState.RECEIVED,
                    filed, ack, decide)  # fmt: skip
        cases.create(case, "k")
    store.close()
    return url


def test_when_a_case_missed_its_deadline_then_overdue_lists_it_and_not_the_fresh_one(
    tmp_path, monkeypatch, capsys
):
    _seed(tmp_path, monkeypatch)
    assert run(["cases", "overdue"]) == 0
    listed = capsys.readouterr().out
    assert "case_late" in listed and "OVERDUE acknowledge" in listed and "case_fresh" not in listed


def test_when_the_desk_moves_a_case_then_it_changes_and_a_jump_is_refused(tmp_path, monkeypatch, capsys):
    _seed(tmp_path, monkeypatch)
    assert run(["cases", "move", "case_late", "acknowledged", "--note", "on it"]) == 0
    assert run(["cases", "move", "case_late", "upheld"]) == 2
    assert run(["cases", "move", "case_late", "sideways"]) == 2
    assert run(["cases", "show", "case_nothing"]) == 3
    capsys.readouterr()
    assert run(["cases", "list", "--state", "acknowledged"]) == 0
    assert "case_late" in capsys.readouterr().out
