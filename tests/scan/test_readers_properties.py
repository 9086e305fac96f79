"""Properties of the byte-level parsers: whatever a dataset holds, they answer and never raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.model import Location
from kyodaku.scan.readers.manifest import parse_jsonl_row
from kyodaku.scan.readers.sidecars import decode_caption, headers_from_object, headers_from_raw, split_key_ext

WHERE = Location("s", key="k")
OPTIONS = ReaderOptions()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=80).map(str.encode))
def test_when_any_bytes_are_a_jsonl_row_then_the_parser_answers_without_raising(line):
    values, problems = parse_jsonl_row(line, 7, OPTIONS, WHERE)

    assert values is None or isinstance(values, dict)
    assert values is not None or [p.what for p in problems] == ["row"]
    assert all(p.message.startswith("row 7 ") for p in problems)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_when_any_bytes_are_a_caption_then_it_is_text_or_a_caption_problem(data):
    caption, problem = decode_caption(data, WHERE)

    assert (caption is None) == (problem is not None)
    if problem is not None:
        assert problem.what == "caption" and problem.message.startswith("not UTF-8 at byte ")
    else:
        assert caption == data.decode("utf-8-sig").strip()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_when_any_bytes_are_saved_headers_then_names_come_back_lower_cased(data):
    for headers, _problem in (headers_from_raw(data, WHERE), headers_from_object(data, WHERE)):
        assert all(name == name.strip().lower() for name in headers)
        assert all(isinstance(value, str) for value in headers.values())


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_when_any_name_is_split_then_key_and_ext_rebuild_it(name):
    key, ext = split_key_ext(name)

    rest = name[len(key) + 1 :]
    assert name.startswith(key)
    assert ext == rest.lower()
    assert name in (key, f"{key}.{rest}")
    assert ext == "" or name != key
    base = key.rsplit("/", 1)[-1]
    assert "." not in base.lstrip(".")


def test_when_webdataset_names_are_split_then_the_first_dot_of_the_base_name_decides():
    assert split_key_ext("a.b/000123.JPG") == ("a.b/000123", "jpg")
    assert split_key_ext("x.tdmrep.json") == ("x", "tdmrep.json")
    assert split_key_ext("dir/.hidden.txt") == ("dir/.hidden", "txt")
    assert split_key_ext("README") == ("README", "")
