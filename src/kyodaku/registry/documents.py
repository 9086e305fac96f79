"""Read a catalog document (YAML or JSON) into plain data plus the line of every field.

Catalogs are written by hand, so every complaint about one must say where to
look: file, line and field. PyYAML's composer keeps the position of every node;
walking its node tree once gives a path -> line index that the validators use.
JSON files are parsed by `json` (the authority on JSON syntax and semantics)
and composed by PyYAML only to learn the lines.

This module knows nothing about what a catalog contains; `catalog.py` does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import PurePath
from typing import Any

import yaml

from kyodaku.domain.errors import CatalogError, CatalogIssue

Path = tuple[str | int, ...]

FILE_FIELD = "(file)"
"""The `field` of issues about the file as a whole: unreadable, not UTF-8, bad syntax."""


class Format(StrEnum):
    YAML = "yaml"
    JSON = "json"


_SUFFIXES = {".yaml": Format.YAML, ".yml": Format.YAML, ".json": Format.JSON}


def format_for(name: str) -> Format:
    """The format a file name's suffix announces; anything else is refused, not guessed."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in _SUFFIXES:
        raise CatalogError(
            [
                CatalogIssue(
                    name,
                    None,
                    FILE_FIELD,
                    f"unsupported file type {suffix or '(none)'!r}; use .yaml, .yml or .json",
                )
            ]
        )
    return _SUFFIXES[suffix]


def format_field(path: Path) -> str:
    """`("characters", 3, "names", "en", 0)` -> `characters[3].names.en[0]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "(top level)"


@dataclass
class LineIndex:
    """Lines (1-based) of the nodes of a document, by path. Keys map to the line of the key."""

    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one (a missing key: its mapping)."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


@dataclass
class ParsedDocument:
    """A document's data (JSON-like: dates already turned into ISO strings) and its line index."""

    data: Any
    index: LineIndex
    issues: list[CatalogIssue]
    """Problems found while reading that do not stop validation (duplicate keys, non-string keys)."""


def parse_document(source: str | bytes, name: str, fmt: Format) -> ParsedDocument:
    """Parse text or bytes; raise CatalogError for what makes the document unreadable."""
    text = _decode(source, name)
    try:
        return _parse_json(text, name) if fmt is Format.JSON else _parse_yaml(text, name)
    except RecursionError:
        raise _syntax_error(name, None, "the document is nested too deeply") from None


def _decode(source: str | bytes, name: str) -> str:
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = source.rfind(b"\n", 0, exc.start) + 1
        line = source.count(b"\n", 0, exc.start) + 1
        byte = source[exc.start : exc.start + 1].hex()
        raise CatalogError(
            [
                CatalogIssue(
                    name,
                    line,
                    FILE_FIELD,
                    f"not valid UTF-8: byte 0x{byte} at column {exc.start - line_start + 1}; "
                    "save the file as UTF-8",
                )
            ]
        ) from None


def _syntax_error(name: str, line: int | None, message: str) -> CatalogError:
    return CatalogError([CatalogIssue(name, line, FILE_FIELD, message)])


def _reader_error(name: str, text: str, exc: yaml.reader.ReaderError) -> CatalogError:
    line = text.count("\n", 0, exc.position) + 1
    char = exc.character
    code = f"U+{char if isinstance(char, int) else ord(char):04X}"
    return _syntax_error(name, line, f"character {code} is not allowed in YAML (a control character)")


class _CatalogLoader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2026-02-30) as text, so it is reported with its line."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)


_CatalogLoader.add_constructor("tag:yaml.org,2002:timestamp", _CatalogLoader.construct_yaml_timestamp)


def _parse_yaml(text: str, name: str) -> ParsedDocument:
    try:
        loader = _CatalogLoader(text)  # checks every character up front
    except yaml.reader.ReaderError as exc:
        raise _reader_error(name, text, exc) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            problem = " ".join(p for p in (exc.context, exc.problem) if p)
            if "'\\t'" in problem:
                problem += " (YAML indents with spaces, not tabs)"
            raise _syntax_error(name, line, f"YAML syntax error: {problem}") from None
        except yaml.reader.ReaderError as exc:
            raise _reader_error(name, text, exc) from None
        if node is None:
            raise _syntax_error(name, 1, "the file is empty; a catalog starts with 'version: 1'")
        index, issues = _index_nodes(node, name)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise _syntax_error(name, mark.line + 1 if mark else None, f"YAML error: {exc.problem}") from None
    finally:
        loader.dispose()
    data = _plain(data, (), index, name, issues)
    return ParsedDocument(data, index, issues)


_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _parse_json(text: str, name: str) -> ParsedDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _syntax_error(name, exc.lineno, f"JSON syntax error: {exc.msg} (column {exc.colno})") from None
    # Valid JSON is YAML except for tabs (only whitespace outside strings in valid JSON)
    # and escaped surrogate pairs; neutralise both, since only positions are wanted here.
    yaml_text = _SURROGATE_ESCAPE.sub(r"\1 ", text.replace("\t", " "))
    index, issues = LineIndex(), []
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        node = None  # positions are a convenience; the data is already parsed
    if node is not None:
        index, issues = _index_nodes(node, name)
    data = _plain(data, (), index, name, issues)
    return ParsedDocument(data, index, issues)


def _index_nodes(root: yaml.Node, name: str) -> tuple[LineIndex, list[CatalogIssue]]:
    """Walk the node tree once: record lines, find duplicate keys, refuse aliases.

    Aliases are refused because a few of them can stand for an exponentially large
    tree ("billion laughs"); catalogs are uploaded by other parties and never need them.
    """
    index = LineIndex()
    issues: list[CatalogIssue] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise CatalogError(
                [
                    CatalogIssue(
                        name,
                        index.lines.get(path, line),  # an alias shares its anchor's marks
                        format_field(path),
                        "YAML aliases (*name) are not supported in catalogs; write the value out",
                    )
                ]
            )
        seen.add(id(node))
        index.lines.setdefault(path, line)
        children: list[tuple[yaml.Node, Path]] = []
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    issues.append(
                        CatalogIssue(
                            name,
                            key_node.start_mark.line + 1,
                            format_field(path),
                            "keys must be plain strings",
                        )
                    )
                    continue
                key = key_node.value
                child = (*path, key)
                if key in keys:
                    issues.append(
                        CatalogIssue(
                            name,
                            key_node.start_mark.line + 1,
                            format_field(child),
                            f"duplicate key {key!r}; the later value would silently win",
                        )
                    )
                keys.add(key)
                index.lines.setdefault(child, key_node.start_mark.line + 1)
                children.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, (*path, i)) for i, item in enumerate(node.value)]
        stack.extend(reversed(children))  # visit in document order: an alias is met after its anchor
    return index, issues


def _plain(value: Any, path: Path, index: LineIndex, name: str, issues: list[CatalogIssue]) -> Any:
    """JSON-like data: dates become ISO strings, keys must be strings (YAML reads `no:` as False)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                issues.append(
                    CatalogIssue(
                        name,
                        index.line(path),
                        format_field(path),
                        f"key {key!r} is not a string; quote it "
                        "(YAML reads unquoted no/yes/on/off as booleans)",
                    )
                )
                key = str(key)
            out[key] = _plain(item, (*path, key), index, name, issues)
        return out
    if isinstance(value, list):
        return [_plain(item, (*path, i), index, name, issues) for i, item in enumerate(value)]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
