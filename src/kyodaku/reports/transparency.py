"""The transparency report: what the guard decided, for whom, from the generation ledger.

Why from the ledger: it records every decision and cannot be edited afterwards (docs/provenance.md),
so figures computed from it can be checked by anyone holding the ledger and its signed heads. The
report counts decisions and their verdicts

* by rightsholder and by rightsholder country (a decision naming entries of two rightsholders
  counts once for each; its verdict for a rightsholder is the most severe verdict among that
  rightsholder's entries, so one rightsholder's block never shows up as another's),
* by kind of entry (character, work, style), the same way,
* by matcher (the decisions in which that matcher reported a finding, with the decision's verdict:
  how much of the protection each technique carries),
* by the prompt's script (Kana, Hangul, Han, Latin, ...; "unknown" when the ledger keeps only the
  prompt's hash, which is the default because prompts can be personal),
* per day (UTC),

each with its block rate and Wilson 95 % interval, plus a claims section supplied by the claims
desk (a plug-in: any object with `received`, `acknowledged_on_time`, `decided_on_time` and
`overdue` counts; None renders as "no claims data").

A rightsholder's view (`viewer`) holds only its own rows: every section is computed over the
decisions that concern its entries, reduced to those entries (its verdict, its findings). Per-
country totals stay visible, computed over every decision, because they are how a rightsholder
checks that its country is treated like the others, except where too few other rightsholders
contribute to a country's total to hide each one's figures (`common.suppressed_for`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from kyodaku.reports.common import (
    MIN_OTHER_RIGHTSHOLDERS,
    SEVERITY,
    UNKNOWN,
    Tally,
    day_of,
    prompt_text,
    records,
    script_of,
    suppressed_for,
    worst,
)
from kyodaku.reports.stats import DEFAULT_CONFIDENCE, Proportion


@runtime_checkable
class ClaimsSource(Protocol):
    """What the claims desk hands the report (duck-typed: any object with these counts)."""

    received: int
    acknowledged_on_time: int
    decided_on_time: int
    overdue: int


@dataclass(frozen=True)
class ClaimsFigures:
    """Claims and inquiries over the report's period: how many came in, how many were acknowledged
    and decided within their deadlines, how many are overdue now."""

    received: int
    acknowledged_on_time: int
    decided_on_time: int
    overdue: int

    @classmethod
    def of(cls, source: Any) -> ClaimsFigures | None:
        """From the claims desk's object (attributes) or a mapping; None stays None."""
        if source is None:
            return None
        if isinstance(source, ClaimsFigures):
            return source
        get = source.get if isinstance(source, Mapping) else lambda k: getattr(source, k)
        try:
            return cls(
                *(int(get(k)) for k in ("received", "acknowledged_on_time", "decided_on_time", "overdue"))
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                "claims figures need integer received, acknowledged_on_time, decided_on_time and overdue"
            ) from exc

    def to_dict(self) -> dict[str, Any]:
        def share(k: int) -> float | None:
            return round(k / self.received, 6) if self.received else None

        return {
            "received": self.received,
            "acknowledged_on_time": self.acknowledged_on_time,
            "decided_on_time": self.decided_on_time,
            "overdue": self.overdue,
            "acknowledged_on_time_share": share(self.acknowledged_on_time),
            "decided_on_time_share": share(self.decided_on_time),
        }


@dataclass(frozen=True)
class CountRow:
    """One row: decisions and their verdicts, the block rate with its interval. `suppressed` rows
    (a rightsholder's view of a country with too few other rightsholders) carry no counts."""

    key: str
    decisions: int
    allowed: int
    reviewed: int
    blocked: int
    block_rate: Proportion | None
    label: str | None = None
    country: str | None = None
    suppressed: bool = False

    @classmethod
    def of(
        cls, key: str, tally: Tally, confidence: float, label: str | None = None, country: str | None = None
    ) -> CountRow:
        return cls(
            key,
            tally.total,
            tally.allowed,
            tally.reviewed,
            tally.blocked,
            tally.block_rate(confidence),
            label,
            country,
        )

    @classmethod
    def hidden(cls, key: str, label: str | None = None, country: str | None = None) -> CountRow:
        return cls(key, 0, 0, 0, 0, None, label, country, suppressed=True)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key}
        if self.label is not None:
            out["label"] = self.label
        if self.country is not None:
            out["country"] = self.country
        if self.suppressed:
            out["suppressed"] = True
            return out
        out.update(
            decisions=self.decisions,
            allowed=self.allowed,
            reviewed=self.reviewed,
            blocked=self.blocked,
            block_rate=self.block_rate.to_dict() if self.block_rate else None,
        )
        return out


