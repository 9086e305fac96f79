"""TDMRep, the W3C Community Group's TDM Reservation Protocol (signal name "tdmrep"): the
machine-readable form of the EU DSM Directive art. 4(3) reservation of text-and-data mining.

Sources (checked against the protocol's final report of 10 May 2024, github.com/w3c/
tdm-reservation-protocol, spec/index.html), from the least to the most authoritative:

* `.tdmrep.json` members: the protocol's `/.well-known/tdmrep.json` format, a list of rules
  `{"location": <path pattern>, "tdm-reservation": 0|1, "tdm-policy": <url>}`. A per-sample
  sidecar (`<key>.tdmrep.json`) may also be a single object, and a rule without `location` covers
  the whole sample; both are accepted in a dataset-level file too (the intent is plain, and
  refusing it would make a whole dataset unreadable over a bracket). A dataset-level file (a
  member named `tdmrep.json`, e.g. `.well-known/tdmrep.json`, that the dataset reader attaches to
  every sample) has its patterns matched against the sample's files;
* saved HTTP headers: `tdm-reservation: 1|0` and `tdm-policy: <url>` (any case of the names);
* `.html` / `.htm` sidecars: `<meta name="tdm-reservation" content="1">` and `tdm-policy`.

Processing priority (the report's "Processing priority"): a header's value supersedes any value
from a TDM file, and an HTML page's metadata supersedes both; a source that says nothing does not
reset what a lesser one said. So the most authoritative source that states a reservation decides,
and the readings of the sources it supersedes are kept in the evidence as UNSAID with the reason
("superseded by ..."), never as an exclusion. Within one level (two TDM files, repeated headers,
duplicate metas) the most restrictive value decides (consent first). A source that cannot be read
is never superseded by guessing: it stays UNREADABLE.

Meaning: reservation 1 -> PROHIBITED (the detail carries the policy URL, where a licence may be
offered: a policy is an offer to negotiate, not consent given); 0 -> ALLOWED; any other value,
JSON that does not parse or has the wrong shape -> UNREADABLE (consent first). No header, no
matching rule, no meta -> no reading.

Location patterns (implemented as the protocol borrows them from robots.txt, RFC 9309): a pattern
is matched from the start of the path, as a prefix; `*` matches any run of characters (slashes
included); a trailing `$` anchors the end; a pattern without a leading `/` gets one. Paths are the
sample's member names with a leading `/`, and also relative to the directory holding the
dataset-level file (its `.well-known/` stripped), so `/images/*` matches `images/a.jpg` whether or
not the dataset sits in a sub-folder. The patterns are matched against the sample's media files
(or, for a sample without media, its other non-sidecar files). When several rules match a file,
the first in the file's order applies: "The most specific match found MUST be used. The most
specific match is the first in sequence." A rule without `location` matches every file, at its
place in that order.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, ClassVar

from kyodaku.scan.model import Consent, Member, Sample, SignalReading
from kyodaku.scan.signals.base import (
    HEADERS_SOURCE,
    guard_member,
    header_value,
    present,
    register_signal,
    severity,
)
from kyodaku.scan.signals.html_meta import HTML_EXTS, meta_tags

SIGNAL = "tdmrep"
RESERVATION = "tdm-reservation"
POLICY = "tdm-policy"
JSON_EXT = "tdmrep.json"
SIDECAR_EXTS = frozenset({JSON_EXT, "html", "htm", "headers", "json", "xmp", "txt"})
MAX_JSON = 8 * 1024 * 1024
MAX_RULES = 100_000


class TdmRepError(ValueError):
    """A tdmrep.json that is not JSON, or not the protocol's shape."""


@dataclass(frozen=True)
class TdmRule:
    """One rule of a tdmrep.json (`location` None: every file of the sample)."""

    location: str | None
    reservation: Any
    policy: str | None = None


