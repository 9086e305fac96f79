"""The `jsonl` and `parquet` manifest layouts: rows naming local media files and their captions."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.readers.manifest import JsonlLayout, ParquetLayout


def _media(root: Path) -> Path:
    (root / "img").mkdir(parents=True)
    for i in range(5):
        (root / "img" / f"{i}.jpg").write_bytes(b"\xff\xd8" + bytes([i]) * 8)
    (root / "img" / "1.tdmrep.json").write_text('[{"location":"*","tdm-reservation":1}]')
    (root / "img" / "2.headers.json").write_text('{"X-Robots-Tag": "noai"}')
    (root / "img" / "tdmrep.json").write_text('[{"location":"*","tdm-reservation":0}]')
    return root


def _jsonl(root: Path, lines: list[bytes]) -> Path:
    path = root / "manifest.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def _row(i: int, **extra) -> bytes:
    return (
        json.dumps({"key": f"k{i}", "caption": f"caption {i}", "path": f"img/{i}.jpg", **extra}).encode()
        + b"\n"
    )


def _samples(layout):
    return [s for shard in layout.shards() for s in layout.read(shard)]


def test_when_a_jsonl_manifest_is_read_then_rows_become_samples_with_their_files(tmp_path):
    root = _media(tmp_path)
    path = _jsonl(root, [_row(0), _row(1), _row(2, headers={"TDM-Reservation": "1"})])
    layout = JsonlLayout(path, ReaderOptions(id_column="key"))

    samples = _samples(layout)

    assert [s.id for s in samples] == ["manifest.jsonl:k0", "manifest.jsonl:k1", "manifest.jsonl:k2"]
    assert [s.caption for s in samples] == ["caption 0", "caption 1", "caption 2"]
    assert [s.location.row for s in samples] == [0, 1, 2]
    assert samples[0].media[0].data == (root / "img/0.jpg").read_bytes()
    assert [m.name for m in samples[1].members] == ["img/1.jpg", "img/1.tdmrep.json", "img/tdmrep.json"]
    assert samples[2].headers == {"tdm-reservation": "1", "x-robots-tag": "noai"}
    assert samples[1].record == _row(1)
    assert all(not s.problems for s in samples)


def test_when_no_id_column_is_given_then_ids_are_row_numbers_and_shards_are_row_ranges(tmp_path):
    root = _media(tmp_path)
    path = _jsonl(root, [_row(i % 5) for i in range(7)])
    layout = JsonlLayout(path, ReaderOptions(shard_size=3))

    shards = layout.shards()
    samples = _samples(layout)

    assert [(s.id, s.start, s.stop) for s in shards] == [
        ("r000000", 0, 3),
        ("r000001", 3, 6),
        ("r000002", 6, 7),
    ]
    assert [s.offset for s in shards] == [0, 3 * len(_row(0)), 6 * len(_row(0))]
    assert [s.id for s in samples] == [f"manifest.jsonl:{i}" for i in range(7)]
    assert [s.name for s in shards][1] == "rows 3-5 of manifest.jsonl"


def test_when_jsonl_lines_are_bad_then_each_is_a_sample_with_a_row_problem(tmp_path):
    root = _media(tmp_path)
    lines = [
        _row(0),
        b"\xff\xfe not utf8\n",
        b"{not json\n",
        b"[1, 2]\n",
        b"   \n",
        json.dumps({"caption": "no path"}).encode() + b"\n",
        json.dumps({"caption": "gone", "path": "img/missing.jpg"}).encode() + b"\n",
        json.dumps({"caption": 5, "path": "img/3.jpg"}).encode(),  # last line without a newline
    ]
    layout = JsonlLayout(_jsonl(root, lines), ReaderOptions())

    samples = _samples(layout)

    assert [s.location.row for s in samples] == [0, 1, 2, 3, 5, 6, 7]  # the blank line 4 is no row
    assert samples[0].problems == ()
    assert [(p.what, p.message) for p in samples[1].problems] == [("row", "row 1 is not UTF-8 at byte 0")]
    assert samples[2].problems[0].what == "row" and "row 2 is not JSON" in samples[2].problems[0].message
    assert samples[3].problems[0].message == "row 3 is a JSON list, not an object"
    assert samples[4].problems[0].message == "row 5 has no 'path' column"
    missing = samples[5].problems[0]
    assert (missing.what, missing.location.row) == ("member", 6)
    assert missing.message == f"file named by row 6 does not exist: {root / 'img/missing.jpg'}"
    assert samples[6].caption is None and samples[6].problems[0].what == "caption"
    assert all(s.id == f"manifest.jsonl:{s.location.row}" for s in samples)


def test_when_jsonl_kept_rows_are_written_and_merged_then_lines_are_byte_identical(tmp_path):
    root = _media(tmp_path)
    lines = [_row(i % 5) for i in range(6)] + [b'{"caption": "crlf", "path": "img/4.jpg"}\r\n']
    path = _jsonl(root, lines)
    layout = JsonlLayout(path, ReaderOptions(shard_size=4))
    parts = []
    for shard in layout.shards():
        part = tmp_path / "parts" / shard.id
        part.mkdir(parents=True)
        writer = layout.writer(shard, part)
        for sample in layout.read(shard):
            if sample.location.row != 2:
                writer.write(sample)
        writer.close()
        parts.append((shard, part))

    files = layout.merge(list(reversed(parts)), tmp_path / "data")

    assert files == ["manifest.jsonl"]
    assert (tmp_path / "data/manifest.jsonl").read_bytes() == b"".join(
        line for i, line in enumerate(lines) if i != 2
    )


def test_when_input_files_are_listed_then_the_manifest_is_hashed_once_with_each_shards_media(tmp_path):
    root = _media(tmp_path)
    layout = JsonlLayout(_jsonl(root, [_row(0), _row(1), _row(3)]), ReaderOptions(shard_size=2))
    first, second = layout.shards()

    assert [f.path for f in layout.input_files(first)] == [
        "img/0.jpg",
        "img/1.jpg",
        "img/1.tdmrep.json",
        "img/tdmrep.json",
        "manifest.jsonl",
    ]
    assert [f.path for f in layout.input_files(second)] == ["img/3.jpg", "img/tdmrep.json"]


def _parquet(root: Path, rows: int, row_group_size: int) -> Path:
    table = pa.table(
        {
            "id": pa.array([f"p{i}" for i in range(rows)]),
            "caption": pa.array([f"cap {i}" if i != 3 else None for i in range(rows)]),
            "path": pa.array([f"img/{i % 5}.jpg" for i in range(rows)]),
            "score": pa.array([i / 10 for i in range(rows)], type=pa.float32()),
        },
        metadata={b"origin": b"test"},
    )
    path = root / "rows.parquet"
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


def test_when_a_parquet_manifest_is_read_then_shards_cross_row_groups_correctly(tmp_path):
    root = _media(tmp_path)
    layout = ParquetLayout(_parquet(root, 11, row_group_size=4), ReaderOptions(shard_size=3, id_column="id"))

    shards = layout.shards()
    samples = _samples(layout)

    assert [(s.start, s.stop) for s in shards] == [(0, 3), (3, 6), (6, 9), (9, 11)]
    assert [s.id for s in samples] == [f"rows.parquet:p{i}" for i in range(11)]
    assert [s.location.row for s in samples] == list(range(11))
    assert samples[3].caption is None and samples[4].caption == "cap 4"
    assert samples[7].media[0].data == (root / "img/2.jpg").read_bytes()
    assert samples[7].headers == {"x-robots-tag": "noai"}
    assert samples[5].record.to_pylist() == [
        {"id": "p5", "caption": "cap 5", "path": "img/0.jpg", "score": pytest.approx(0.5)}
    ]


def test_when_parquet_kept_rows_are_merged_then_one_file_holds_them_with_the_input_schema(tmp_path):
    root = _media(tmp_path)
    source = _parquet(root, 11, row_group_size=4)
    layout = ParquetLayout(source, ReaderOptions(shard_size=3))

    def run(name: str) -> bytes:
        parts = []
        for shard in layout.shards():
            part = tmp_path / name / shard.id
            part.mkdir(parents=True)
            writer = layout.writer(shard, part)
            for sample in layout.read(shard):
                if sample.location.row % 4 != 1:
                    writer.write(sample)
            writer.close()
            parts.append((shard, part))
        assert layout.merge(parts, tmp_path / name / "data") == ["rows.parquet"]
        return (tmp_path / name / "data" / "rows.parquet").read_bytes()

    first, second = run("one"), run("two")

    merged = pq.read_table(tmp_path / "one/data/rows.parquet")
    original = pq.read_table(source)
    assert merged.schema.equals(original.schema, check_metadata=True)
    assert merged.to_pylist() == [r for i, r in enumerate(original.to_pylist()) if i % 4 != 1]
    assert first == second


def test_when_a_manifest_lacks_the_columns_or_rows_then_opening_it_is_invalid_input(tmp_path):
    pq.write_table(pa.table({"text": ["x"], "path": ["a.jpg"]}), tmp_path / "a.parquet")
    pq.write_table(
        pa.table({"caption": pa.array([], pa.string()), "path": pa.array([], pa.string())}),
        tmp_path / "b.parquet",
    )
    (tmp_path / "c.jsonl").write_bytes(b"\n  \n")
    (tmp_path / "d.json").write_text('[{"caption": "x"}]')

    with pytest.raises(InvalidInput, match="no column 'caption'; its columns: text, path"):
        ParquetLayout(tmp_path / "a.parquet", ReaderOptions())
    with pytest.raises(InvalidInput, match="has no rows"):
        ParquetLayout(tmp_path / "b.parquet", ReaderOptions())
    with pytest.raises(InvalidInput, match="is empty"):
        JsonlLayout(tmp_path / "c.jsonl", ReaderOptions())
    with pytest.raises(InvalidInput, match="JSON array"):
        JsonlLayout(tmp_path / "d.json", ReaderOptions())


def test_when_a_jsonl_line_is_over_the_row_limit_then_it_is_skipped_to_its_end_as_a_problem(
    tmp_path, monkeypatch
):
    from kyodaku.scan.readers import manifest

    monkeypatch.setattr(manifest, "MAX_ROW_BYTES", 80)
    root = _media(tmp_path)
    long_row = json.dumps({"caption": "x" * 500, "path": "img/0.jpg"}).encode() + b"\n"
    layout = JsonlLayout(_jsonl(root, [_row(0), long_row, _row(1)]), ReaderOptions())
    shard = layout.shards()[0]

    samples = list(layout.read(shard))
    part = tmp_path / "part"
    part.mkdir()
    writer = layout.writer(shard, part)
    for sample in samples:
        writer.write(sample)
    written = writer.close()

    assert [s.id for s in samples] == ["manifest.jsonl:0", "manifest.jsonl:1", "manifest.jsonl:2"]
    assert samples[1].problems[0].message == "row 1 is over 80 bytes: not read"
    assert samples[2].caption == "caption 1"
    assert written.samples == 2
    assert (part / "manifest.jsonl").read_bytes() == _row(0) + _row(1)
