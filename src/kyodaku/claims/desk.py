"""The desk: filing claims and inquiries, tracing what they concern, moving them, answering.

`ClaimsDesk` is the one place the rules meet: who may file about which entries, who may make
which move (model.TRANSITIONS), what evidence a case carries, what upholding does, and what the
claimant is told. The API, the CLI and the portal call it; it calls the registry, the ledger, the
guard and the case store.

Evidence at filing, so the desk decides on facts rather than on the claim's word:
* the ledger entry named (a forged or unknown id is refused: NotFound);
* for an uploaded output: `trace` (which ledger entries it leads to, and how: exact bytes, PDQ,
  watermark, content credentials) and a re-match against the registry (`Guard.screen_output`),
  keeping the findings about the claimant's own entries;
* a link is kept as text, never fetched.

Upholding a claim about an uploaded output adds that output to the claimed entries' reference
banks (as the claimant's references), so the same output, or a copy of it, is blocked at the next
screen: the claim changes what the guard does, not only what the desk says.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kyodaku.claims.answer import compose_answer
from kyodaku.claims.model import (
    DECIDED,
    TRANSITIONS,
    Case,
    CaseKind,
    CaseState,
    DeadlinePolicy,
    Party,
)
from kyodaku.claims.store import CaseStore
from kyodaku.domain.access import Principal, Role
from kyodaku.domain.errors import Forbidden, InvalidInput, NotFound
from kyodaku.policy.engine import ScreenContext

MAX_TEXT = 20_000
MAX_ENTITIES = 50


@dataclass(frozen=True)
class NewCase:
    """What a claimant sends."""

    kind: CaseKind
    entities: list[str]
    text: str
    ledger_id: str | None = None
    link: str | None = None
    file: bytes | None = None
    file_name: str | None = None


class ClaimsDesk:
    def __init__(
        self,
        store,
        cases: CaseStore,
        *,
        ledger=None,
        guard=None,
        refstore=None,
        policy: DeadlinePolicy | None = None,
        clock: Callable[[], datetime] | None = None,
        after_reference: Callable[[], None] | None = None,
        max_file_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.store = store  # the registry (entries, references)
        self.cases = cases
        self.ledger = ledger
        self.guard = guard
        self.refstore = refstore
        self.policy = policy or DeadlinePolicy()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.after_reference = after_reference  # e.g. the server's snapshot refresh
        self.max_file_bytes = max_file_bytes

    # -- filing -----------------------------------------------------------------------------------
    def file(self, who: Principal, new: NewCase) -> Case:
        """File a claim or inquiry for the caller's rightsholder (an admin files for the entries'
        owner). Refusals: entries not the caller's (NotFound, as if they did not exist), a forged
        ledger id (NotFound), a file that is not media or too large (UnsupportedMedia,
        PayloadTooLarge), empty or oversized text (InvalidInput)."""
        if who.role is Role.OPERATOR:
            raise Forbidden("claims are filed by rightsholders (or an admin for them), not operators")
        text = (new.text or "").strip()
        if not text:
            raise InvalidInput("say what the case is about: the text is empty")
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"the text is longer than {MAX_TEXT:,} characters")
        entities = list(dict.fromkeys(e.strip() for e in new.entities if e and e.strip()))
        if not entities:
            raise InvalidInput("name at least one of your entries the case is about")
        if len(entities) > MAX_ENTITIES:
            raise InvalidInput(f"at most {MAX_ENTITIES} entries per case")
        owner = self._owner_of(who, entities)
        if new.kind is CaseKind.CLAIM and not (new.file or new.ledger_id or new.link):
            raise InvalidInput("a claim needs the output: a file, a ledger id, or a link with a copy")
        if new.file is not None and len(new.file) > self.max_file_bytes:
            from kyodaku.domain.errors import PayloadTooLarge

            raise PayloadTooLarge(f"the file is larger than {self.max_file_bytes:,} bytes")
        now = self.clock()
        evidence: dict[str, Any] = {}
        if new.ledger_id:
            if self.ledger is None:
                raise NotFound(f"no ledger entry {new.ledger_id!r} (this service keeps no ledger)")
            entry = self.ledger.get(new.ledger_id)
            evidence["ledger_entry"] = _entry_summary(entry)
        file_sha = None
        if new.file is not None:
            evidence.update(self._examine(new.file, new.file_name, owner, entities))
            file_sha = evidence["file"]["sha256"]
            self._keep_file(new.file, new.file_name)
        case = Case(
            id="case_" + secrets.token_hex(8),
            kind=new.kind,
            rightsholder=owner,
            entities=entities,
            text=text,
            state=CaseState.RECEIVED,
            created_at=now,
            acknowledge_by=now + self.policy.acknowledge,
            decide_by=now + self.policy.decide,
            ledger_id=new.ledger_id or None,
            link=(new.link or "").strip() or None,
            file_sha256=file_sha,
            file_name=new.file_name,
            evidence=evidence,
        )
        return self.cases.create(case, who.key_id, "filed")

    def _owner_of(self, who: Principal, entities: list[str]) -> str:
        owners = set()
        for entity_id in entities:
            try:
                entity = self.store.get_entity(entity_id)
            except NotFound:
                raise NotFound(f"no entry {entity_id!r}") from None
            if who.role is Role.RIGHTSHOLDER and entity.owner != who.rightsholder:
                raise NotFound(f"no entry {entity_id!r}")  # another's entry looks like none at all
            owners.add(entity.owner)
        if len(owners) != 1:
            raise InvalidInput("one case concerns the entries of one rightsholder")
        return owners.pop()

    def _examine(self, data: bytes, name: str | None, owner: str, entities: list[str]) -> dict[str, Any]:
        """Trace the output through the ledger and re-match it against the registry."""
        import hashlib

        from kyodaku.media.hashing import hash_media

        media = hash_media(data, name=name or "claimed file")  # refuses what is not media, bombs
        out: dict[str, Any] = {
            "file": {"sha256": hashlib.sha256(data).hexdigest(), "media_type": media.media_type,
                     "name": name, "width": media.width, "height": media.height},
        }  # fmt: skip
        if self.ledger is not None:
            from kyodaku.provenance.trace import trace

            out["trace"] = trace(self.ledger, data, name=name).to_dict()
        if self.guard is not None:
            decision = self.guard.screen_output(
                media=[data], context=ScreenContext(), names=[name or "claimed"]
            )
            out["rematch"] = {
                "verdict": decision.verdict.value,
                "registry_version": decision.registry_version,
                "entities": [e.to_dict() for e in decision.entities if e.entity in entities],
                "findings": [f.to_dict() for f in decision.findings if f.entity in entities],
            }
        return out

    def _keep_file(self, data: bytes, name: str | None) -> None:
        if self.refstore is None:
            return
        staged = self.refstore.stage(data, name=name or "claimed")
        self.refstore.commit(staged)

    # -- reading ----------------------------------------------------------------------------------
    def get(self, who: Principal, case_id: str) -> Case:
        """A case with its history; another rightsholder's case answers NotFound, as an unknown id."""
        case = self.cases.get(case_id)
        if who.role is Role.RIGHTSHOLDER and case.rightsholder != who.rightsholder:
            raise NotFound(f"no case {case_id!r}")
        return case

    def list(
        self,
        who: Principal,
        states: list[CaseState] | None = None,
        limit: int | None = None,
        offset: int = 0,
        after: tuple[datetime, str] | None = None,
    ) -> list[Case]:
        owner = who.rightsholder if who.role is Role.RIGHTSHOLDER else None
        return self.cases.list(rightsholder=owner, states=states, limit=limit, offset=offset, after=after)

    def count(self, who: Principal, states: list[CaseState] | None = None, overdue: bool = False) -> int:
        """How many of the caller's cases (the desk: all) are in `states`, or overdue now."""
        owner = who.rightsholder if who.role is Role.RIGHTSHOLDER else None
        if overdue:
            open_states = [s for s in CaseState if s not in DECIDED]
            return self.cases.count(rightsholder=owner, states=open_states, due_before=self.clock())
        return self.cases.count(rightsholder=owner, states=states)

    def overdue(self, who: Principal, now: datetime | None = None) -> list[Case]:
        """Open cases past their deadline, the most overdue first."""
        now = now or self.clock()
        open_states = [s for s in CaseState if s not in DECIDED]
        late = [c for c in self.list(who, open_states) if c.overdue(now) is not None]
        return sorted(late, key=lambda c: (c.overdue(now).due, c.id))

    def due_soon(self, who: Principal, now: datetime | None = None) -> list[Case]:
        """Open cases whose deadline falls within the policy's reminder window (not yet overdue)."""
        now = now or self.clock()
        open_states = [s for s in CaseState if s not in DECIDED]
        out = []
        for case in self.list(who, open_states):
            deadline = case.next_deadline()
            if deadline and now <= deadline.due <= now + self.policy.remind_before:
                out.append(case)
        return out

    def figures(self, who: Principal, since: datetime | None = None, until: datetime | None = None) -> dict:
        """The transparency report's claims section: cases filed in the window (the caller's, for a
        rightsholder), how many were acknowledged and decided within their deadlines, and how many
        of them are overdue now."""
        cases = [
            c for c in self.list(who)
            if (since is None or c.created_at >= since) and (until is None or c.created_at < until)
        ]  # fmt: skip
        acknowledged = self.cases.first_reached(CaseState.ACKNOWLEDGED)
        now = self.clock()
        return {
            "received": len(cases),
            "acknowledged_on_time": sum(
                1 for c in cases if c.id in acknowledged and acknowledged[c.id] <= c.acknowledge_by
            ),
            "decided_on_time": sum(
                1 for c in cases if c.decided_at is not None and c.decided_at <= c.decide_by
            ),
            "overdue": sum(1 for c in cases if c.overdue(now) is not None),
        }

    # -- moving -----------------------------------------------------------------------------------
    def move(self, who: Principal, case_id: str, to: CaseState, note: str = "") -> Case:
        """Make one move, if the table allows it and the caller is the party that may make it."""
        case = self.get(who, case_id)
        party = TRANSITIONS.get((case.state, to))
        if party is None:
            raise InvalidInput(
                f"case {case_id} is {case.state.value}: it cannot become {to.value}",
                state=case.state.value,
                to=to.value,
            )
        if party is Party.DESK and who.role not in (Role.OPERATOR, Role.ADMIN):
            raise Forbidden(f"only the desk (an operator or admin) can make a case {to.value}")
        if party is Party.CLAIMANT and not (
            who.role is Role.ADMIN
            or (who.role is Role.RIGHTSHOLDER and who.rightsholder == case.rightsholder)
        ):
            raise Forbidden(f"only the claimant can make its case {to.value}")
        if len(note) > MAX_TEXT:
            raise InvalidInput(f"the note is longer than {MAX_TEXT:,} characters")
        now = self.clock()
        changes: dict[str, Any] = {}
        if to in DECIDED:
            changes["decided_at"] = now
        if to in (CaseState.UPHELD, CaseState.REJECTED):
            evidence = dict(case.evidence)
            if to is CaseState.UPHELD and case.kind is CaseKind.CLAIM:
                evidence["references_added"] = self._block_next_time(case)
            changes["evidence"] = evidence
            changes["answer"] = compose_answer(case, to, evidence, note)
        self.cases.move(case_id, case.state, to, who.key_id, now, note, changes=changes)
        return self.cases.get(case_id)

    def _block_next_time(self, case: Case) -> list[str]:
        """The claimed output becomes a reference of each claimed entry (the claimant's own)."""
        if not case.file_sha256 or self.refstore is None or not self.refstore.exists(case.file_sha256):
            return []
        from kyodaku.domain.access import Principal as _Principal
        from kyodaku.refs.ingest import ingest_reference

        owner = _Principal("claims-desk", Role.RIGHTSHOLDER, rightsholder=case.rightsholder)
        added = []
        for entity_id in case.entities:
            with self.refstore.open(case.file_sha256) as fh:
                data = fh.read()
            info = ingest_reference(self.store, self.refstore, owner, entity_id, data,
                                    filename=case.file_name or f"{case.id}-output")  # fmt: skip
            added.append(info.id)
        if added and self.after_reference is not None:
            self.after_reference()
        return added


def _entry_summary(entry) -> dict[str, Any]:
    data = entry.data
    return {
        "id": entry.entry_id,
        "time": data.get("time"),
        "verdict": data.get("verdict"),
        "context": data.get("context"),
        "registry_version": data.get("registry_version"),
        "entities": [
            {k: e.get(k) for k in ("entity", "verdict", "rule", "reason")} for e in data.get("entities", [])
        ],
        "outputs": [o.get("sha256") for o in data.get("outputs", [])],
    }
