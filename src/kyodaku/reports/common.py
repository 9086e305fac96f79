"""What the transparency and parity reports share: counting verdicts, reading ledger entries in a
time window, guessing a prompt's script, and keeping one rightsholder from reading another's
figures out of per-country totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kyodaku.domain.errors import InvalidInput
from kyodaku.reports.stats import DEFAULT_CONFIDENCE, Proportion, wilson

SEVERITY = {"allow": 0, "review": 1, "block": 2}
VERDICTS = ("allow", "review", "block")

MIN_OTHER_RIGHTSHOLDERS = 2
"""A rightsholder sees a country's aggregate figures only when at least this many *other*
rightsholders contribute to them (see `suppressed_for`)."""

UNKNOWN = "unknown"


def worst(verdicts: Iterable[str]) -> str:
    """The most severe of some verdicts (block > review > allow); an unknown word counts as block,
    so a malformed entry can never make a report look kinder than the decision was."""
    best = "allow"
    for v in verdicts:
        if SEVERITY.get(v, 2) > SEVERITY[best]:
            best = v if v in SEVERITY else "block"
    return best


@dataclass
class Tally:
    """Decisions counted by verdict, for one row of a report."""

    allowed: int = 0
    reviewed: int = 0
    blocked: int = 0

    def add(self, verdict: str) -> None:
        """Count one verdict; anything but allow or review counts as block (see `worst`)."""
        self.add_level(SEVERITY.get(verdict, 2))

    def add_level(self, level: int) -> None:
        if level == 0:
            self.allowed += 1
        elif level == 1:
            self.reviewed += 1
        else:
            self.blocked += 1

    @property
    def total(self) -> int:
        return self.allowed + self.reviewed + self.blocked

    def block_rate(self, confidence: float = DEFAULT_CONFIDENCE) -> Proportion:
        return wilson(self.blocked, self.total, confidence)


# -- time windows ---------------------------------------------------------------------------------
def parse_when(value: str | datetime | None, *, end: bool = False) -> datetime | None:
    """An ISO date or date-time as aware UTC. A bare date as the end of a window means the end of
    that day (`--until 2026-03-31` includes the 31st); as the start, its midnight."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"not an ISO date or date-time: {value!r}") from exc
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if end and len(text) == 10:  # YYYY-MM-DD
        when += timedelta(days=1)
    return when


def _time_of(data: Mapping[str, Any]) -> datetime | None:
    raw = data.get("time")
    if not isinstance(raw, str):
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def records(
    entries: Iterable[Any], since: datetime | None = None, until: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON body of each ledger entry in [since, until). Accepts `LedgerEntry` objects (their
    `created_at` is compared before the body is parsed: parsing is most of the cost) or the bodies
    themselves as mappings."""
    window = since is not None or until is not None
    for entry in entries:
        if isinstance(entry, Mapping):
            data = entry
            when = _time_of(data) if window else None
        else:
            when = getattr(entry, "created_at", None) if window else None
            if when is None and window:
                data = entry.data
                when = _time_of(data)
            elif when is not None and not _inside(when, since, until):
                continue
            else:
                data = entry.data
        if when is not None and not _inside(when, since, until):
            continue
        yield data  # type: ignore[misc]


def _inside(when: datetime, since: datetime | None, until: datetime | None) -> bool:
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return (since is None or when >= since) and (until is None or when < until)


def day_of(data: Mapping[str, Any]) -> str:
    raw = data.get("time")
    return raw[:10] if isinstance(raw, str) and len(raw) >= 10 else UNKNOWN


# -- scripts --------------------------------------------------------------------------------------
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latin"),
    (0x0061, 0x007A, "Latin"),
    (0x00C0, 0x024F, "Latin"),
    (0x1E00, 0x1EFF, "Latin"),
    (0xFF21, 0xFF3A, "Latin"),
    (0xFF41, 0xFF5A, "Latin"),
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1100, 0x11FF, "Hangul"),
    (0x3130, 0x318F, "Hangul"),
    (0xAC00, 0xD7AF, "Hangul"),
    (0x3040, 0x30FF, "Kana"),
    (0x31F0, 0x31FF, "Kana"),
    (0xFF66, 0xFF9F, "Kana"),
    (0x3400, 0x4DBF, "Han"),
    (0x4E00, 0x9FFF, "Han"),
    (0xF900, 0xFAFF, "Han"),
    (0x20000, 0x2FFFF, "Han"),
)

SCRIPT_LANGUAGE = {"Kana": "ja", "Hangul": "ko", "Han": "zh/ja", "Latin": "en/fr/es/de/…", "Cyrillic": "ru/…"}
"""What a script suggests about the language (a hint for readers, not a claim)."""


_CHAR_SCRIPT: dict[str, str | None] = {}
"""Memo of each character's script (prompts reuse few distinct characters; the range scan is slow)."""


def _script_of_char(ch: str) -> str | None:
    found = _CHAR_SCRIPT.get(ch, "")
    if found != "":
        return found
    cp = ord(ch)
    found = next((name for low, high, name in _RANGES if low <= cp <= high), None)
    if len(_CHAR_SCRIPT) < 65536:
        _CHAR_SCRIPT[ch] = found
    return found


def script_of(text: str | None) -> str:
    """The writing system of a prompt: Kana (any kana makes it Japanese, even among kanji), else
    Hangul, else Han (Chinese characters, or Japanese written in kanji only: scripts cannot tell
    those apart), else the most frequent script among its letters; "other" when it has none of
    these, "unknown" when there is no text (the ledger keeps only a hash unless told otherwise).

    Why scripts and not a language detector: it needs no model, is exact about what it says, and
    the question a parity report asks ("are Japanese-script prompts treated like Latin ones?") is a
    question about scripts; short prompts defeat statistical language detectors anyway."""
    if text is None:
        return UNKNOWN
    counts: dict[str, int] = {}
    for ch in text:
        if ch < "A":
            continue
        name = _script_of_char(ch)
        if name is None:
            continue
        if name == "Kana":
            return name
        counts[name] = counts.get(name, 0) + 1
    for dominant in ("Hangul", "Han"):
        if counts.get(dominant):
            return dominant
    if not counts:
        return "other"
    return max(sorted(counts), key=lambda k: counts[k])


def prompt_text(data: Mapping[str, Any]) -> str | None:
    prompt = data.get("prompt")
    if isinstance(prompt, Mapping) and isinstance(prompt.get("text"), str):
        return prompt["text"]
    return None


# -- what a rightsholder may see --------------------------------------------------------------------
def suppressed_for(
    contributors: set[str], viewer: str | None, minimum: int = MIN_OTHER_RIGHTSHOLDERS
) -> bool:
    """Whether a rightsholder `viewer` must not see an aggregate that `contributors` make up.

    Why: a country's block rate is what a rightsholder needs to check it is treated like others,
    but a total made of its own figures and one competitor's gives that competitor's figures away
    by subtraction (and a total of one competitor alone, directly). With at least `minimum` other
    contributors, no single competitor's figures can be isolated from one report. Admins and
    operators (viewer None) see everything."""
    if viewer is None:
        return False
    return len(contributors - {viewer}) < minimum


__all__ = [
    "MIN_OTHER_RIGHTSHOLDERS",
    "SCRIPT_LANGUAGE",
    "SEVERITY",
    "UNKNOWN",
    "VERDICTS",
    "Tally",
    "day_of",
    "parse_when",
    "prompt_text",
    "records",
    "script_of",
    "suppressed_for",
    "worst",
]