@dataclass
class TransparencyReport:
    generated_at: datetime
    since: datetime | None
    until: datetime | None
    viewer: str | None
    totals: dict[str, int]
    by_rightsholder: list[CountRow]
    by_country: list[CountRow]
    by_kind: list[CountRow]
    by_matcher: list[CountRow]
    by_language: list[CountRow]
    per_day: list[CountRow]
    claims: ClaimsFigures | None = None
    notes: list[str] = field(default_factory=list)
    confidence: float = DEFAULT_CONFIDENCE
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        def rows(items: list[CountRow]) -> list[dict[str, Any]]:
            return [r.to_dict() for r in items]

        return {
            "report": "transparency",
            "generated_at": self.generated_at.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "scope": {"rightsholder": self.viewer} if self.viewer else "all",
            "confidence": self.confidence,
            "totals": dict(self.totals),
            "by_rightsholder": rows(self.by_rightsholder),
            "by_country": rows(self.by_country),
            "by_kind": rows(self.by_kind),
            "by_matcher": rows(self.by_matcher),
            "by_language": rows(self.by_language),
            "per_day": rows(self.per_day),
            "claims": self.claims.to_dict() if self.claims else None,
            "notes": list(self.notes),
            "elapsed_s": round(self.elapsed_s, 3),
        }


class _Aggregate:
    """One pass over decision bodies."""

    def __init__(self) -> None:
        self.totals = {
            "decisions": 0,
            "allowed": 0,
            "reviewed": 0,
            "blocked": 0,
            "failed_closed": 0,
            "with_registered_entry": 0,
            "prompt_text_kept": 0,
        }
        self.rightsholder: dict[str, Tally] = {}
        self.rightsholder_meta: dict[str, tuple[str | None, str | None]] = {}
        self.country: dict[str, Tally] = {}
        self.country_holders: dict[str, set[str]] = {}
        self.kind: dict[str, Tally] = {}
        self.matcher: dict[str, Tally] = {}
        self.language: dict[str, Tally] = {}
        self.day: dict[str, Tally] = {}

    @staticmethod
    def _bump(table: dict[str, Tally], key: str, level: int) -> None:
        tally = table.get(key)
        if tally is None:
            tally = table[key] = Tally()
        tally.add_level(level)

    def add(self, data: Mapping[str, Any], countries: bool = True) -> None:
        """Count one decision. Verdicts are handled as severity levels (0 allow, 1 review, 2 block;
        anything else counts as block), merged per group by taking the most severe."""
        level = SEVERITY.get(data.get("verdict"), 2)  # type: ignore[arg-type]
        t = self.totals
        t["decisions"] += 1
        t[_TOTAL_KEYS[level]] += 1
        if data.get("failed_closed"):
            t["failed_closed"] += 1
        holders: dict[str, int] = {}
        by_country: dict[str, int] = {}
        by_kind: dict[str, int] = {}
        for e in data.get("entities") or ():
            if not isinstance(e, Mapping):
                continue
            rh = e.get("rightsholder") or {}
            rid = str(rh.get("id") or UNKNOWN)
            country = str(rh.get("country") or UNKNOWN).upper()
            kind = str(e.get("kind") or UNKNOWN)
            v = SEVERITY.get(e.get("verdict"), 2)  # type: ignore[arg-type]
            if holders.get(rid, -1) < v:
                holders[rid] = v
            if by_country.get(country, -1) < v:
                by_country[country] = v
            if by_kind.get(kind, -1) < v:
                by_kind[kind] = v
            if rid not in self.rightsholder_meta:
                self.rightsholder_meta[rid] = (rh.get("name"), country)
            known = self.country_holders.get(country)
            if known is None:
                self.country_holders[country] = {rid}
            elif rid not in known:
                known.add(rid)
        if holders:
            t["with_registered_entry"] += 1
        bump = self._bump
        for rid, v in holders.items():
            bump(self.rightsholder, rid, v)
        if countries:
            for country, v in by_country.items():
                bump(self.country, country, v)
        for kind, v in by_kind.items():
            bump(self.kind, kind, v)
        findings = data.get("findings") or ()
        for matcher in {str(f.get("matcher")) for f in findings if isinstance(f, Mapping)}:
            bump(self.matcher, matcher, level)
        text = prompt_text(data)
        if text is not None:
            t["prompt_text_kept"] += 1
        bump(self.language, script_of(text), level)
        bump(self.day, day_of(data), level)


