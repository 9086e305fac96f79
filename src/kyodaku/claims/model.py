"""Cases, their states and the transitions between them: the desk's rules, with no storage.

Why a table of transitions rather than checks scattered over handlers: "no jump from received to
upheld without review, no change after withdrawn" is a property of the table, tested once over
every pair (and over random sequences), and every handler asks the same question.

    received ──► acknowledged ──► under_review ──► upheld            (final)
        │              │               ├────────► rejected ──► escalated (the claimant appeals)
        │              │               └────────► escalated ──► upheld | rejected
        └──────────────┴───────────────┴─ any open state ──► withdrawn (final; the claimant only)

Who may move a case: the desk (operators, admins) acknowledges, reviews, decides and escalates;
the claimant (the rightsholder that filed it) withdraws, and appeals a rejection by escalating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class CaseKind(StrEnum):
    CLAIM = "claim"
    """An output infringes the claimant's entry: find how it came about, and stop it recurring."""
    INQUIRY = "inquiry"
    """A question: about a generation, or whether the claimant's works were in a scanned training set."""


class CaseState(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ESCALATED = "escalated"


class Party(StrEnum):
    DESK = "desk"
    CLAIMANT = "claimant"


S = CaseState
TRANSITIONS: dict[tuple[CaseState, CaseState], Party] = {
    (S.RECEIVED, S.ACKNOWLEDGED): Party.DESK,
    (S.ACKNOWLEDGED, S.UNDER_REVIEW): Party.DESK,
    (S.UNDER_REVIEW, S.UPHELD): Party.DESK,
    (S.UNDER_REVIEW, S.REJECTED): Party.DESK,
    (S.UNDER_REVIEW, S.ESCALATED): Party.DESK,
    (S.ESCALATED, S.UPHELD): Party.DESK,
    (S.ESCALATED, S.REJECTED): Party.DESK,
    (S.REJECTED, S.ESCALATED): Party.CLAIMANT,
    (S.RECEIVED, S.WITHDRAWN): Party.CLAIMANT,
    (S.ACKNOWLEDGED, S.WITHDRAWN): Party.CLAIMANT,
    (S.UNDER_REVIEW, S.WITHDRAWN): Party.CLAIMANT,
    (S.ESCALATED, S.WITHDRAWN): Party.CLAIMANT,
}
"""Every allowed move and who may make it. Anything not listed is refused."""

FINAL = frozenset({S.UPHELD, S.WITHDRAWN})
DECIDED = frozenset({S.UPHELD, S.REJECTED, S.WITHDRAWN})
"""States in which the claimant has had its answer (a rejection may still be appealed)."""


def allowed_moves(state: CaseState) -> dict[CaseState, Party]:
    return {to: who for (frm, to), who in TRANSITIONS.items() if frm is state}


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long the desk has: to acknowledge a case, and to decide it (from filing). CODA asked for
    faithful answers; a deadline per state makes "faithful" checkable."""

    acknowledge: timedelta = timedelta(days=2)
    decide: timedelta = timedelta(days=14)
    remind_before: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    what: str  # "acknowledge" | "decide"
    due: datetime

    def to_dict(self) -> dict[str, str]:
        return {"what": self.what, "due": self.due.isoformat()}


@dataclass(frozen=True)
class CaseEvent:
    """One transition, as recorded (append-only): who moved the case, from what to what, when, why."""

    case_id: str
    seq: int
    from_state: CaseState | None
    to_state: CaseState
    actor: str
    at: datetime
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "from": self.from_state.value if self.from_state else None,
            "to": self.to_state.value,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "note": self.note,
        }


@dataclass
class Case:
    id: str
    kind: CaseKind
    rightsholder: str
    entities: list[str]
    text: str
    state: CaseState
    created_at: datetime
    acknowledge_by: datetime
    decide_by: datetime
    ledger_id: str | None = None
    link: str | None = None
    file_sha256: str | None = None
    file_name: str | None = None
    decided_at: datetime | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    answer: dict[str, str] = field(default_factory=dict)
    events: list[CaseEvent] = field(default_factory=list)

    def next_deadline(self) -> Deadline | None:
        """The deadline the desk is working against now (none once decided)."""
        if self.state in DECIDED:
            return None
        if self.state is CaseState.RECEIVED:
            return Deadline("acknowledge", min(self.acknowledge_by, self.decide_by))
        return Deadline("decide", self.decide_by)

    def overdue(self, now: datetime) -> Deadline | None:
        """The deadline passed without the step it asks for, if any."""
        deadline = self.next_deadline()
        return deadline if deadline is not None and now > deadline.due else None

    def to_dict(self, *, events: bool = True) -> dict[str, Any]:
        deadline = self.next_deadline()
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "rightsholder": self.rightsholder,
            "entities": self.entities,
            "text": self.text,
            "state": self.state.value,
            "created_at": self.created_at.isoformat(),
            "acknowledge_by": self.acknowledge_by.isoformat(),
            "decide_by": self.decide_by.isoformat(),
            "next_deadline": deadline.to_dict() if deadline else None,
            "ledger_id": self.ledger_id,
            "link": self.link,
            "file": {"sha256": self.file_sha256, "name": self.file_name} if self.file_sha256 else None,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "evidence": self.evidence,
            "answer": self.answer,
        }
        if events:
            out["events"] = [e.to_dict() for e in self.events]
        return out
