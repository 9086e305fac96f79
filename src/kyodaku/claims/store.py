"""Cases in the registry database: a row per case (its current state) and its append-only history.

Why one transaction per move: the case's new state and the event recording it are written
together, so a process killed mid-transition leaves either the old state with its history or the
new one with one more event, never a state no event explains. The move is conditional on the state
the caller saw (`UPDATE ... WHERE state = :seen`): two people deciding the same case at once get
one success and one Conflict, not a silent overwrite.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy import case as sql_case

from kyodaku.claims.model import Case, CaseEvent, CaseKind, CaseState
from kyodaku.domain.errors import Conflict, NotFound
from kyodaku.registry.database import WRITE_OPTION
from kyodaku.registry.models import CaseEventRow, CaseRow


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class CaseStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _write(self):
        return self._engine.execution_options(**{WRITE_OPTION: True}).begin()

    def create(self, case: Case, actor: str, note: str = "") -> Case:
        """Store a new case with its first event (None -> received)."""
        event = CaseEvent(case.id, 0, None, case.state, actor, case.created_at, note)
        with self._write() as conn:
            conn.execute(insert(CaseRow), _row(case))
            conn.execute(insert(CaseEventRow), _event_row(event))
        case.events = [event]
        return case

    def move(
        self,
        case_id: str,
        seen: CaseState,
        to: CaseState,
        actor: str,
        at: datetime,
        note: str = "",
        *,
        changes: dict[str, Any] | None = None,
    ) -> CaseEvent:
        """Move a case from `seen` to `to` and record it; Conflict when it is no longer in `seen`."""
        values: dict[str, Any] = {"state": to.value}
        for key, value in (changes or {}).items():
            values[key] = (
                json.dumps(value, ensure_ascii=False, sort_keys=True)
                if key in ("evidence", "answer")
                else value
            )
        with self._write() as conn:
            done = conn.execute(
                update(CaseRow).where(CaseRow.id == case_id, CaseRow.state == seen.value).values(**values)
            )
            if done.rowcount != 1:
                raise Conflict(
                    f"case {case_id} is no longer {seen.value}: someone moved it meanwhile; reload and retry",
                    case=case_id,
                )
            last = conn.execute(
                select(CaseEventRow.seq)
                .where(CaseEventRow.case_id == case_id)
                .order_by(CaseEventRow.seq.desc())
            ).first()
            event = CaseEvent(case_id, (last[0] + 1) if last else 0, seen, to, actor, at, note)
            conn.execute(insert(CaseEventRow), _event_row(event))
        return event

    def get(self, case_id: str, *, events: bool = True) -> Case:
        with self._engine.connect() as conn:
            row = conn.execute(select(CaseRow).where(CaseRow.id == case_id)).first()
            if row is None:
                raise NotFound(f"no case {case_id!r}")
            case = _case(row)
            if events:
                rows = conn.execute(
                    select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.seq)
                ).all()
                case.events = [_event(r) for r in rows]
        return case

    def list(
        self,
        *,
        rightsholder: str | None = None,
        states: Iterable[CaseState] | None = None,
        limit: int | None = None,
        offset: int = 0,
        after: tuple[datetime, str] | None = None,
    ) -> list[Case]:
        """Cases by their next deadline (soonest first: a received case's is its acknowledgement),
        optionally one rightsholder's or in some states; `limit` with `offset`, or `after` (the last
        case's deadline and id: keyset paging, cheap at any depth), page through them."""
        query = select(CaseRow)
        if after is not None:
            due, case_id = after
            query = query.where(or_(_next_deadline > due, and_(_next_deadline == due, CaseRow.id > case_id)))
        if rightsholder is not None:
            query = query.where(CaseRow.rightsholder == rightsholder)
        if states is not None:
            query = query.where(CaseRow.state.in_([s.value for s in states]))
        query = query.order_by(_next_deadline, CaseRow.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [_case(r) for r in conn.execute(query).all()]

    def count(
        self, *, rightsholder: str | None = None, states: Iterable[CaseState] | None = None,
        due_before: datetime | None = None,
    ) -> int:  # fmt: skip
        """How many cases match, without reading them (`due_before`: next deadline before it)."""
        query = select(func.count()).select_from(CaseRow)
        if rightsholder is not None:
            query = query.where(CaseRow.rightsholder == rightsholder)
        if states is not None:
            query = query.where(CaseRow.state.in_([s.value for s in states]))
        if due_before is not None:
            query = query.where(_next_deadline < due_before)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def first_reached(self, state: CaseState) -> dict[str, datetime]:
        """When each case first reached `state` (one query: the reports' on-time counts)."""
        query = (
            select(CaseEventRow.case_id, func.min(CaseEventRow.at))
            .where(CaseEventRow.to_state == state.value)
            .group_by(CaseEventRow.case_id)
        )
        with self._engine.connect() as conn:
            return {case_id: _aware(at) for case_id, at in conn.execute(query).all()}


_next_deadline = sql_case(
    (and_(CaseRow.state == CaseState.RECEIVED.value, CaseRow.acknowledge_by < CaseRow.decide_by),
     CaseRow.acknowledge_by),
    else_=CaseRow.decide_by,
)  # fmt: skip
"""A case's next deadline in SQL, as `Case.next_deadline` computes it for open cases."""


def _row(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "kind": case.kind.value,
        "rightsholder": case.rightsholder,
        "entities": json.dumps(case.entities),
        "text": case.text,
        "state": case.state.value,
        "created_at": case.created_at,
        "acknowledge_by": case.acknowledge_by,
        "decide_by": case.decide_by,
        "decided_at": case.decided_at,
        "ledger_id": case.ledger_id,
        "link": case.link,
        "file_sha256": case.file_sha256,
        "file_name": case.file_name,
        "evidence": json.dumps(case.evidence, ensure_ascii=False, sort_keys=True),
        "answer": json.dumps(case.answer, ensure_ascii=False, sort_keys=True),
    }


def _event_row(event: CaseEvent) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value,
        "actor": event.actor,
        "at": event.at,
        "note": event.note,
    }


def _case(row: Any) -> Case:
    r = row[0] if not hasattr(row, "id") else row
    return Case(
        id=r.id,
        kind=CaseKind(r.kind),
        rightsholder=r.rightsholder,
        entities=json.loads(r.entities),
        text=r.text,
        state=CaseState(r.state),
        created_at=_aware(r.created_at),
        acknowledge_by=_aware(r.acknowledge_by),
        decide_by=_aware(r.decide_by),
        decided_at=_aware(r.decided_at),
        ledger_id=r.ledger_id,
        link=r.link,
        file_sha256=r.file_sha256,
        file_name=r.file_name,
        evidence=json.loads(r.evidence),
        answer=json.loads(r.answer),
    )


def _event(row: Any) -> CaseEvent:
    r = row[0] if not hasattr(row, "seq") else row
    return CaseEvent(
        r.case_id,
        r.seq,
        CaseState(r.from_state) if r.from_state else None,
        CaseState(r.to_state),
        r.actor,
        _aware(r.at),
        r.note,
    )
