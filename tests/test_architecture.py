"""The import rules of docs/architecture.md, checked by reading every module's imports.

Why a test: layering erodes one convenient import at a time, and a cycle hidden behind a
function-level import still ties two packages together. Reading the source (not importing it)
sees function-level imports too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kyodaku"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at any depth of the code."""
    found: set[str] = set()
    package = _module(path) if path.name == "__init__.py" else _module(path).rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).strip(".")
            found.add(base)
    return found


def _unit(module: str) -> str:
    """The layer a module belongs to: kyodaku.<package> (or the top-level module itself)."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        unit = _unit(_module(path))
        targets = {_unit(m) for m in _imports(path) if m.startswith("kyodaku.") or m == "kyodaku"}
        graph.setdefault(unit, set()).update(t for t in targets if t not in (unit, "kyodaku"))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_when_packages_are_read_then_no_two_import_each_other():
    assert _cycle(_graph()) is None


def test_when_domain_is_read_then_it_imports_only_the_standard_library_and_itself():
    offending = [
        f"{path.name}: {name}"
        for path in (SRC / "domain").glob("*.py")
        for name in _imports(path)
        if not name.startswith("kyodaku.domain")
        and name.split(".")[0] not in sys.stdlib_module_names
        and name != "__future__"
    ]
    assert offending == []


def test_when_media_is_read_then_it_imports_no_registry_guard_or_service():
    graph = _graph()
    banned = {"kyodaku.registry", "kyodaku.screening", "kyodaku.snapshot", "kyodaku.refs", "kyodaku.api"}
    assert graph["kyodaku.media"] & banned == set()


def test_when_a_cycle_exists_then_the_checker_names_it():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_when_the_package_is_installed_then_no_synthetic_drawing_code_ships_in_it():
    assert not list(SRC.rglob("synthetic*.py"))
