"""The registry's place among the packages, checked by reading the imports of the source files.

The registry is the system of record and stores what it is given: it must not depend on how media
are hashed (`kyodaku.media`), on the ingestion that joins the two (`kyodaku.refs`), or on anything
built on top of it (screening, snapshots, the API, the CLI). The media package in turn knows nothing
of the registry. A lazy import inside a function would hide such a dependency (or a cycle) from the
module's header, so inside the registry none may name a kyodaku module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kyodaku

SRC = Path(kyodaku.__file__).parent
FORBIDDEN_IN_REGISTRY = (
    "kyodaku.media",
    "kyodaku.refs",
    "kyodaku.screening",
    "kyodaku.snapshot",
    "kyodaku.refresh",
    "kyodaku.api",
    "kyodaku.cli",
)
ALLOWED_FOR_NOW: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, imported inside a function) for every import of a source file. A name
    imported from a package is counted as its submodule when there is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                for alias in child.names:
                    candidate = f"{child.module}.{alias.name}"
                    is_module = _source_of(candidate) is not None
                    found.append((candidate if is_module else child.module, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def _source_of(name: str) -> Path | None:
    if not name.startswith("kyodaku."):
        return None
    base = SRC.joinpath(*name.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def sources(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def _named(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".") or module.startswith(prefix + "_")


def test_when_the_registry_is_read_then_it_imports_nothing_built_on_or_beside_it():
    offending = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in sources("registry")
        for module, _ in imports(path)
        if any(_named(module, prefix) for prefix in FORBIDDEN_IN_REGISTRY)
        and (path.relative_to(SRC).as_posix(), module) not in ALLOWED_FOR_NOW
    ]
    assert offending == []


def test_when_the_registry_is_read_then_no_function_imports_a_kyodaku_module():
    lazy = [
        f"{path.relative_to(SRC)} imports {module} inside a function"
        for path in sources("registry")
        for module, in_function in imports(path)
        if in_function
        and _named(module, "kyodaku")
        and (path.relative_to(SRC).as_posix(), module) not in ALLOWED_FOR_NOW
    ]
    assert lazy == []


def test_when_media_is_read_then_it_imports_nothing_of_the_registry():
    offending = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in sources("media")
        for module, _ in imports(path)
        if _named(module, "kyodaku.registry")
    ]
    assert offending == []


def test_when_the_registry_modules_are_read_then_their_imports_have_no_cycle():
    graph = {
        module_name(path): {
            module for module, _ in imports(path) if _named(module, "kyodaku.registry") and _source_of(module)
        }
        for path in sources("registry")
    }
    cycles = []
    state: dict[str, str] = {}

    def walk(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])  # an open module is on the trail
            elif target not in state:
                walk(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == []
