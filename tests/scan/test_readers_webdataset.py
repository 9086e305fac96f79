"""The `webdataset` layout: tar shards read as streams, grouped by key, written back deterministically."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.readers.webdataset import WebDatasetLayout, expand_braces


def _tar(
    path: Path, members: list[tuple[str, bytes]], *, mode: str = "w", mtime: int = 1_700_000_000
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o640
            info.uname = "laion"
            tar.addfile(info, io.BytesIO(data))
    return path


MEMBERS = [
    ("000001.jpg", b"\xff\xd8jpeg-1"),
    ("000001.txt", b"first caption"),
    ("000001.tdmrep.json", b'[{"location":"*","tdm-reservation":1}]'),
    ("000002.JPG", b"\xff\xd8jpeg-2"),
    ("000002.json", json.dumps({"caption": "second", "url": "u"}).encode()),
    ("000002.headers.json", b'{"X-Robots-Tag": ["noai", "noimageai"]}'),
    ("sub/000003.png", b"\x89PNG-3"),
    ("sub/000003.headers", b"HTTP/2 200\r\nTDM-Reservation: 1\r\n"),
]


def _read_all(layout: WebDatasetLayout):
    return [s for shard in layout.shards() for s in layout.read(shard)]


def test_when_a_tar_is_read_then_members_group_by_key_with_webdataset_exts(tmp_path):
    layout = WebDatasetLayout(_tar(tmp_path / "shard-000000.tar", MEMBERS), ReaderOptions())

    samples = _read_all(layout)

    assert [s.id for s in samples] == [
        "shard-000000.tar/000001",
        "shard-000000.tar/000002",
        "shard-000000.tar/sub/000003",
    ]
    one, two, three = samples
    assert [m.ext for m in one.members] == ["jpg", "txt", "tdmrep.json"]
    assert one.caption == "first caption" and one.media[0].data == b"\xff\xd8jpeg-1"
    assert one.location.shard == "shard-000000.tar" and one.location.key == "000001"
    assert [m.ext for m in two.members] == ["jpg", "json", "headers.json"]
    assert two.members[0].name == "000002.JPG"
    assert two.caption == "second"
    assert two.headers == {"x-robots-tag": "noai, noimageai"}
    assert three.headers == {"tdm-reservation": "1"} and three.caption is None
    assert all(not s.problems for s in samples)


def test_when_a_folder_or_brace_pattern_is_given_then_each_tar_is_one_shard_in_order(tmp_path):
    for i in (2, 0, 1):
        _tar(tmp_path / "ds" / f"shard-{i:06d}.tar", [(f"{i}.txt", b"c")])
    _tar(tmp_path / "ds" / "more" / "extra.tar", [("x.txt", b"c")])

    folder = WebDatasetLayout(tmp_path / "ds", ReaderOptions()).shards()
    braces = WebDatasetLayout(tmp_path / "ds" / "shard-{000000..000002}.tar", ReaderOptions()).shards()

    assert [s.name for s in folder] == [
        "more/extra.tar",
        "shard-000000.tar",
        "shard-000001.tar",
        "shard-000002.tar",
    ]
    assert [s.id for s in folder] == [
        "t000000-more_extra",
        "t000001-shard-000000",
        "t000002-shard-000001",
        "t000003-shard-000002",
    ]
    assert [s.name for s in braces] == ["shard-000000.tar", "shard-000001.tar", "shard-000002.tar"]
    assert expand_braces("a-{08..10}-{x,y}.tar") == [
        "a-08-x.tar",
        "a-08-y.tar",
        "a-09-x.tar",
        "a-09-y.tar",
        "a-10-x.tar",
        "a-10-y.tar",
    ]
    with pytest.raises(InvalidInput, match="do not exist"):
        WebDatasetLayout(tmp_path / "ds" / "shard-{000000..000009}.tar", ReaderOptions())


def test_when_a_tar_is_truncated_then_earlier_samples_are_kept_and_a_broken_marker_follows(tmp_path):
    whole = _tar(tmp_path / "whole.tar", MEMBERS).read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole[: 512 * 9 + 10])  # inside the data of the 5th member (000002.json)
    layout = WebDatasetLayout(cut, ReaderOptions())
    shard = layout.shards()[0]

    samples = list(layout.read(shard))

    assert [s.id for s in samples] == ["cut.tar/000001", "cut.tar/000002", f"{shard.id}/!broken"]
    assert samples[0].problems == ()
    assert [m.name for m in samples[1].members] == ["000002.JPG"]
    assert [p.what for p in samples[1].problems] == ["shard"]
    broken = samples[-1].problems[0]
    assert broken.what == "shard"
    assert "byte 4096" in broken.message and "000002.json" in broken.message
    assert "unexpected end of data" in broken.message


def test_when_a_tar_has_a_corrupt_header_or_no_end_block_then_it_is_broken_not_short(tmp_path):
    whole = bytearray(_tar(tmp_path / "whole.tar", MEMBERS).read_bytes())
    corrupt = bytearray(whole)
    corrupt[512 * 6 : 512 * 6 + 100] = b"garbage!" * 12 + b"gibb"  # the header of 000002.JPG
    (tmp_path / "corrupt.tar").write_bytes(corrupt)
    (tmp_path / "noend.tar").write_bytes(whole[: 512 * 6])  # ends cleanly after sample 1, no end block

    for name in ("corrupt.tar", "noend.tar"):
        layout = WebDatasetLayout(tmp_path / name, ReaderOptions())
        samples = list(layout.read(layout.shards()[0]))
        assert [s.id for s in samples] == [f"{name}/000001", f"{layout.shards()[0].id}/!broken"], name
        assert samples[-1].problems[0].what == "shard"
        assert "no end-of-archive block after byte 3072" in samples[-1].problems[0].message


def test_when_a_file_is_not_a_tar_then_one_broken_sample_is_yielded(tmp_path):
    (tmp_path / "junk.tar").write_bytes(b"this is not a tar at all" * 40)
    layout = WebDatasetLayout(tmp_path / "junk.tar", ReaderOptions())

    samples = list(layout.read(layout.shards()[0]))

    assert [s.id for s in samples] == ["t000000-junk/!broken"]
    assert "not a readable tar" in samples[0].problems[0].message


def test_when_members_climb_out_or_are_links_then_they_are_refused_never_followed(tmp_path):
    path = tmp_path / "evil.tar"
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [("../evil.txt", b"escape"), ("/etc/abs.txt", b"abs"), ("ok.jpg", b"img")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("ok.txt")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    layout = WebDatasetLayout(path, ReaderOptions())

    samples = list(layout.read(layout.shards()[0]))

    assert [s.id for s in samples] == ["evil.tar/../evil", "evil.tar//etc/abs", "evil.tar/ok"]
    assert samples[0].members[0].data is None and "unsafe path" in samples[0].problems[0].message
    assert samples[1].members[0].data is None and "unsafe path" in samples[1].problems[0].message
    ok = samples[2]
    assert [(m.name, m.data) for m in ok.members] == [("ok.jpg", b"img"), ("ok.txt", None)]
    assert ok.caption is None
    assert [p.message for p in ok.problems] == ["member ok.txt is a symlink: not followed"]


def test_when_a_member_is_over_the_limit_or_a_key_repeats_then_each_is_a_problem(tmp_path):
    path = _tar(
        tmp_path / "x.tar", [("a.jpg", b"0" * 64), ("a.txt", b"cap"), ("b.jpg", b"1"), ("a.json", b"{}")]
    )
    layout = WebDatasetLayout(path, ReaderOptions(max_member_bytes=10))

    a, b, a_again = list(layout.read(layout.shards()[0]))

    assert a.members[0].data is None and a.caption == "cap"
    assert "64 bytes, over the 10-byte limit" in a.problems[0].message
    assert b.problems == ()
    assert a_again.id == "x.tar/a"
    assert "appears again after other keys" in a_again.problems[0].message


def _write_kept(layout: WebDatasetLayout, parts_dir: Path, keep) -> list:
    parts = []
    for shard in layout.shards():
        part = parts_dir / f"{shard.id}.tmp"
        part.mkdir(parents=True)
        writer = layout.writer(shard, part)
        for sample in layout.read(shard):
            if keep(sample):
                writer.write(sample)
        writer.close()
        parts.append((shard, part))
    return parts


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz"])
def test_when_kept_samples_are_written_twice_then_tars_are_byte_identical_and_hold_the_originals(
    tmp_path, suffix
):
    root = tmp_path / "ds"
    _tar(root / f"a/shard-0{suffix}", MEMBERS, mode="w:gz" if suffix == ".tar.gz" else "w")
    _tar(
        root / f"shard-1{suffix}",
        [("9.jpg", b"drop"), ("9.txt", b"x")],
        mode="w:gz" if suffix == ".tar.gz" else "w",
    )
    layout = WebDatasetLayout(root, ReaderOptions())

    def keep(sample):
        return not sample.id.endswith(("000002", "/9"))

    outputs = []
    for run in ("one", "two"):
        parts = _write_kept(layout, tmp_path / run / "parts", keep)
        files = layout.merge(parts, tmp_path / run / "data")
        outputs.append({f: (tmp_path / run / "data" / f).read_bytes() for f in files})

    assert list(outputs[0]) == [f"a/shard-0{suffix}", f"shard-1{suffix}"]
    assert outputs[0] == outputs[1]
    with tarfile.open(tmp_path / "one" / "data" / f"a/shard-0{suffix}") as out:
        written = [(m.name, m.mtime, m.mode, m.uname, out.extractfile(m).read()) for m in out.getmembers()]
    originals = dict(MEMBERS)
    assert [w[0] for w in written] == [
        "000001.jpg",
        "000001.txt",
        "000001.tdmrep.json",
        "sub/000003.png",
        "sub/000003.headers",
    ]
    assert all(w[1:4] == (1_700_000_000, 0o640, "laion") and w[4] == originals[w[0]] for w in written)
    with tarfile.open(tmp_path / "one" / "data" / f"shard-1{suffix}") as empty:
        assert empty.getmembers() == []  # a shard with nothing kept is still a valid (empty) tar


def test_when_a_gzipped_tar_fails_its_crc_then_the_shard_is_broken(tmp_path):
    whole = _tar(tmp_path / "ok.tar.gz", MEMBERS, mode="w:gz").read_bytes()
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(whole[:-8] + bytes(b ^ 0xFF for b in whole[-8:-4]) + whole[-4:])  # the CRC32 field
    layout = WebDatasetLayout(bad, ReaderOptions())

    samples = list(layout.read(layout.shards()[0]))

    assert [s.id for s in samples][-1] == "t000000-bad/!broken"
    assert "CRC check failed" in samples[-1].problems[0].message
    good = WebDatasetLayout(tmp_path / "ok.tar.gz", ReaderOptions())
    assert [s.problems for s in good.read(good.shards()[0])] == [(), (), ()]
