"""The `<meta>` tags of a saved HTML page (a sample's `.html` sidecar), read with the standard library.

Both the TDMRep and the `noai` readers look for their signals in the same place: `<meta name=...
content=...>` (and `<meta http-equiv=...>`) of the page an image was crawled from. Only meta tags
are collected; nothing is rendered, fetched or executed. The page is bounded (the first 2 MiB
are read: meta tags belong in `<head>`, and a multi-megabyte page is cut rather than parsed whole)
and decoded as UTF-8 with replacement, since every name and value that matters here is ASCII.

`html.parser` is lenient by design, but it has raised on odd marked sections in some Python
versions; any such failure is returned as `error` with the tags found before it, for the caller
to report as UNREADABLE when nothing it found already decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

#: Member extensions of a saved HTML page.
HTML_EXTS = frozenset({"html", "htm"})
MAX_HTML = 2 * 1024 * 1024
MAX_TAGS = 10_000


@dataclass(frozen=True)
class MetaTag:
    """One `<meta>`: its `name` (or `http-equiv` when `http_equiv`), lower-cased, and `content`."""

    name: str
    content: str
    http_equiv: bool = False


@dataclass(frozen=True)
class MetaScan:
    """The meta tags of one page, and why reading stopped early (None: it did not)."""

    tags: tuple[MetaTag, ...] = ()
    error: str | None = None
    truncated: bool = False

    def named(self, *names: str) -> list[MetaTag]:
        return [t for t in self.tags if not t.http_equiv and t.name in names]


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[MetaTag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta" or len(self.tags) >= MAX_TAGS:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        content = values.get("content", "")
        if values.get("name"):
            self.tags.append(MetaTag(values["name"].strip().lower(), content))
        elif values.get("http-equiv"):
            self.tags.append(MetaTag(values["http-equiv"].strip().lower(), content, http_equiv=True))


def meta_tags(page: bytes | str) -> MetaScan:
    """The meta tags of `page` (bytes are decoded as UTF-8 with replacement). Never raises."""
    truncated = len(page) > MAX_HTML
    page = page[:MAX_HTML]
    text = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
    parser = _MetaParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient, but not guaranteed never to raise
        return MetaScan(tuple(parser.tags), f"HTML not parsed: {type(exc).__name__}: {exc}", truncated)
    return MetaScan(tuple(parser.tags), None, truncated)
