"""`kyodaku cases ...`: the claims desk from the command line (as the local admin, on --db).

For the desk's daily round: `cases overdue` (what is late: exit 0, listed), `cases due` (what falls
due within a day), `cases list`, `cases show ID`, `cases move ID STATE --note TEXT`.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, database_url, err, out

cases_app = typer.Typer(no_args_is_help=True, help="The claims and inquiries desk: queue, deadlines, moves.")


def _desk(db: str | None):
    from kyodaku.claims.desk import ClaimsDesk
    from kyodaku.claims.store import CaseStore
    from kyodaku.provenance.ledger import Ledger
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(database_url(db))
    store.migrate()
    return store, ClaimsDesk(store, CaseStore(store.engine), ledger=Ledger(store.url, engine=store.engine))


def _admin():
    from kyodaku.domain.access import LOCAL_ADMIN

    return LOCAL_ADMIN


def _rows(cases, now=None) -> None:
    if not cases:
        err.print("no cases")
    for case in cases:
        late = case.overdue(now) if now is not None else None
        deadline = late or case.next_deadline()
        when = (
            f"{'OVERDUE ' if late else ''}{deadline.what} by {deadline.due:%Y-%m-%d %H:%M}"
            if deadline
            else ""
        )
        out.print(f"{case.id}  {case.state.value:<13} {case.rightsholder:<20} {when}", markup=False)


@cases_app.command("list")
def list_cases(
    db: DbOpt = None,
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every case, the nearest deadline first."""
    from kyodaku.claims.model import CaseState
    from kyodaku.domain.errors import InvalidInput

    try:
        states = [CaseState(state)] if state else None
    except ValueError:
        raise InvalidInput(
            f"unknown state {state!r}; use one of {', '.join(s.value for s in CaseState)}"
        ) from None
    store, desk = _desk(db)
    try:
        cases = desk.list(_admin(), states)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps([c.to_dict(events=False) for c in cases], ensure_ascii=False))
    else:
        _rows(cases)


@cases_app.command("overdue")
def overdue(db: DbOpt = None) -> None:
    """Open cases past their deadline, the most overdue first."""
    store, desk = _desk(db)
    try:
        now = desk.clock()
        _rows(desk.overdue(_admin(), now), now)
    finally:
        store.close()


@cases_app.command("due")
def due(db: DbOpt = None) -> None:
    """Open cases falling due within the reminder window (a day by default)."""
    store, desk = _desk(db)
    try:
        _rows(desk.due_soon(_admin()))
    finally:
        store.close()


@cases_app.command("show")
def show(case_id: str, db: DbOpt = None) -> None:
    """One case with its evidence, history and answer (JSON)."""
    store, desk = _desk(db)
    try:
        out.print_json(json.dumps(desk.get(_admin(), case_id).to_dict(), ensure_ascii=False))
    finally:
        store.close()


@cases_app.command("move")
def move(
    case_id: str,
    to: Annotated[str, typer.Argument(help="The new state: acknowledged, under_review, upheld, ...")],
    db: DbOpt = None,
    note: Annotated[str, typer.Option(help="Why (kept in the history; quoted in a decision's answer).")] = "",
) -> None:
    """Move a case (as the desk)."""
    from kyodaku.claims.model import CaseState
    from kyodaku.domain.errors import InvalidInput

    try:
        target = CaseState(to)
    except ValueError:
        raise InvalidInput(
            f"unknown state {to!r}; use one of {', '.join(s.value for s in CaseState)}"
        ) from None
    store, desk = _desk(db)
    try:
        case = desk.move(_admin(), case_id, target, note)
    finally:
        store.close()
    err.print(f"{case.id} is now {case.state.value}")
    if case.answer:
        out.print(case.answer.get("en", ""), markup=False)