def reservation_consent(value: Any) -> Consent:
    """What a `tdm-reservation` value says: 1 reserves (PROHIBITED), 0 does not (ALLOWED), anything
    else is unreadable. Accepts the JSON number and its string form ("1", " 1 ")."""
    if isinstance(value, bool):  # JSON true/false is not the protocol's 0/1: do not guess
        return Consent.UNREADABLE
    text = str(value).strip() if isinstance(value, int | str) else ""
    return {"1": Consent.PROHIBITED, "0": Consent.ALLOWED}.get(text, Consent.UNREADABLE)


def most_restrictive_value(values: list[Any]) -> Any:
    """The value that decides when one source states several (repeated headers, duplicate metas)."""
    return min(values, key=lambda v: severity(reservation_consent(v)))


def parse_tdmrep(data: bytes) -> list[TdmRule]:
    """The rules of a tdmrep.json. Raises TdmRepError on anything that is not the protocol's form."""
    if len(data) > MAX_JSON:
        raise TdmRepError(f"tdmrep.json of {len(data)} bytes is over the {MAX_JSON}-byte limit")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise TdmRepError(f"tdmrep.json does not parse: {exc}") from exc
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise TdmRepError(f"tdmrep.json is a {type(doc).__name__}, not a list of rules")
    if len(doc) > MAX_RULES:
        raise TdmRepError(f"tdmrep.json has over {MAX_RULES} rules")
    rules: list[TdmRule] = []
    for i, item in enumerate(doc):
        if not isinstance(item, dict) or RESERVATION not in item:
            raise TdmRepError(f"rule {i} is not an object with {RESERVATION!r}")
        location, policy = item.get("location"), item.get(POLICY)
        if location is not None and not isinstance(location, str):
            raise TdmRepError(f"rule {i} has a location that is not a string")
        if policy is not None and not isinstance(policy, str):
            raise TdmRepError(f"rule {i} has a {POLICY} that is not a string")
        rules.append(TdmRule(location, item[RESERVATION], policy))
    return rules


@lru_cache(maxsize=4096)
def _pattern(location: str) -> re.Pattern[str]:
    anchored = location.endswith("$")
    body = location[:-1] if anchored else location
    if not body.startswith(("/", "*")):
        body = "/" + body
    regex = ".*".join(re.escape(piece) for piece in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.DOTALL)


def location_matches(location: str, path: str) -> bool:
    """Whether a robots-style path pattern matches `path` (which starts with "/")."""
    return _pattern(location).match(path) is not None


def best_rule(rules: list[TdmRule], paths: list[str]) -> TdmRule | None:
    """The rule that applies to a file known by `paths`: the first matching one in the file's order
    (the protocol: "the most specific match is the first in sequence"); None when none matches."""
    for rule in rules:
        if rule.location is None or any(location_matches(rule.location, p) for p in paths):
            return rule
    return None


def rule_reading(value: Any, policy: str | None, source: str, where: str) -> SignalReading:
    consent = reservation_consent(value)
    shown = json.dumps(value) if not isinstance(value, str) else value
    if consent is Consent.PROHIBITED:
        why = f"{where}: TDM reserved" + (f", policy {policy}" if policy else ", no policy given")
    elif consent is Consent.ALLOWED:
        why = f"{where}: TDM not reserved"
    else:
        why = f"{where}: {RESERVATION} {shown[:100]!r} is neither 0 nor 1"
    return SignalReading(SIGNAL, consent, shown[:200], source, why[:500])


def read_headers(headers: Mapping[str, object]) -> SignalReading | None:
    value = header_value(headers, RESERVATION)
    if value is None:
        return None
    # Repeated headers joined by commas: the most restrictive value decides.
    decisive = most_restrictive_value([p.strip() for p in value.split(",")])
    return rule_reading(decisive, header_value(headers, POLICY), HEADERS_SOURCE, "tdm-reservation header")


def _targets(sample: Sample) -> list[Member]:
    """The files a tdmrep.json's patterns are matched against: media, else non-sidecar files."""
    media = list(sample.media)
    return media or [m for m in sample.members if m.ext not in SIDECAR_EXTS]


def _paths(target: Member, rules_file: Member) -> list[str]:
    paths = ["/" + target.name.lstrip("/")]
    base = posixpath.dirname(rules_file.name.lstrip("/"))
    if posixpath.basename(base) == ".well-known":
        base = posixpath.dirname(base)
    if base and target.name.lstrip("/").startswith(base + "/"):
        paths.append("/" + target.name.lstrip("/")[len(base) + 1 :])
    return paths


