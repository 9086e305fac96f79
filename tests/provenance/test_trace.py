"""Lookup by content: an output found later (re-encoded, resized, mirrored) leads back to its entry."""

from __future__ import annotations

import pytest
from PIL import Image, ImageOps

from helpers.pictures import jpeg, png
from kyodaku.domain.errors import InvalidInput
from kyodaku.provenance.entry import Record
from kyodaku.provenance.ledger import Ledger
from kyodaku.provenance.trace import LedgerIndex, trace
from kyodaku_samples.synthetic import draw_image


@pytest.fixture
def ledger(tmp_path):
    book = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield book
    book.close()


def _generated(seed: int) -> Image.Image:
    return draw_image("scene", seed, (384, 384)).convert("RGB")


def _record_outputs(ledger, guard, seeds) -> dict[int, object]:
    return {
        seed: ledger.append(guard.screen_image(png(_generated(seed))), Record(source="python"))
        for seed in seeds
    }


def test_when_the_exact_output_is_traced_then_its_entry_is_found_by_sha256_and_pdq(ledger, guard):
    entries = _record_outputs(ledger, guard, [1, 2, 3])
    result = trace(ledger, png(_generated(2)))
    assert [m.entry.entry_id for m in result.matches] == [entries[2].entry_id]
    assert result.matches[0].how == ["sha256", "pdq"] and result.matches[0].distance == 0


def test_when_a_resized_reencoded_mirrored_copy_is_traced_then_pdq_finds_its_entry(ledger, guard):
    entries = _record_outputs(ledger, guard, [4, 5, 6])
    copy = ImageOps.mirror(_generated(5).resize((200, 200)))
    result = trace(ledger, jpeg(copy, quality=60))
    assert [m.entry.entry_id for m in result.matches] == [entries[5].entry_id]
    assert result.matches[0].how == ["pdq"] and 0 < result.matches[0].distance <= 31


def test_when_an_unrelated_picture_is_traced_then_no_entry_is_found(ledger, guard):
    _record_outputs(ledger, guard, [7, 8])
    assert trace(ledger, jpeg(draw_image("scene", 99, (384, 384)))).matches == []


def test_when_the_index_merges_its_tail_then_earlier_and_later_entries_are_both_found(ledger, guard):
    index = LedgerIndex(tail_limit=1)
    first = _record_outputs(ledger, guard, [10, 11])
    assert trace(ledger, png(_generated(10)), index).matches[0].entry.entry_id == first[10].entry_id
    later = _record_outputs(ledger, guard, [12])
    found = trace(ledger, jpeg(_generated(12).resize((300, 300))), index)
    assert [m.entry.entry_id for m in found.matches] == [later[12].entry_id]
    assert len(index) == 3


def test_when_a_flat_picture_is_traced_then_the_note_says_it_cannot_be(ledger, guard):
    _record_outputs(ledger, guard, [13])
    result = trace(ledger, png(Image.new("RGB", (256, 256), (40, 40, 40))))
    assert result.matches == [] and any("quality floor" in n for n in result.notes)


@pytest.mark.parametrize("data", [b"not media at all", b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 20])
def test_when_the_upload_is_not_media_then_trace_refuses_it(ledger, data):
    with pytest.raises(InvalidInput):
        trace(ledger, data)


def test_when_a_screened_video_is_reencoded_then_trace_finds_its_entry_by_its_frames(ledger, guard, tmp_path):
    from kyodaku_samples.synthetic import draw_frames, encode_video

    frames = list(draw_frames(61, seconds=3, fps=12))
    original = encode_video(tmp_path / "out.mp4", frames, fps=12, crf=20)
    entry = ledger.append(guard.screen_video(str(original)), Record())
    other = encode_video(tmp_path / "other.mp4", draw_frames(62, seconds=3, fps=12), fps=12)
    ledger.append(guard.screen_video(str(other)), Record())
    copy = encode_video(tmp_path / "copy.mp4", (f.resize((240, 180)) for f in frames), fps=12, crf=38)
    result = trace(ledger, copy.read_bytes())
    assert result.media_type == "video"
    assert [m.entry.entry_id for m in result.matches] == [entry.entry_id]
    assert result.matches[0].how[0] == "pdq" and result.matches[0].frames >= 2
