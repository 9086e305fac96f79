"""What was decided about a rightsholder's entries: counts by day, entry and matcher, and the latest
decisions, read from the ledger's subject index (`ledger_subjects`) rather than the entries' bodies.

Why an index: a dashboard must answer in well under a second with hundreds of thousands of ledger
entries, and parsing every body (what `kyodaku report transparency` does for a full audit) takes
tens of seconds at a million. The index holds only what these views group by, under covering
indexes per rightsholder; its rows are derived from the bodies the ledger's chain protects, and a
detail view reads the entry itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from kyodaku.registry.models import LedgerEntryRow, LedgerSubjectRow

S = LedgerSubjectRow


@dataclass
class Count:
    """Decisions about one key (a day, an entry, a matcher): how many, and how many were blocked."""

    key: str
    blocked: int = 0
    total: int = 0


@dataclass(frozen=True)
class RecentDecision:
    seq: int
    entry_id: str
    time: str
    entity: str
    kind: str
    verdict: str
    matcher: str | None


@dataclass(frozen=True)
class Activity:
    """A rightsholder's (or, for the desk, everyone's) decisions over a window of days."""

    since: date
    until: date
    by_day: list[Count]
    by_entity: list[Count]
    by_matcher: list[Count]
    recent: list[RecentDecision] = field(default_factory=list)

    @property
    def blocked(self) -> int:
        return sum(c.blocked for c in self.by_day)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.by_day)


def _counts(rows, key_index: int = 0) -> dict[str, Count]:
    out: dict[str, Count] = {}
    for row in rows:
        key, verdict, n = str(row[key_index] or "-"), row[1], int(row[2])
        c = out.setdefault(key, Count(key))
        c.total += n
        if verdict == "block":
            c.blocked += n
    return out


def activity(
    engine: Engine,
    rightsholder: str | None,
    days: int = 30,
    today: date | None = None,
    top: int = 15,
    recent: int = 20,
) -> Activity:
    """Counts over the last `days` days (today included) and the `recent` latest decisions."""
    today = today or date.today()
    since = today - timedelta(days=days - 1)
    scope = [S.day >= since.isoformat(), S.day <= today.isoformat()]
    if rightsholder is not None:
        scope.append(S.rightsholder == rightsholder)
    n = func.count()
    with engine.connect() as conn:
        day_rows = conn.execute(select(S.day, S.verdict, n).where(*scope).group_by(S.day, S.verdict)).all()
        entity_rows = conn.execute(
            select(S.entity, S.verdict, n).where(*scope).group_by(S.entity, S.verdict)
        ).all()
        matcher_rows = conn.execute(
            select(S.matcher, S.verdict, n).where(*scope).group_by(S.matcher, S.verdict)
        ).all()
        latest = select(
            S.seq, S.entity, S.kind, S.verdict, S.matcher, LedgerEntryRow.entry_id, LedgerEntryRow.created_at
        ).join(LedgerEntryRow, LedgerEntryRow.seq == S.seq)
        if rightsholder is not None:
            latest = latest.where(S.rightsholder == rightsholder)
        recent_rows = conn.execute(latest.order_by(S.seq.desc()).limit(recent)).all()
    by_day = _counts(day_rows)
    days_list = [
        by_day.get(d, Count(d)) for d in ((since + timedelta(days=i)).isoformat() for i in range(days))
    ]
    by_entity = sorted(_counts(entity_rows).values(), key=lambda c: (-c.blocked, -c.total, c.key))[:top]
    by_matcher = sorted(_counts(matcher_rows).values(), key=lambda c: (-c.blocked, -c.total, c.key))[:top]
    return Activity(
        since,
        today,
        days_list,
        by_entity,
        by_matcher,
        [
            RecentDecision(
                r.seq,
                r.entry_id,
                r.created_at.isoformat(timespec="seconds"),
                r.entity,
                r.kind,
                r.verdict,
                r.matcher,
            )
            for r in recent_rows
        ],
    )