_TOTAL_KEYS = ("allowed", "reviewed", "blocked")


def _project(data: Mapping[str, Any], viewer: str) -> dict[str, Any] | None:
    """The decision as `viewer` may see it: only its own entries and their findings, its verdict;
    None when the decision concerns none of its entries."""
    own = [
        e
        for e in data.get("entities") or ()
        if isinstance(e, Mapping) and (e.get("rightsholder") or {}).get("id") == viewer
    ]
    if not own:
        return None
    ids = {e.get("entity") for e in own}
    findings = [f for f in data.get("findings") or () if isinstance(f, Mapping) and f.get("entity") in ids]
    return {
        "time": data.get("time"),
        "verdict": worst(str(e.get("verdict") or "block") for e in own),
        "failed_closed": data.get("failed_closed"),
        "entities": own,
        "findings": findings,
        "prompt": data.get("prompt"),
    }


def _rows(table: dict[str, Tally], confidence: float, *, by_key: bool = False) -> list[CountRow]:
    keys = sorted(table) if by_key else sorted(table, key=lambda k: (-table[k].total, k))
    return [CountRow.of(k, table[k], confidence) for k in keys]


def transparency_report(
    entries: Iterable[Any],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    viewer: str | None = None,
    claims: Any = None,
    confidence: float = DEFAULT_CONFIDENCE,
    min_other_rightsholders: int = MIN_OTHER_RIGHTSHOLDERS,
) -> TransparencyReport:
    """Count the decisions of `entries` (ledger entries or their bodies) in [since, until).

    `viewer`: a rightsholder id for that rightsholder's view (see the module docstring); None for
    the whole ledger (admins, operators, the command line). `claims`: the claims desk's figures
    (see `ClaimsFigures.of`), or None."""
    began = time.perf_counter()
    full = _Aggregate()
    mine = _Aggregate() if viewer is not None else full
    for data in records(entries, since, until):
        if viewer is None:
            full.add(data)
            continue
        # Countries are counted over everything (the per-country comparison); the rest over the
        # viewer's own part only. `full` counts nothing else the viewer will see.
        full.add(data)
        projected = _project(data, viewer)
        if projected is not None:
            mine.add(projected, countries=False)
    holders = {
        rid: CountRow.of(rid, tally, confidence, *mine.rightsholder_meta.get(rid, (None, None)))
        for rid, tally in mine.rightsholder.items()
    }
    by_rightsholder = sorted(holders.values(), key=lambda r: (-r.decisions, r.key))
    by_country: list[CountRow] = []
    for country in sorted(full.country, key=lambda c: (-full.country[c].total, c)):
        if suppressed_for(full.country_holders.get(country, set()), viewer, min_other_rightsholders):
            by_country.append(CountRow.hidden(country, country=country))
        else:
            by_country.append(CountRow.of(country, full.country[country], confidence, country=country))
    notes: list[str] = []
    totals = dict(mine.totals)
    unknown = totals["decisions"] - totals["prompt_text_kept"]
    if unknown:
        notes.append(
            f"{unknown} of {totals['decisions']} decisions kept only the prompt's hash: their script is "
            "'unknown' (KYODAKU_LEDGER_PROMPT_TEXT=true keeps the text)"
        )
    if any(r.suppressed for r in by_country):
        notes.append(
            f"per-country figures with fewer than {min_other_rightsholders} other rightsholders are "
            "withheld: they would show another rightsholder's own figures"
        )
    if viewer is not None:
        notes.append(f"only decisions about entries of {viewer} are counted, except in the per-country table")
    return TransparencyReport(
        generated_at=datetime.now(UTC),
        since=since,
        until=until,
        viewer=viewer,
        totals=totals,
        by_rightsholder=by_rightsholder,
        by_country=by_country,
        by_kind=_rows(mine.kind, confidence),
        by_matcher=_rows(mine.matcher, confidence),
        by_language=_rows(mine.language, confidence),
        per_day=_rows(mine.day, confidence, by_key=True),
        claims=ClaimsFigures.of(claims),
        notes=notes,
        confidence=confidence,
        elapsed_s=time.perf_counter() - began,
    )


__all__ = ["ClaimsFigures", "ClaimsSource", "CountRow", "TransparencyReport", "transparency_report"]
