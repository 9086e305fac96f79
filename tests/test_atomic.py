"""kyodaku.atomic: a file is replaced whole or not at all, and no temporary file is left behind."""

from __future__ import annotations

import pytest

from kyodaku.atomic import atomic_writer, write_atomic


def test_when_bytes_are_written_then_the_target_holds_exactly_them_and_nothing_else_is_left(tmp_path):
    target = tmp_path / "deep" / "out.json"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]


def test_when_the_writer_fails_midway_then_the_old_content_stays_and_the_temporary_file_is_gone(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", "utf-8")
    with pytest.raises(RuntimeError), atomic_writer(target, text=True) as fh:
        fh.write("half of the new\n")
        raise RuntimeError("disk full, say")
    assert target.read_text("utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_when_a_temp_dir_is_given_then_the_temporary_file_is_made_there(tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    seen = []
    with atomic_writer(tmp_path / "out.bin", temp_dir=staging) as fh:
        seen = [p.parent for p in staging.iterdir()]
        fh.write(b"x")
    assert seen == [staging] and list(staging.iterdir()) == []
    assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o644
