"""The quick road for loading a catalog: parse without positions, check the schema as a plain yes/no.

Locating problems is what costs in a large catalog: PyYAML's pure-Python composer, which keeps
the line of every node, takes about 25 s on a 40,000-entry JSON file that `json` parses in a
tenth of a second, and jsonschema's error-collecting walk takes about 10 s more. A catalog
without problems needs neither, so `catalog.load_catalog_text` tries this road first and takes
the thorough one (`documents.parse_document`, jsonschema's `iter_errors`) only when there is
something to report, and then reports exactly what it always did.

So everything here only has to be sound, not complete: whatever it accepts, the thorough road
accepts too, with the same data. At the least doubt (a syntax error, a duplicate key, a YAML
alias, a key that is not a string, a schema keyword it does not know) it answers None or False
and the thorough road decides.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import yaml

from kyodaku.registry.documents import Format

Check = Callable[[Any], bool]


class _Doubt(Exception):
    """Something the quick road does not settle; the thorough road will."""


# ---------------------------------------------------------------- parsing


@contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while a catalog's trees are built.

    Parsing and building allocate millions of objects, which triggers collections that
    walk them all again and again (about a quarter of a 40,000-entry load); none of those
    objects form cycles, so reference counting frees them all the same. The collector is
    switched back on only if it was on when the pause began, so a caller's own pause holds.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def quick_parse(source: str | bytes, fmt: Format) -> Any | None:
    """The document's plain data (as `documents.parse_document` gives it), or None: go the slow way.

    None covers every document the thorough parser would complain about (and a few it would
    not, which then simply take the slow road).
    """
    try:
        text = source if isinstance(source, str) else source.decode("utf-8-sig")
        if fmt is Format.JSON:
            return json.loads(text, object_pairs_hook=_unique_keys)
        return _quick_yaml(text)
    except Exception:  # a syntax error, bad UTF-8, deep nesting, a _Doubt: the thorough road says what
        return None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Doubt("duplicate key")  # reported with its line by the thorough road
    return out


def _quick_yaml(text: str) -> Any | None:
    if not yaml.__with_libyaml__:
        return None  # the pure-Python parser is the slow part; nothing to win
    if yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None  # the pure-Python reader refuses these characters; libyaml may not
    loader = _QuickYamlLoader(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return _plain(data)


class _QuickYamlLoader(yaml.CSafeLoader):
    """libyaml's parser with the catalog loader's rules; what they would report raises _Doubt.

    Same constructors as `documents._CatalogLoader` (an impossible date stays text); the checks
    `documents._index_nodes` makes on the node tree are made here while constructing: no
    aliases, no duplicate keys, keys are plain scalars. Merge keys (<<) are left to it too.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Doubt("alias")  # a node met twice is an alias
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _Doubt("complex or merge key")
            if key_node.value in keys:
                raise _Doubt("duplicate key")
            keys.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)


_QuickYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _QuickYamlLoader.construct_yaml_timestamp)


