"""`kyodaku ledger verify`: find every altered, removed or reordered entry, and name it.

Checks, in one pass over the entries by position (memory: one leaf hash per entry):

* positions run 0, 1, 2, ... with no gap: a gap is a removed entry;
* each body hashes to its stored leaf hash, and says its own position: otherwise it was altered
  (or moved: a body written for position 5 stored at position 7);
* each body's `prev` is the leaf hash recomputed from the entry before it: otherwise the entry
  before was altered, removed or the two reordered (the chain names where it breaks);
* each id is the one its leaf hash gives (ids cannot be chosen);
* every signed tree head: its root equals the root recomputed over its first `tree_size`
  entries, and a head larger than the ledger means entries were cut off its end; with a public
  key, each head's signature is checked too.

Why recompute rather than trust the stored hashes: whoever edits a body can edit its stored hash
too; they cannot make the next entry's `prev`, the published heads, or the signature agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kyodaku.audit.merkle import MerkleBuilder
from kyodaku.domain.errors import IntegrityError, KyodakuError
from kyodaku.provenance.entry import GENESIS, entry_id_of, leaf_of, short_id_of
from kyodaku.provenance.ledger import Ledger


@dataclass(frozen=True)
class LedgerProblem:
    """One thing wrong, located: the entry position and id (or the head) it concerns."""

    kind: str  # altered | removed | reordered | chain | id | head | signature
    message: str
    seq: int | None = None
    entry_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "message": self.message}
        if self.seq is not None:
            out["seq"] = self.seq
        if self.entry_id is not None:
            out["entry_id"] = self.entry_id
        return out


@dataclass
class LedgerReport:
    entries: int = 0
    heads: int = 0
    signatures_checked: int = 0
    problems: list[LedgerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "heads": self.heads,
            "signatures_checked": self.signatures_checked,
            "problems": [p.to_dict() for p in self.problems],
        }

    def raise_for(self) -> None:
        if self.problems:
            first = "; ".join(p.message for p in self.problems[:3])
            more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
            raise IntegrityError(
                f"the ledger does not verify: {first}{more}", problems=[p.to_dict() for p in self.problems]
            )


def verify_ledger(ledger: Ledger, public_key: str | Path | None = None) -> LedgerReport:
    report = LedgerReport()
    heads = {h.tree_size: h for h in ledger.heads()}
    report.heads = len(heads)
    builder = MerkleBuilder()
    roots: dict[int, bytes] = {}
    expected_seq = 0
    prev_leaf = GENESIS
    for entry in ledger.entries():
        add = report.problems.append
        if entry.seq != expected_seq:
            gap = (
                f"entry {expected_seq} is"
                if entry.seq == expected_seq + 1
                else (f"entries {expected_seq}..{entry.seq - 1} are")
            )
            add(LedgerProblem("removed", f"{gap} missing (removed)", expected_seq))
            expected_seq = entry.seq
        leaf = leaf_of(entry.body)
        where = f"entry {entry.seq} ({entry.entry_id})"
        try:
            body = json.loads(entry.body)
        except ValueError:
            body = {}
            add(LedgerProblem("altered", f"{where}: its body is not JSON", entry.seq, entry.entry_id))
        if leaf.hex() != entry.leaf_hash:
            add(LedgerProblem("altered", f"{where}: its body does not hash to its recorded hash (altered)",
                              entry.seq, entry.entry_id))  # fmt: skip
        if body and body.get("seq") != entry.seq:
            add(LedgerProblem("reordered", f"{where}: its body was written for position {body.get('seq')}",
                              entry.seq, entry.entry_id))  # fmt: skip
        if body and body.get("prev") != prev_leaf:
            add(LedgerProblem(
                "chain",
                f"{where}: the chain breaks here: it follows an entry whose hash is not that of entry "
                f"{entry.seq - 1} as stored (that entry was altered, removed or moved)",
                entry.seq, entry.entry_id,
            ))  # fmt: skip
        if entry.entry_id != entry_id_of(leaf) or entry.short_id != short_id_of(leaf):
            add(LedgerProblem("id", f"{where}: its ids do not come from its hash", entry.seq, entry.entry_id))
        builder.add_leaf_hash(leaf)
        prev_leaf = leaf.hex()
        expected_seq += 1
        report.entries += 1
        if builder.count in heads:
            roots[builder.count] = builder.root()
    for size, head in sorted(heads.items()):
        if size > expected_seq:
            report.problems.append(LedgerProblem(
                "removed",
                f"signed head {size} covers {size} entries but the ledger ends at entry {expected_seq - 1}: "
                f"the entries after it were removed",
            ))  # fmt: skip
            continue
        if roots.get(size, b"").hex() != head.root_hash:
            report.problems.append(LedgerProblem(
                "head", f"signed head {size}: its root is not the root of the first {size} entries as stored"
            ))  # fmt: skip
        if public_key is not None:
            try:
                head.check_signature(public_key)
                report.signatures_checked += 1
            except KyodakuError as exc:
                report.problems.append(LedgerProblem("signature", f"signed head {size}: {exc.message}"))
    return report
