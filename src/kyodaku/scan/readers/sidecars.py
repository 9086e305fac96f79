"""What every layout reads the same way: WebDataset key/extension splitting, caption decoding, saved
HTTP headers, and the sidecar files saved beside a media file.

Why one module: a caption, a `tdmrep.json` or an `X-Robots-Tag` header means the same whether it
came from a tar member, a file beside an image or a manifest column, so it must be decoded by the
same code, with the same problems reported for the same faults. None of these functions raises on
bad bytes: a fault becomes a `Problem`, because a signal that cannot be read may be an opt-out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from kyodaku.scan.model import Location, Member, Problem

SIDECAR_EXTS: tuple[str, ...] = ("txt", "json", "tdmrep.json", "html", "headers.json", "headers")
"""Sidecar suffixes accepted beside a media file `NAME.<media ext>` as `NAME.<suffix>`, in the order
they become members: the caption (`txt`, or `json` with a `caption` field), the TDMRep policy, the
saved page and the saved HTTP response headers (a JSON object, or raw `Name: value` lines)."""

MANIFEST_SIDECAR_EXTS: tuple[str, ...] = ("tdmrep.json", "html", "headers.json", "headers")
"""For manifests the caption is a column, so only the signal-bearing sidecars are looked for."""

FOLDER_TDMREP = "tdmrep.json"
"""A file with exactly this name in a folder applies to every sample below that folder."""


def split_key_ext(name: str) -> tuple[str, str]:
    """Split a member name the WebDataset way: the key is the path up to the first dot of the
    base name, the extension the rest, lower-cased (`a/000123.JPG` -> (`a/000123`, `jpg`),
    `x.tdmrep.json` -> (`x`, `tdmrep.json`)). Leading dots belong to the key (`.hidden.txt` ->
    (`.hidden`, `txt`)) so no key is empty; a name without a dot has the extension ``."""
    slash = name.rfind("/")
    base_start = slash + 1
    i = base_start
    while i < len(name) and name[i] == ".":
        i += 1
    dot = name.find(".", i)
    if dot < 0:
        return name, ""
    return name[:dot], name[dot + 1 :].lower()


def decode_caption(data: bytes, location: Location) -> tuple[str | None, Problem | None]:
    """A caption's text: UTF-8 (a byte-order mark is dropped), surrounding whitespace stripped.
    Bytes that are not UTF-8 give no caption and a `caption` problem naming the first bad byte."""
    try:
        return data.decode("utf-8-sig").strip(), None
    except UnicodeDecodeError as exc:
        return None, Problem("caption", f"not UTF-8 at byte {exc.start}", location)


def caption_from_json(data: bytes, location: Location) -> tuple[str | None, Problem | None]:
    """The `caption` field of a JSON sidecar. A sidecar that is not a JSON object is a problem; an
    object without a caption is not (many sidecars carry only metadata: url, size, status)."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, Problem("caption", f"JSON sidecar not UTF-8 at byte {exc.start}", location)
    except ValueError as exc:
        return None, Problem("caption", f"JSON sidecar is not JSON: {exc}", location)
    if not isinstance(value, dict):
        return None, Problem("caption", "JSON sidecar is not an object", location)
    caption = value.get("caption")
    if caption is None:
        return None, None
    if not isinstance(caption, str):
        return None, Problem("caption", f"`caption` is a {type(caption).__name__}, not text", location)
    return caption.strip(), None


def _header_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_header_value(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _add_header(headers: dict[str, str], name: str, value: str) -> None:
    """Repeated header names are joined with `, ` (RFC 9110 5.3), so a second `X-Robots-Tag`
    line is never lost behind the first."""
    key = name.strip().lower()
    value = value.strip()
    headers[key] = f"{headers[key]}, {value}" if key in headers else value


def headers_from_object(value: Any, location: Location) -> tuple[dict[str, str], Problem | None]:
    """Headers from a JSON object (`{"X-Robots-Tag": "noai"}`; list values are joined), or a JSON
    string holding one (a manifest column)."""
    if isinstance(value, str | bytes):
        try:
            text = value.decode("utf-8-sig") if isinstance(value, bytes) else value
            value = json.loads(text)
        except (UnicodeDecodeError, ValueError) as exc:
            return {}, Problem("headers", f"saved headers are not JSON: {exc}", location)
    if not isinstance(value, Mapping):
        return {}, Problem("headers", "saved headers are not a JSON object", location)
    headers: dict[str, str] = {}
    for name, item in value.items():
        if item is None:
            continue
        _add_header(headers, str(name), _header_value(item))
    return headers, None


def headers_from_raw(data: bytes, location: Location) -> tuple[dict[str, str], Problem | None]:
    """Headers from raw `Name: value` lines as saved by `curl -D` (status lines skipped, folded
    continuation lines joined). Every response of a redirect chain is kept: an opt-out sent on a
    redirect still speaks for the content. A line that is neither is a problem: it may hide a header.
    Bytes that are not UTF-8 are read as ISO-8859-1, HTTP's historical header charset."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    headers: dict[str, str] = {}
    last: str | None = None
    problem: Problem | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            last = None
            continue
        if line[0] in " \t" and last is not None:
            headers[last] = f"{headers[last]} {line.strip()}"
            continue
        if line.startswith("HTTP/"):
            last = None
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c in name for c in " \t"):
            problem = problem or Problem(
                "headers", f"saved headers line {number} is not `Name: value`", location
            )
            last = None
            continue
        _add_header(headers, name, value)
        last = name.strip().lower()
    return headers, problem


def read_members(
    members: Iterable[Member], location: Location
) -> tuple[str | None, dict[str, str], list[Problem]]:
    """Caption and headers from a sample's members: the caption from `txt`, else from `json`'s
    `caption` field (the first member of each ext counts); headers from every `headers.json` and
    `headers` member, merged. Members without bytes (missing, refused) are skipped here: their
    problem is already recorded by the reader."""
    caption: str | None = None
    caption_from: str | None = None
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    for member in members:
        if member.data is None:
            continue
        where = Location(location.shard, location.key, location.row, member.name)
        if member.ext == "txt" and caption_from != "txt":
            caption, problem = decode_caption(member.data, where)
            caption_from = "txt"
        elif member.ext == "json" and caption_from is None:
            caption, problem = caption_from_json(member.data, where)
            caption_from = "json"
        elif member.ext == "headers.json":
            found, problem = headers_from_object(member.data, where)
            for name, value in found.items():
                _add_header(headers, name, value)
        elif member.ext == "headers":
            found, problem = headers_from_raw(member.data, where)
            for name, value in found.items():
                _add_header(headers, name, value)
        else:
            continue
        if problem is not None:
            problems.append(problem)
    return caption, headers, problems


def merge_headers(into: dict[str, str], more: Mapping[str, str]) -> None:
    """Add `more` to `into`, joining repeated names."""
    for name, value in more.items():
        _add_header(into, name, value)
