"""The media guard end to end: generated images and videos against registered references, through the
same policy (and decision format) as prompts."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageOps

from kyodaku.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from kyodaku.domain.findings import Verdict
from kyodaku.media.bank import BankReference, ReferenceBank, ReferenceHashes
from kyodaku.media.compare import hamming
from kyodaku.media.hashing import hash_media
from kyodaku.policy.engine import ScreenContext
from kyodaku.screening import Guard, GuardOptions
from kyodaku_samples.synthetic import draw_frames, draw_image, encode_video

CATALOG = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"
OPTIONS = GuardOptions(semantic=False)


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="module")
def clip_path(tmp_path_factory) -> Path:
    return encode_video(
        tmp_path_factory.mktemp("clips") / "pikachu-clip.mp4", draw_frames(7, seconds=6, fps=12), fps=12
    )


@pytest.fixture(scope="module")
def guard(clip_path: Path) -> Guard:
    guard = Guard.from_file(str(CATALOG), OPTIONS)
    items = []
    for n, (entity, kind, seed) in enumerate(
        [("pikachu", "character", 1), ("superman", "character", 2), ("cloud-strife", "scene", 3)]
    ):
        picture = _png(draw_image(kind, seed))
        media = hash_media(picture, OPTIONS.hash_options(query=False), name=f"{entity}.png")
        ref = BankReference(f"ref{n}", entity, media.sha256, "image", f"{entity}.png")
        items.append(ReferenceHashes.from_media(ref, media))
    clip = hash_media(clip_path, OPTIONS.hash_options(query=False))
    items.append(
        ReferenceHashes.from_media(
            BankReference("refclip", "pikachu", clip.sha256, "video", clip_path.name, clip.frame_count), clip
        )
    )
    guard.reload(guard.snapshot.catalog, media=ReferenceBank.build(items, OPTIONS.match_options()))
    return guard


def test_when_an_output_copies_a_reference_then_the_decision_blocks_and_names_the_reference_file(guard):
    decision = guard.screen_image(_jpeg(draw_image("character", 1), quality=60), names=["out.jpg"])
    assert decision.verdict is Verdict.BLOCK
    finding = decision.findings[0]
    assert (finding.entity, finding.matcher) == ("pikachu", "pdq")
    media = finding.evidence.media
    assert media["reference"]["filename"] == "pikachu.png"
    assert media["distance"] <= media["threshold"]
    assert decision.to_dict()["media"][0]["name"] == "out.jpg"


def test_when_an_output_is_a_mirrored_copy_then_the_dihedral_variant_matches_and_says_so(guard):
    decision = guard.screen_image(_png(ImageOps.mirror(draw_image("character", 2))))
    assert [e.entity for e in decision.entities] == ["superman"]
    assert decision.findings[0].evidence.media["transform"] == "mirror"


def _captioned(image: Image.Image) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle([0, 440, 512, 512], fill=(255, 255, 255))
    draw.text((10, 450), "WHEN THE CAPTION IS LONGER THAN THE JOKE", fill=(0, 0, 0))
    return out


def _full_hash(image: Image.Image) -> bytes:
    return next(f.hash for f in hash_media(_png(image)).frames if f.region == "full")


def test_when_a_caption_bar_covers_the_bottom_then_the_top_window_still_matches():
    # An image whose whole-frame hash the bar moves past the threshold (many are robust anyway).
    original = next(
        image
        for seed in range(40)
        for image in [draw_image("shapes", seed)]
        if hamming(_full_hash(_captioned(image)), _full_hash(image)) > OPTIONS.pdq_threshold
    )
    guard = Guard.from_file(str(CATALOG), OPTIONS)
    media = hash_media(_png(original), OPTIONS.hash_options(query=False))
    ref = BankReference("r", "pikachu", media.sha256, "image", "p.png")
    reference = ReferenceHashes.from_media(ref, media)
    guard.reload(guard.snapshot.catalog, media=ReferenceBank.build([reference], OPTIONS.match_options()))
    decision = guard.screen_image(_png(_captioned(original)))
    assert decision.verdict is Verdict.BLOCK
    assert decision.findings[0].evidence.media["region"] == "top"


def test_when_an_output_is_unrelated_then_it_is_allowed_without_findings(guard):
    decision = guard.screen_image(_png(draw_image("character", 999)))
    assert decision.verdict is Verdict.ALLOW
    assert decision.findings == ()


def test_when_the_licensee_holds_a_permission_then_a_copy_of_its_character_is_allowed(guard):
    ctx = ScreenContext(licensee="acme", region="JP", at=datetime(2026, 6, 1, tzinfo=UTC))
    permitted = guard.screen_image(_png(draw_image("character", 1)), ctx)
    refused = guard.screen_image(_png(draw_image("character", 1)), ScreenContext(licensee="other"))
    assert permitted.verdict is Verdict.ALLOW and permitted.entities[0].rule != refused.entities[0].rule
    assert refused.verdict is Verdict.BLOCK


def test_when_a_harmless_prompt_comes_with_a_copied_output_then_one_decision_blocks_on_the_output(guard):
    decision = guard.screen_output(prompt="a cute yellow animal", media=[_png(draw_image("character", 2))])
    assert decision.verdict is Verdict.BLOCK
    assert {f.matcher for f in decision.findings} == {"pdq"}


def test_when_the_prompt_names_a_character_and_the_output_is_unrelated_then_the_prompt_still_blocks(guard):
    decision = guard.screen_output(prompt="Superman flying", media=[_png(draw_image("shapes", 50))])
    assert decision.verdict is Verdict.BLOCK
    assert {f.matcher for f in decision.findings} == {"alias"}


def test_when_a_video_reuses_part_of_a_reference_clip_then_shares_and_time_ranges_are_reported(
    guard, clip_path, tmp_path
):
    frames = list(draw_frames(7, seconds=6, fps=12))[24:60]  # seconds 2..5 of the reference
    excerpt = encode_video(tmp_path / "excerpt.mp4", frames, fps=12, crf=30)
    decision = guard.screen_video(excerpt)
    assert decision.verdict is Verdict.BLOCK
    finding = next(f for f in decision.findings if f.matcher == "vpdq")
    media = finding.evidence.media
    assert media["query_share"] >= 0.5
    assert media["reference_share"] < media["query_share"]
    start, end = media["ranges"][0]["reference"]
    assert 1.0 <= start < end <= 5.5


def test_when_an_image_is_a_still_of_a_reference_clip_then_the_frame_is_named(guard):
    still = list(draw_frames(7, seconds=6, fps=12))[36]  # t = 3.0 s, a sampled frame
    decision = guard.screen_image(_png(still))
    finding = next(f for f in decision.findings if f.evidence.media["reference"]["id"] == "refclip")
    assert finding.evidence.media["reference_t"] == pytest.approx(3.0, abs=0.01)


def test_when_an_unrelated_video_is_screened_then_it_is_allowed(guard, tmp_path):
    other = encode_video(tmp_path / "other.mp4", draw_frames(99, seconds=4, fps=12), fps=12)
    assert guard.screen_video(other).verdict is Verdict.ALLOW


def test_when_a_blank_image_is_screened_then_it_is_allowed_and_the_note_says_it_cannot_be_matched(guard):
    decision = guard.screen_image(_png(Image.new("RGB", (300, 300), (20, 20, 20))))
    assert decision.verdict is Verdict.ALLOW
    assert any("quality floor" in note for note in decision.notes)


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_when_a_png_claims_100000_by_100000_pixels_then_it_is_refused_before_decoding(guard):
    with pytest.raises(PayloadTooLarge, match=r"bomb\.png: claims 100000x100000"):
        guard.screen_image(_bomb_png(100_000, 100_000), names=["bomb.png"])


def test_when_text_bytes_have_an_image_name_then_the_error_names_the_file(guard):
    with pytest.raises(UnsupportedMedia, match=r"notes\.png"):
        guard.screen_image(b"just some text, not a picture\n" * 40, names=["notes.png"])


def test_when_a_jpeg_is_truncated_then_the_error_says_truncated_or_corrupt(guard):
    data = _jpeg(draw_image("shapes", 4))
    with pytest.raises(InvalidInput, match=r"cut\.jpg: truncated or corrupt"):
        guard.screen_image(data[: len(data) // 2], names=["cut.jpg"])


def test_when_a_video_is_passed_as_an_image_then_it_is_refused(guard, clip_path):
    with pytest.raises(InvalidInput, match="expected an image"):
        guard.screen_image(clip_path)


def test_when_nothing_is_given_then_screen_output_refuses(guard):
    with pytest.raises(InvalidInput, match="nothing to screen"):
        guard.screen_output()


def test_when_an_output_is_a_crop_of_a_reference_then_local_features_find_it_with_its_zoom(guard):
    image = draw_image("character", 1)
    crop = image.crop((31, 20, 31 + 461, 20 + 461))  # a 90% window, off-centre
    full = next(f.hash for f in hash_media(_png(crop)).frames if f.region == "full")
    reference = next(f.hash for f in hash_media(_png(image)).frames if f.region == "full")
    assert hamming(full, reference) > OPTIONS.pdq_threshold  # PDQ alone cannot follow a crop
    decision = guard.screen_image(_jpeg(crop, quality=75))
    assert decision.verdict is Verdict.BLOCK
    finding = decision.findings[0]
    assert (finding.entity, finding.matcher) == ("pikachu", "local")
    assert finding.evidence.media["scale"] == pytest.approx(512 / 461, abs=0.06)


def test_when_local_features_are_off_then_a_crop_is_not_matched(guard):
    crop = draw_image("character", 1).crop((31, 20, 31 + 461, 20 + 461))
    off = Guard(guard.holder, GuardOptions(semantic=False, local_features=False))
    assert off.screen_image(_png(crop)).verdict is Verdict.ALLOW


def test_when_a_crop_is_found_then_the_decision_serialises_to_json(guard):
    import json

    crop = draw_image("character", 1).crop((25, 25, 25 + 461, 25 + 461))
    payload = json.loads(json.dumps(guard.screen_image(_png(crop)).to_dict()))
    assert payload["findings"][0]["evidence"]["media"]["verification"]["inliers"] >= 1


def test_when_a_prompt_naming_nothing_carries_a_forbidden_theme_then_the_copied_output_is_blocked(guard):
    """Themes are read from the prompt once anything was found in any part of the generation:
    the permission for acme forbids war scenes, and the entry here is found only in the output."""
    acme = ScreenContext(licensee="acme", region="JP", at=datetime(2026, 6, 1, tzinfo=UTC))
    copy = _png(draw_image("character", 1))
    war = guard.screen_output(prompt="soldiers storming a beach in a war", media=[copy], context=acme)
    picnic = guard.screen_output(prompt="a picnic in a meadow", media=[copy], context=acme)
    assert picnic.verdict is Verdict.ALLOW and [e.entity for e in picnic.entities] == ["pikachu"]
    assert war.verdict is Verdict.BLOCK
    assert "war" in {t.theme for t in war.themes}
