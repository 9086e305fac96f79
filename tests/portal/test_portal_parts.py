"""The portal's parts on their own: the language tables and choice, sessions over time, and the
ledger's subject index (written by appends, filled by the migration for older entries)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from kyodaku.portal.i18n import LANGS, MESSAGES, pick_lang, translator
from kyodaku.portal.sessions import SessionStore
from kyodaku.provenance.entry import Record, build_body, subjects_of
from kyodaku.provenance.ledger import Ledger
from kyodaku.registry.database import make_engine, migrate
from kyodaku.registry.store import RegistryStore


def _decision(entities: list[tuple[str, str, str]]) -> dict:
    return {
        "id": "d1",
        "verdict": "block",
        "registry_version": 1,
        "entities": [
            {"entity": e, "kind": "character", "verdict": v, "rightsholder": {"id": h}}
            for e, h, v in entities
        ],
        "findings": [{"entity": e, "score": 0.9, "matcher": "alias"} for e, _, _ in entities]
        + [{"entity": entities[0][0], "score": 0.5, "matcher": "fuzzy"}],
    }


def test_when_the_language_tables_are_compared_then_every_word_exists_in_both():
    assert set(MESSAGES["en"]) == set(MESSAGES["ja"])
    assert all(v.strip() for table in MESSAGES.values() for v in table.values())


@given(st.text(), st.text(), st.text(), st.text())
def test_when_any_language_hints_arrive_then_a_supported_language_is_chosen(query, session, cookie, accept):
    assert pick_lang(query, session, cookie, accept) in LANGS


def test_when_the_browser_prefers_japanese_then_japanese_unless_chosen_otherwise():
    assert pick_lang(None, None, None, "ja-JP,ja;q=0.9,en;q=0.8") == "ja"
    assert pick_lang("en", None, None, "ja-JP") == "en"
    assert translator("ja")("signin") == "サインイン"
    assert translator("xx")("signin") == "Sign in"


def test_when_a_session_outlives_its_ttl_then_it_is_gone(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.db'}")
    store.migrate()
    now = [datetime(2026, 12, 5, 9, tzinfo=UTC)]
    sessions = SessionStore(store, ttl=timedelta(hours=8), clock=lambda: now[0])
    opened = sessions.open(store.create_key("operator").secret, "en")
    assert sessions.find(opened.token).principal.role.value == "operator"
    now[0] += timedelta(hours=8, seconds=1)
    assert sessions.find(opened.token) is None
    assert sessions.find("x" * 500) is None and sessions.find("") is None


def test_when_a_decision_is_appended_then_one_subject_row_per_entry_names_owner_verdict_and_matcher(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'l.db'}")
    try:
        ledger.append(_decision([("pikachu", "pokemon-company", "block"), ("superman", "dc", "allow")]))
        with ledger.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT seq, rightsholder, entity, verdict, matcher, day FROM ledger_subjects "
                    "ORDER BY entity"
                )
            ).all()
    finally:
        ledger.close()
    today = datetime.now(UTC).date().isoformat()
    assert [tuple(r) for r in rows] == [
        (0, "pokemon-company", "pikachu", "block", "alias", today),
        (0, "dc", "superman", "allow", "alias", today),
    ]


def test_when_the_migration_meets_older_ledger_entries_then_it_indexes_them_as_appends_would(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate(engine, "0004")
    bodies = []
    with engine.begin() as conn:
        for seq, entities in enumerate(
            [
                [("pikachu", "pokemon-company", "block")],
                [],
                [("batman", "dc", "review"), ("eevee", "pokemon-company", "allow")],
            ]
        ):
            created = datetime(2026, 11, 1 + seq, tzinfo=UTC)
            body, _ = build_body(
                _decision(entities) if entities else {"verdict": "allow"},
                Record(),
                seq=seq,
                prev="0" * 64,
                created_at=created,
            )
            bodies.append(body)
            conn.execute(
                sa.text(
                    "INSERT INTO ledger_entries (seq, entry_id, short_id, created_at, leaf_hash, prev_hash, "
                    "body) VALUES (:s, :e, :s, :c, :h, :h, :b)"
                ),
                {"s": seq, "e": f"le_{seq:024x}", "c": created, "h": f"{seq:064x}", "b": body.decode()},
            )
    migrate(engine, "head")
    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text(
                    "SELECT seq, rightsholder, entity, kind, verdict, day, matcher FROM ledger_subjects "
                    "ORDER BY seq, entity"
                )
            )
            .mappings()
            .all()
        )
    engine.dispose()
    expected = sorted(
        (r for seq, b in enumerate(bodies) for r in subjects_of(json.loads(b), seq)),
        key=lambda r: (r["seq"], r["entity"]),
    )
    assert [dict(r) for r in rows] == expected and len(expected) == 3