def _plain(value: Any) -> Any:
    """As `documents._plain`: dates become ISO strings; a key that is not a string is a doubt."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Doubt("key is not a string")
            out[key] = _plain(item)
        return out
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- schema, as a yes/no


_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples", "deprecated"}
)
_SCALARS = (str, int, bool, type(None))
_TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: type(x) is int,  # jsonschema also takes 1.0: stricter is sound
    "number": lambda x: type(x) in (int, float),
}


def compile_schema(schema: dict[str, Any] | bool) -> Check | None:
    """A fast yes/no check that never says yes where jsonschema (Draft 2020-12) says no.

    It knows the keywords the catalog schema uses (type, const, enum, anyOf, $ref into $defs,
    properties, additionalProperties, required, propertyNames, minProperties, items, minItems,
    uniqueItems, pattern, minLength) and is stricter where that is simpler (1.0 is not the
    integer 1; uniqueItems over anything but strings is a no). None for a schema with any
    other keyword: then only jsonschema can answer.
    """
    try:
        return _Compiler(schema).compile(schema)
    except _Doubt:
        return None


class _Compiler:
    def __init__(self, root: dict[str, Any] | bool) -> None:
        self.root = root
        self.refs: dict[str, Check | None] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Doubt("not a schema")
        unknown = set(schema) - _ANNOTATIONS - _KEYWORDS
        if unknown:
            raise _Doubt(f"unsupported keywords {sorted(unknown)}")
        # A group whose instance type the schema requires also checks that type: one call, not two.
        required_type = _PYTHON_TYPE.get(schema["type"]) if isinstance(schema.get("type"), str) else None
        checks: list[Check] = []
        for members, build, python_type in (
            (_OBJECT, self._object, dict),
            (_ARRAY, self._array, list),
            (_STRING, self._string, str),
        ):
            if not members.isdisjoint(schema):
                checks.append(build(schema, python_type is required_type))
                if python_type is required_type:
                    required_type = None
                    schema = {k: v for k, v in schema.items() if k != "type"}
        checks[:0] = [self._keyword(name, schema[name]) for name in _SINGLE if name in schema]
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        return _all_of(tuple(checks))

    def _keyword(self, name: str, value: Any) -> Check:
        if name == "$ref":
            return self._ref(value)
        if name == "type":
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or any(n not in _TYPES for n in names):
                raise _Doubt("type")
            preds = tuple(_TYPES[n] for n in names)
            return preds[0] if len(preds) == 1 else lambda x: any(p(x) for p in preds)
        if name == "anyOf":
            if not isinstance(value, list) or not value:
                raise _Doubt("anyOf")
            branches = tuple(self.compile(s) for s in value)
            return lambda x: any(b(x) for b in branches)
        return _one_of_values([value] if name == "const" else value)  # const, enum

    def _ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/") or not isinstance(self.root, dict):
            raise _Doubt("$ref")
        if ref not in self.refs:
            target = self.root.get("$defs", {}).get(ref.removeprefix("#/$defs/"))
            if target is None:
                raise _Doubt("dangling $ref")
            self.refs[ref] = None  # a recursive definition binds late, below
            self.refs[ref] = self.compile(target)
        compiled = self.refs[ref]
        if compiled is None:
            refs = self.refs
            return lambda x: refs[ref](x)  # type: ignore[misc]
        return compiled

    def _object(self, schema: dict[str, Any], typed: bool) -> Check:
        properties = schema.get("properties", {})
        if not isinstance(properties, dict):
            raise _Doubt("properties")
        props = {key: self.compile(sub) for key, sub in properties.items()}
        additional = (
            self.compile(schema["additionalProperties"]) if "additionalProperties" in schema else None
        )
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        required = frozenset(_strings(schema.get("required", [])))
        least = _count(schema, "minProperties")

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return not typed
            if len(x) < least or not required <= x.keys():
                return False
            for key, item in x.items():
                if names is not None and not names(key):
                    return False
                sub = props.get(key, additional)
                if sub is not None and not sub(item):
                    return False
            return True

        return check

    def _array(self, schema: dict[str, Any], typed: bool) -> Check:
        items = self.compile(schema["items"]) if "items" in schema else _always
        least = _count(schema, "minItems")
        unique = schema.get("uniqueItems", False)
        if not isinstance(unique, bool):
            raise _Doubt("uniqueItems")

        def check(x: Any) -> bool:
            if not isinstance(x, list):
                return not typed
            if len(x) < least:
                return False
            for item in x:
                if not items(item):
                    return False
            if unique:  # only strings are compared here; anything else is a doubt
                return all(type(i) is str for i in x) and len(set(x)) == len(x)
            return True

        return check

    def _string(self, schema: dict[str, Any], typed: bool) -> Check:
        pattern = schema.get("pattern")
        if pattern is not None and not isinstance(pattern, str):
            raise _Doubt("pattern")
        search = re.compile(pattern).search if pattern is not None else None
        least = _count(schema, "minLength")

        def check(x: Any) -> bool:
            if not isinstance(x, str):
                return not typed
            return len(x) >= least and (search is None or search(x) is not None)

        return check


# The keywords understood: checked one by one (type first: it is the cheapest no), or as a group
# by one check per kind of instance.
_SINGLE = ("type", "$ref", "const", "enum", "anyOf")
_OBJECT = frozenset({"properties", "additionalProperties", "required", "propertyNames", "minProperties"})
_ARRAY = frozenset({"items", "minItems", "uniqueItems"})
_STRING = frozenset({"pattern", "minLength"})
_KEYWORDS = frozenset(_SINGLE) | _OBJECT | _ARRAY | _STRING
_PYTHON_TYPE = {"object": dict, "array": list, "string": str}


def _count(schema: dict[str, Any], keyword: str) -> int:
    value = schema.get(keyword, 0)
    if type(value) is not int or value < 0:
        raise _Doubt(keyword)
    return value


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Doubt("a list of strings")
    return value


def _always(x: Any) -> bool:
    return True


def _never(x: Any) -> bool:
    return False


def _all_of(checks: tuple[Check, ...]) -> Check:
    first, *rest = checks
    for then in rest:
        first = _both(first, then)
    return first


def _both(first: Check, then: Check) -> Check:
    return lambda x: first(x) and then(x)


def _one_of_values(values: Any) -> Check:
    """const/enum, comparing type and value (jsonschema tells True from 1 too; 1.0 == 1 is a no here)."""
    if not isinstance(values, list) or not all(type(v) in _SCALARS for v in values):
        raise _Doubt("const or enum beyond plain scalars")
    if all(type(v) is str for v in values):
        strings = frozenset(values)
        return lambda x: type(x) is str and x in strings
    pairs = frozenset((type(v), v) for v in values)
    return lambda x: type(x) in _SCALARS and (type(x), x) in pairs