def read_json(rules_file: Member, sample: Sample) -> list[SignalReading]:
    """Readings of one tdmrep.json member: one per target file when its rules have locations (a
    rule without one is the least specific match for every file), else one for the whole sample."""
    try:
        rules = parse_tdmrep(rules_file.data or b"")
    except TdmRepError as exc:
        return [SignalReading(SIGNAL, Consent.UNREADABLE, "", rules_file.name, str(exc)[:500])]
    targets = _targets(sample)
    if not targets or all(r.location is None for r in rules):
        rule = best_rule(rules, [])
        if rule is None:
            return []
        return [rule_reading(rule.reservation, rule.policy, rules_file.name, "tdmrep.json")]
    readings: list[SignalReading] = []
    for target in targets:
        rule = best_rule(rules, _paths(target, rules_file))
        if rule is not None:
            where = f"tdmrep.json rule {rule.location or '(no location)'!r} for {target.name}"
            readings.append(rule_reading(rule.reservation, rule.policy, rules_file.name, where))
    return readings


def prioritise(levels: list[tuple[str, list[SignalReading]]]) -> list[SignalReading]:
    """Every reading, those superseded by a more authoritative level (later in `levels`) turned
    UNSAID and saying by what (an unreadable lesser source too: the protocol overrides whatever it
    says). A level supersedes only when all its readings could be read: an unreadable header or page
    leaves what the lesser sources said standing (consent first)."""
    out: list[SignalReading] = []
    for n, (_, readings) in enumerate(levels):
        above = [
            (name, rs) for name, rs in levels[n + 1 :]
            if rs and all(r.consent is not Consent.UNREADABLE for r in rs)
        ]  # fmt: skip
        if not above or not readings:
            out.extend(readings)
            continue
        by = above[-1][0]
        note = f"superseded by the {by} (TDMRep processing priority)"
        out.extend(replace(r, consent=Consent.UNSAID, detail=f"{note}: {r.detail}"[:500]) for r in readings)
    return out


def read_html(page: bytes) -> tuple[Any, str | None, str | None] | None:
    """(reservation, policy, parse error) from an HTML page's metas; None when it has neither."""
    scan = meta_tags(page)
    reservations = scan.named(RESERVATION)
    policies = scan.named(POLICY)
    if not reservations:
        return ("", None, scan.error) if scan.error else None
    decisive = most_restrictive_value([t.content for t in reservations])
    return decisive, policies[0].content if policies else None, None


@register_signal
class TdmRepSignal:
    """Reads TDMRep from saved headers, tdmrep.json members (per sample or per dataset) and HTML."""

    name: ClassVar[str] = SIGNAL

    def read(self, sample: Sample) -> list[SignalReading]:
        files: list[SignalReading] = []
        pages: list[SignalReading] = []
        try:
            reading = read_headers(sample.headers)
        except Exception as exc:  # a header mapping of an unexpected shape: one reading, not a crash
            reading = SignalReading(
                SIGNAL, Consent.UNREADABLE, "", HEADERS_SOURCE, f"{type(exc).__name__}: {exc}"
            )
        headers = [reading] if reading is not None else []
        for member in present(sample.members):
            if member.ext == JSON_EXT:
                files.extend(guard_member(SIGNAL, member, lambda m: read_json(m, sample)))
            elif member.ext in HTML_EXTS:
                pages.extend(guard_member(SIGNAL, member, self._read_html_member))
        levels = [("TDM file", files), ("tdm-reservation header", headers), ("HTML metadata", pages)]
        return prioritise(levels)

    @staticmethod
    def _read_html_member(member: Member) -> list[SignalReading]:
        found = read_html(member.data or b"")
        if found is None:
            return []
        value, policy, error = found
        if error is not None:
            return [SignalReading(SIGNAL, Consent.UNREADABLE, "", member.name, error)]
        return [rule_reading(value, policy, member.name, "tdm-reservation meta")]
