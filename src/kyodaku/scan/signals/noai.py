"""`noai` / `noimageai` robots directives: the opt-out artists' sites send with their images (signal
name "noai"; introduced by DeviantArt, honoured by img2dataset).

Where they are read:

* the saved `X-Robots-Tag` response header (`Sample.headers`, any case of the name; a list of
  repeated headers is joined), e.g. `noai, noimageai`, `otherbot: noai`, `googlebot: noindex,
  noai` (directives after a user-agent prefix belong to that agent until the next prefix);
* the `.html` / `.htm` sidecar (the page the file was found on): `<meta name="robots" content=
  "noai, noimageai">`, the same in a meta named for a crawler (`googlebot`, `ccbot`, `gptbot`:
  any name ending in "bot", plus the AI-crawler tokens in `AI_AGENT_NAMES`), and `<meta
  http-equiv="X-Robots-Tag" content=...>`. Other metas (`description`, `keywords`) are free text
  and never read, so a caption that says "noai" opts nothing out.

What they mean: `noai` covers every sample; `noimageai` covers a sample with an image or video
member (a text-only sample gets an UNSAID reading saying so). A directive scoped to one user agent
COUNTS: a rightsholder who told one crawler "noai" has said they do not want their work trained
on, and the scanner is not that crawler's competitor looking for a loophole (consent first). The
detail names the agent. `noindex` / `noimageindex` are search-engine directives and are not read
as training opt-outs. A page that cannot be parsed, with no directive found before the failure,
reads UNREADABLE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from kyodaku.scan.model import Consent, Member, Sample, SignalReading
from kyodaku.scan.signals.base import HEADERS_SOURCE, guard_member, header_value, present, register_signal
from kyodaku.scan.signals.html_meta import HTML_EXTS, MetaScan, meta_tags

SIGNAL = "noai"
HEADER = "x-robots-tag"
NOAI = "noai"
NOIMAGEAI = "noimageai"
#: Robots directives that take a value after a colon (so the text before the colon is not an agent).
VALUED_DIRECTIVES = frozenset({"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"})
#: Meta names read as robots metas besides "robots" and any "...bot".
AI_AGENT_NAMES = frozenset(
    {"google-extended", "anthropic-ai", "applebot-extended", "chatgpt-user", "cohere-ai", "img2dataset"}
)
MAX_HEADER = 64 * 1024
_SPLIT = re.compile(r"[\s;]+")


@dataclass(frozen=True)
class Directive:
    """One robots directive, lower-cased, and the user agent it is scoped to (None: every robot)."""

    token: str
    agent: str | None = None

    def __str__(self) -> str:
        return self.token if self.agent is None else f"{self.agent}: {self.token}"


def parse_robots(text: str, agent: str | None = None) -> list[Directive]:
    """The directives of an X-Robots-Tag value or a robots meta's content. Never raises."""
    directives: list[Directive] = []
    for part in text[:MAX_HEADER].split(","):
        part = part.strip().lower()
        if ":" in part:
            left, _, right = part.partition(":")
            left = left.strip()
            if left in VALUED_DIRECTIVES:
                directives.append(Directive(left, agent))
                continue
            agent, part = left or agent, right
        directives.extend(Directive(token, agent) for token in _SPLIT.split(part) if token)
    return directives


def is_robots_name(name: str) -> bool:
    """Whether a meta name addresses crawlers (and so its content is directives, not prose)."""
    return name == "robots" or name.endswith("bot") or name in AI_AGENT_NAMES


def judge(
    directives: list[Directive], has_media: bool, value: str, source: str, where: str
) -> SignalReading | None:
    """The reading for the directives of one source, or None when none of them is about AI."""
    ai = [d for d in directives if d.token in (NOAI, NOIMAGEAI)]
    if not ai:
        return None
    said = ", ".join(map(str, ai))
    scoped = sorted({d.agent for d in ai if d.agent is not None})
    scope = f"; scoped to {', '.join(scoped)}, counted for every use (consent first)" if scoped else ""
    if any(d.token == NOAI for d in ai):
        return SignalReading(SIGNAL, Consent.PROHIBITED, value[:500], source, f"{where}: {said}{scope}")
    if has_media:
        return SignalReading(
            SIGNAL,
            Consent.PROHIBITED,
            value[:500],
            source,
            f"{where}: {said} (sample has image/video){scope}",
        )
    return SignalReading(
        SIGNAL,
        Consent.UNSAID,
        value[:500],
        source,
        f"{where}: {said} covers images and videos; sample has none",
    )


def read_headers(headers: Mapping[str, object], has_media: bool) -> SignalReading | None:
    value = header_value(headers, HEADER)
    if value is None:
        return None
    return judge(parse_robots(value), has_media, value, HEADERS_SOURCE, "X-Robots-Tag")


def read_html(page: bytes | str, has_media: bool, source: str) -> SignalReading | None:
    scan: MetaScan = meta_tags(page)
    directives: list[Directive] = []
    values: list[str] = []
    for tag in scan.tags:
        if tag.http_equiv and tag.name == HEADER:
            directives.extend(parse_robots(tag.content))
        elif not tag.http_equiv and is_robots_name(tag.name):
            directives.extend(parse_robots(tag.content, None if tag.name == "robots" else tag.name))
        else:
            continue
        values.append(f"{tag.name}={tag.content}")
    reading = judge(directives, has_media, "; ".join(values), source, "robots meta")
    if scan.error and (reading is None or reading.consent is not Consent.PROHIBITED):
        return SignalReading(SIGNAL, Consent.UNREADABLE, "", source, scan.error)
    return reading


@register_signal
class NoAiSignal:
    """Reads noai / noimageai from the saved X-Robots-Tag header and every HTML sidecar."""

    name: ClassVar[str] = SIGNAL

    def read(self, sample: Sample) -> list[SignalReading]:
        has_media = bool(sample.media)
        readings: list[SignalReading] = []
        try:
            reading = read_headers(sample.headers, has_media)
        except Exception as exc:  # a header mapping of an unexpected shape: one reading, not a crash
            reading = SignalReading(
                SIGNAL, Consent.UNREADABLE, "", HEADERS_SOURCE, f"{type(exc).__name__}: {exc}"
            )
        if reading is not None:
            readings.append(reading)

        def read_member(member: Member) -> list[SignalReading]:
            found = read_html(member.data or b"", has_media, member.name)
            return [] if found is None else [found]

        for member in present(sample.members):
            if member.ext in HTML_EXTS:
                readings.extend(guard_member(SIGNAL, member, read_member))
        return readings
