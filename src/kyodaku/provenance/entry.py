"""What one ledger entry says about one decision, and how it is hashed, chained and named.

An entry's *body* is canonical JSON (sorted keys, no spaces, UTF-8): the decision's facts (time,
licensee, region, use, verdict, rules, findings with their evidence, registry version), the
prompt's SHA-256 (its text only where the operator allows), each output's SHA-256 and PDQ hashes,
and two fields that make the ledger tamper-evident: `seq`, the entry's position, and `prev`, the
previous entry's leaf hash. Its *leaf hash* is RFC 6962's SHA-256(0x00 || body), the leaf of the
Merkle tree whose signed heads are published. Why both a chain and a tree: the chain lets
`ledger verify` name the first entry that was altered, removed or reordered without any published
head; the tree lets an auditor check one entry against a published head with a short proof,
without the ledger.

Ids come from the leaf hash, so they cannot be chosen: `entry_id` is "le_" and 24 hex digits (96
bits), `short_id` the first 63 bits as an integer, small enough for an invisible watermark's
payload. A forged id names no entry; two entries sharing a short id would need a 2^-63 chance
(about 5e-8 over a million entries), and the database's unique index would refuse the second.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kyodaku.audit.merkle import leaf_hash
from kyodaku.domain.access import Principal, Role
from kyodaku.domain.findings import Decision

FORMAT = "kyodaku-ledger-entry/1"
GENESIS = "0" * 64
"""The `prev` of the first entry."""
SOURCES = ("api", "cli", "python")


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_id_of(leaf: bytes) -> str:
    return "le_" + leaf.hex()[:24]


def short_id_of(leaf: bytes) -> int:
    return int.from_bytes(leaf[:8], "big") >> 1


@dataclass(frozen=True)
class OutputHashes:
    """One output as the ledger keeps it: its SHA-256 and the PDQ hash of each hashed frame (the
    whole picture, as generated: what a copy found later is compared with)."""

    sha256: str
    media_type: str
    pdq: tuple[tuple[bytes, int], ...] = ()  # (hash, quality) per frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "media_type": self.media_type,
            "pdq": [h.hex() for h, _ in self.pdq],
        }

    @classmethod
    def from_media(cls, media: Any) -> OutputHashes:
        frames = [
            (f.hash, int(f.quality)) for f in media.frames if f.region == "full" and f.variant == "original"
        ]
        return cls(media.sha256, media.media_type, tuple(frames))


@dataclass(frozen=True)
class Record:
    """What the caller knows beyond the decision: who asked, through what, and the prompt."""

    source: str = "python"
    actor: str | None = None
    prompt: str | None = None
    keep_prompt_text: bool = False


@dataclass(frozen=True)
class LedgerEntry:
    """One stored entry, as read back."""

    seq: int
    entry_id: str
    short_id: int
    created_at: datetime
    leaf_hash: str
    prev_hash: str
    body: bytes
    outputs: tuple[OutputHashes, ...] = field(default=(), compare=False)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.body)

    def concerns(self, rightsholder: str) -> bool:
        """Whether any finding or entity decision of this entry is about `rightsholder`'s entries."""
        data = self.data
        return any(e.get("rightsholder", {}).get("id") == rightsholder for e in data.get("entities", []))

    def visible_to(self, principal: Principal) -> bool:
        """Who may read this entry: admins and operators every entry; a rightsholder only those
        whose decisions concern one of its own entries (any other answers as an unknown id)."""
        return principal.role is not Role.RIGHTSHOLDER or self.concerns(principal.rightsholder or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "seq": self.seq,
            "short_id": self.short_id,
            "leaf_hash": self.leaf_hash,
            "prev_hash": self.prev_hash,
            "entry": self.data,
        }


def build_body(
    decision: Decision | dict[str, Any], record: Record, *, seq: int, prev: str, created_at: datetime
) -> tuple[bytes, tuple[OutputHashes, ...]]:
    """The canonical body of the entry for `decision` (the object, or its `to_dict()` as batch
    workers return it), and the outputs' hashes it lists."""
    if isinstance(decision, Decision):
        facts = decision.to_dict()
        outputs = tuple(OutputHashes.from_media(m) for m in decision.media_hashes)
    else:
        facts, outputs = decision, ()
    prompt = None
    if record.prompt is not None:
        prompt = {
            "sha256": hashlib.sha256(record.prompt.encode("utf-8", "surrogatepass")).hexdigest(),
            "chars": len(record.prompt),
        }
        if record.keep_prompt_text:
            prompt["text"] = record.prompt
    body = {
        "format": FORMAT,
        "seq": seq,
        "prev": prev,
        "time": created_at.isoformat(),
        "source": record.source,
        "actor": record.actor,
        "decision_id": facts.get("id"),
        "context": facts.get("context"),
        "verdict": facts.get("verdict"),
        "failed_closed": bool(facts.get("failed_closed")),
        "registry_version": facts.get("registry_version"),
        "snapshot": facts.get("snapshot"),
        "entities": facts.get("entities", []),
        "findings": facts.get("findings", []),
        "themes": facts.get("themes", []),
        "notes": facts.get("notes", []),
        "prompt": prompt,
        "outputs": [o.to_dict() for o in outputs],
    }
    return canonical(body), outputs


def subjects_of(data: dict[str, Any], seq: int) -> list[dict[str, Any]]:
    """The `ledger_subjects` rows of an entry's body: one per registered entry it decided about.

    The matcher named is the one whose finding about that entry scored highest (the evidence that
    carried the decision); the day is the entry's UTC date, which is what dashboards group by."""
    best: dict[str, tuple[float, str]] = {}
    for f in data.get("findings") or ():
        entity, score = f.get("entity"), float(f.get("score") or 0.0)
        if entity and (entity not in best or score > best[entity][0]):
            best[entity] = (score, str(f.get("matcher") or ""))
    day = str(data.get("time") or "")[:10]
    rows = []
    for e in data.get("entities") or ():
        holder = (e.get("rightsholder") or {}).get("id")
        entity = e.get("entity")
        if not holder or not entity:
            continue
        rows.append({
            "seq": seq, "rightsholder": str(holder)[:128], "entity": str(entity)[:128],
            "kind": str(e.get("kind") or "")[:16], "verdict": str(e.get("verdict") or "")[:8], "day": day,
            "matcher": best.get(entity, (0.0, ""))[1][:64] or None,
        })  # fmt: skip
    return rows


def leaf_of(body: bytes) -> bytes:
    return leaf_hash(body)
