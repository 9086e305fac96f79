"""`open_layout`: picking the layout from what the path is, or by name."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.readers import LAYOUTS, open_layout


def _tar(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("0.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    return path


def test_when_paths_are_given_then_the_layout_is_detected_from_what_they_are(tmp_path):
    _tar(tmp_path / "wds" / "nested" / "000.tar")
    (tmp_path / "imgs" / "sub").mkdir(parents=True)
    (tmp_path / "imgs" / "sub" / "a.webp").write_bytes(b"x")
    (tmp_path / "m.jsonl").write_text('{"caption": "c", "path": "a.jpg"}\n')
    (tmp_path / "m.ndjson").write_text('{"caption": "c", "path": "a.jpg"}\n')
    pq.write_table(pa.table({"caption": ["c"], "path": ["a.jpg"]}), tmp_path / "m.parquet")
    options = ReaderOptions()

    found = {
        name: open_layout(tmp_path / name, options).name
        for name in ("wds", "wds/nested/000.tar", "imgs", "m.jsonl", "m.ndjson", "m.parquet")
    }

    assert found == {
        "wds": "webdataset",
        "wds/nested/000.tar": "webdataset",
        "imgs": "folder",
        "m.jsonl": "jsonl",
        "m.ndjson": "jsonl",
        "m.parquet": "parquet",
    }
    assert open_layout(tmp_path / "wds" / "nested" / "{000..000}.tar", options).name == "webdataset"
    assert open_layout(tmp_path / "m.jsonl", options, layout="jsonl").root == tmp_path
    assert sorted(LAYOUTS) == ["folder", "jsonl", "parquet", "webdataset"]


def test_when_a_path_is_empty_unknown_or_ambiguous_then_invalid_input_says_why(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "a.png").write_bytes(b"x")
    _tar(tmp_path / "mixed" / "b.tar")
    (tmp_path / "data.csv").write_text("caption,path\n")
    options = ReaderOptions()

    cases = {
        "empty": "no .tar shards and no image or video files",
        "notes": "no .tar shards and no image or video files",
        "mixed": "both .tar shards and loose media files",
        "data.csv": "cannot tell the layout",
        "nope.tar": "does not exist",
    }
    for name, message in cases.items():
        with pytest.raises(InvalidInput, match=message):
            open_layout(tmp_path / name, options)
    with pytest.raises(
        InvalidInput, match="unknown dataset layout 'csv'; known: folder, jsonl, parquet, webdataset"
    ):
        open_layout(tmp_path / "data.csv", options, layout="csv")
    with pytest.raises(InvalidInput, match="holds no image or video files"):
        open_layout(tmp_path / "notes", options, layout="folder")
    assert open_layout(tmp_path / "mixed", options, layout="folder").shards()[0].source == ("a.png",)


def test_when_media_root_is_given_then_manifest_paths_resolve_against_it(tmp_path):
    (tmp_path / "store" / "x").mkdir(parents=True)
    (tmp_path / "store" / "x" / "a.jpg").write_bytes(b"jpeg")
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "m.jsonl").write_text('{"caption": "c", "path": "x/a.jpg"}\n')
    layout = open_layout(tmp_path / "meta" / "m.jsonl", ReaderOptions(media_root=tmp_path / "store"))

    (sample,) = list(layout.read(layout.shards()[0]))

    assert sample.media[0].data == b"jpeg" and sample.problems == ()
    assert sample.id == "m.jsonl:0"
