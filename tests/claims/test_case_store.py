"""The case store: history append-only, and a process killed mid-transition loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from kyodaku.claims.model import Case, CaseKind, CaseState
from kyodaku.claims.store import CaseStore
from kyodaku.registry.store import RegistryStore

MOVER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from kyodaku.claims.model import Case, CaseKind, CaseState as S
    from kyodaku.claims.store import CaseStore
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(sys.argv[1])
    cases = CaseStore(store.engine)
    path = [S.ACKNOWLEDGED, S.UNDER_REVIEW, S.REJECTED, S.ESCALATED, S.UPHELD]
    n = 0
    while True:
        now = datetime.now(UTC)
        case = Case(f"case_{n:08d}", CaseKind.CLAIM, "rh", ["e"], "t", S.RECEIVED, now,
                    now + timedelta(days=2), now + timedelta(days=14))
        cases.create(case, "k")
        print(case.id, S.RECEIVED.value, flush=True)
        state = S.RECEIVED
        for to in path:
            cases.move(case.id, state, to, "k", datetime.now(UTC), "step")
            print(case.id, to.value, flush=True)
            state = to
        n += 1
    """
)


def _case(case_id: str) -> Case:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return Case(case_id, CaseKind.INQUIRY, "rh", ["e"], "t", CaseState.RECEIVED, now,
                now + timedelta(days=2), now + timedelta(days=14))  # fmt: skip


def test_when_history_is_edited_then_the_database_refuses(database_url):
    store = RegistryStore(database_url)
    store.migrate()
    cases = CaseStore(store.engine)
    cases.create(_case("case_a"), "k")
    cases.move("case_a", CaseState.RECEIVED, CaseState.ACKNOWLEDGED, "k", datetime.now(UTC))
    try:
        for statement in ("UPDATE case_events SET actor = 'someone else'", "DELETE FROM case_events"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
                conn.execute(sa.text(statement))
        assert [e.actor for e in cases.get("case_a").events] == ["k", "k"]
    finally:
        store.close()


def test_when_the_process_is_killed_mid_transition_then_every_state_has_its_event_and_none_is_lost(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    store = RegistryStore(url)
    store.migrate()
    store.close()
    proc = subprocess.Popen([sys.executable, "-c", MOVER, url], stdout=subprocess.PIPE, text=True)
    acknowledged: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        case_id, state = line.split()
        acknowledged[case_id] = state
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert len(acknowledged) >= 40
    store = RegistryStore(url)
    try:
        cases = CaseStore(store.engine)
        stored = cases.list()
        assert {c.id for c in stored} >= set(acknowledged)
        for case in stored:
            full = cases.get(case.id)
            assert full.events[-1].to_state is full.state
            assert [e.seq for e in full.events] == list(range(len(full.events)))
            if case.id in acknowledged:  # at least as far as the mover was told it got
                assert acknowledged[case.id] in [e.to_state.value for e in full.events]
    finally:
        store.close()
