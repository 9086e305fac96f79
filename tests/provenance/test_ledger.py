"""The generation ledger on SQLite and PostgreSQL: appends, refusals of edits, verification that names
every altered, removed or reordered entry, signed heads and inclusion proofs, and a killed appender."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from kyodaku.audit.merkle import verify_inclusion
from kyodaku.domain.errors import IntegrityError, NotFound
from kyodaku.policy.engine import ScreenContext
from kyodaku.provenance.entry import Record, entry_id_of, short_id_of
from kyodaku.provenance.ledger import Ledger
from kyodaku.provenance.verify import verify_ledger


@pytest.fixture
def ledger(database_url):
    book = Ledger(database_url)
    yield book
    book.close()


def _fill(ledger, guard, n: int) -> list:
    prompts = ["Pikachu at the beach", "a lighthouse at dusk", "Superman over the city"]
    ctx = ScreenContext(licensee="acme")
    return [
        ledger.append(guard.screen_prompt(prompts[i % 3], ctx), Record(prompt=f"{prompts[i % 3]} #{i}"))
        for i in range(n)
    ]


def _drop_guards(ledger) -> None:
    """What an insider with database rights could do: remove the append-only triggers."""
    with ledger.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in ("ledger_entries", "ledger_media", "ledger_heads"):
                conn.execute(sa.text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            for table in ("ledger_entries", "ledger_media", "ledger_heads"):
                for event in ("update", "delete"):
                    conn.execute(sa.text(f"DROP TRIGGER {table}_no_{event}"))


def _sql(ledger, statement: str, **params) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_when_decisions_are_appended_then_each_entry_chains_the_previous_and_reads_back(ledger, guard):
    entries = _fill(ledger, guard, 4)
    assert [e.seq for e in entries] == [0, 1, 2, 3]
    assert [e.prev_hash for e in entries[1:]] == [e.leaf_hash for e in entries[:-1]]
    again = ledger.get(entries[2].entry_id)
    assert again.body == entries[2].body and again.data["verdict"] == entries[2].data["verdict"]
    assert again.entry_id == entry_id_of(bytes.fromhex(again.leaf_hash))
    assert ledger.by_short_id(again.short_id).entry_id == again.entry_id
    assert again.short_id == short_id_of(bytes.fromhex(again.leaf_hash)) < 2**63


def test_when_prompt_text_is_not_allowed_then_only_its_hash_is_kept(ledger, guard):
    decision = guard.screen_prompt("Pikachu at the beach")
    hidden = ledger.append(decision, Record(prompt="Pikachu at the beach"))
    shown = ledger.append(decision, Record(prompt="Pikachu at the beach", keep_prompt_text=True))
    assert "text" not in hidden.data["prompt"] and len(hidden.data["prompt"]["sha256"]) == 64
    assert shown.data["prompt"]["text"] == "Pikachu at the beach"
    assert "Pikachu at the beach" not in hidden.body.decode("utf-8")


def test_when_an_entry_is_updated_or_deleted_then_the_database_refuses(ledger, guard):
    _fill(ledger, guard, 2)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        _sql(ledger, "UPDATE ledger_entries SET body = 'x' WHERE seq = 0")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        _sql(ledger, "DELETE FROM ledger_entries WHERE seq = 1")
    assert verify_ledger(ledger).ok and ledger.size() == 2


def test_when_the_ledger_is_intact_then_verify_passes_with_signatures(ledger, guard, keys):
    _fill(ledger, guard, 5)
    ledger.sign_head(keys["private"])
    _fill(ledger, guard, 2)
    ledger.sign_head(keys["private"])
    report = verify_ledger(ledger, keys["public"])
    assert report.ok, report.problems
    assert (report.entries, report.heads, report.signatures_checked) == (7, 2, 2)


def test_when_a_body_is_altered_then_verify_names_that_entry(ledger, guard):
    entries = _fill(ledger, guard, 5)
    _drop_guards(ledger)
    body = entries[2].body.decode("utf-8").replace('"verdict":"block"', '"verdict":"allow"')
    body = (
        body.replace('"verdict":"allow"', '"verdict":"review"') if body == entries[2].body.decode() else body
    )
    _sql(ledger, "UPDATE ledger_entries SET body = :b WHERE seq = 2", b=body)
    report = verify_ledger(ledger)
    altered = [p for p in report.problems if p.kind == "altered"]
    assert [(p.seq, p.entry_id) for p in altered] == [(2, entries[2].entry_id)]
    with pytest.raises(IntegrityError, match="entry 2"):
        report.raise_for()


def test_when_a_body_and_its_hash_are_both_rewritten_then_the_chain_names_the_next_entry(ledger, guard):
    entries = _fill(ledger, guard, 4)
    _drop_guards(ledger)
    data = entries[1].data
    data["notes"] = [*data["notes"], "edited afterwards"]
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    from kyodaku.provenance.entry import leaf_of

    _sql(ledger, "UPDATE ledger_entries SET body = :b, leaf_hash = :h WHERE seq = 1",
         b=body, h=leaf_of(body.encode()).hex())  # fmt: skip
    kinds = {(p.kind, p.seq) for p in verify_ledger(ledger).problems}
    assert ("chain", 2) in kinds and ("id", 1) in kinds


def test_when_an_entry_is_removed_then_verify_names_the_gap(ledger, guard):
    _fill(ledger, guard, 5)
    _drop_guards(ledger)
    _sql(ledger, "DELETE FROM ledger_media WHERE seq = 3")
    _sql(ledger, "DELETE FROM ledger_entries WHERE seq = 3")
    problems = verify_ledger(ledger).problems
    assert any(p.kind == "removed" and p.seq == 3 for p in problems)
    assert any(p.kind == "chain" and p.seq == 4 for p in problems)


def test_when_two_entries_are_swapped_then_verify_reports_them_reordered(ledger, guard):
    entries = _fill(ledger, guard, 4)
    _drop_guards(ledger)
    for seq, other in ((1, 2), (2, 1)):
        _sql(ledger, "UPDATE ledger_entries SET body = :b, leaf_hash = :h WHERE seq = :s",
             b=entries[other].body.decode(), h=entries[other].leaf_hash, s=seq)  # fmt: skip
    reordered = {p.seq for p in verify_ledger(ledger).problems if p.kind == "reordered"}
    assert reordered == {1, 2}


def test_when_the_last_entries_are_cut_off_then_the_signed_head_reveals_it(ledger, guard, keys):
    _fill(ledger, guard, 4)
    ledger.sign_head(keys["private"])
    _drop_guards(ledger)
    _sql(ledger, "DELETE FROM ledger_media WHERE seq = 3")
    _sql(ledger, "DELETE FROM ledger_entries WHERE seq = 3")
    problems = verify_ledger(ledger, keys["public"]).problems
    assert [p.kind for p in problems] == ["removed"] and "head 4" in problems[0].message


def test_when_a_head_is_signed_by_another_key_then_verify_reports_the_signature(
    ledger, guard, keys, tmp_path
):
    from kyodaku.audit.signing import generate_keypair

    _fill(ledger, guard, 2)
    ledger.sign_head(keys["private"])
    generate_keypair(tmp_path / "other.key", tmp_path / "other.pub")
    problems = verify_ledger(ledger, tmp_path / "other.pub").problems
    assert [p.kind for p in problems] == ["signature"]


def test_when_a_proof_is_asked_then_it_checks_against_the_signed_root_and_fails_when_changed(
    ledger, guard, keys
):
    entries = _fill(ledger, guard, 7)
    ledger.sign_head(keys["private"])
    proof = ledger.proof(entries[5].entry_id)
    root = bytes.fromhex(proof.head.root_hash)
    assert verify_inclusion(proof.entry.body, 5, 7, proof.path, root)
    assert not verify_inclusion(entries[4].body, 5, 7, proof.path, root)
    assert not verify_inclusion(proof.entry.body, 4, 7, proof.path, root)
    proof.head.check_signature(keys["public"])


def test_when_an_entry_is_newer_than_the_latest_head_then_no_proof_is_given(ledger, guard, keys):
    _fill(ledger, guard, 2)
    ledger.sign_head(keys["private"])
    late = _fill(ledger, guard, 1)[0]
    with pytest.raises(NotFound, match="newer than the latest signed head"):
        ledger.proof(late.entry_id)


@pytest.mark.parametrize("forged", ["le_" + "0" * 24, "le_zz", "", "x" * 27, "le_" + "a" * 100])
def test_when_an_id_is_forged_or_malformed_then_it_is_not_found(ledger, guard, forged):
    _fill(ledger, guard, 1)
    with pytest.raises(NotFound):
        ledger.get(forged)


APPENDER = textwrap.dedent(
    """
    import sys
    from kyodaku.domain.findings import Decision, Verdict
    from kyodaku.provenance.entry import Record
    from kyodaku.provenance.ledger import Ledger

    ledger = Ledger(sys.argv[1])
    decision = Decision(Verdict.ALLOW, (), (), (), 1, "s", {}, {})
    n = 0
    while True:
        entry = ledger.append(decision, Record(prompt=f"prompt {n}"))
        print(entry.entry_id, flush=True)
        n += 1
    """
)


def test_when_an_appender_is_killed_mid_append_then_the_ledger_verifies_with_every_acknowledged_entry(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger(url).close()  # migrated before the race
    proc = subprocess.Popen(
        [sys.executable, "-c", APPENDER, url], stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    acknowledged: list[str] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert len(acknowledged) >= 150
    ledger = Ledger(url)
    try:
        report = verify_ledger(ledger)
        assert report.ok, report.problems
        stored = {e.entry_id for e in ledger.entries()}
        assert set(acknowledged) <= stored
        assert report.entries >= len(acknowledged)
    finally:
        ledger.close()


def test_when_writers_append_at_once_then_every_entry_is_kept_once_and_the_chain_verifies(database_url):
    from concurrent.futures import ThreadPoolExecutor

    from kyodaku.domain.findings import Decision, Verdict

    ledgers = [Ledger(database_url) for _ in range(4)]
    decision = Decision(Verdict.ALLOW, (), (), (), 1, "s", {}, {})
    try:
        with ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(lambda n: ledgers[n % 4].append(decision, Record(prompt=f"p{n}")).entry_id,
                                range(80)))  # fmt: skip
        report = verify_ledger(ledgers[0])
        assert report.ok, report.problems
        assert report.entries == 80 and len(set(ids)) == 80
        assert {e.entry_id for e in ledgers[0].entries()} == set(ids)
    finally:
        for book in ledgers:
            book.close()
