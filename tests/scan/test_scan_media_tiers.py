"""`--media full|pdq`: what the cheaper tier gives up, and the report's timings kept apart.

The dataset is made here: a resized copy of a registered reference, a copy cropped by a tenth on
every side, and a copy with a caption bar. PDQ follows the resized copy, its window hashes the
captioned one; only the local features follow the crop (and the caption, without the windows).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import ImageDraw

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.engine import scan
from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.options import ScanOptions
from kyodaku_samples.synthetic import draw_image

CATALOG = """
version: 1
rightsholders:
  - {id: pokemon-company, name: {en: "The Pokémon Company"}, country: JP}
works:
  - {id: pokemon, owner: pokemon-company, names: {en: ["Pokémon"]}}
characters:
  - id: pikachu
    work: pokemon
    names: {en: ["Pikachu"]}
    description: {en: "A small yellow electric mouse creature with red cheeks"}
    references: ["refs/pikachu.png"]
"""


def _png(im) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiers")
    (root / "refs").mkdir()
    reference = draw_image("character", 7, (512, 512)).convert("RGB")
    reference.save(root / "refs" / "pikachu.png")
    (root / "catalog.yaml").write_text(CATALOG, "utf-8")
    data = root / "dataset"
    data.mkdir()
    (data / "copy.png").write_bytes(_png(reference.resize((320, 320))))
    cut = 512 // 10
    (data / "crop.png").write_bytes(_png(reference.crop((cut, cut, 512 - cut, 512 - cut)).resize((320, 320))))
    (data / "other.png").write_bytes(_png(draw_image("scene", 3, (320, 320))))
    captioned = reference.copy()
    ImageDraw.Draw(captioned).rectangle((0, 430, 512, 512), fill=(250, 250, 250))
    (data / "captioned.png").write_bytes(_png(captioned.resize((320, 320))))
    for name in ("copy", "crop", "other", "captioned"):
        (data / f"{name}.txt").write_text("a drawing for a sticker sheet", "utf-8")
    from kyodaku.audit.signing import generate_keypair

    generate_keypair(root / "scan.key", root / "scan.pub")
    return {"root": root, "data": data, "catalog": root / "catalog.yaml", "key": root / "scan.key"}


def _scan(world, out: str, **kw):
    options = ScanOptions(
        world["data"], licensee="lab", out=world["root"] / out, catalog=world["catalog"],
        signing_key=world["key"], reader=ReaderOptions(shard_size=2), semantic=False, workers=1,
        progress=False, **kw,
    )  # fmt: skip
    report = scan(options)
    lines = (world["root"] / out / "excluded.jsonl").read_text("utf-8").splitlines()
    return report, {json.loads(line)["id"]: json.loads(line)["reasons"] for line in lines}


def test_when_media_is_full_then_a_copy_a_crop_and_a_captioned_copy_are_excluded(world):
    _, excluded = _scan(world, "full")
    assert excluded == {name: ["registry:pikachu"] for name in ("captioned.png", "copy.png", "crop.png")}


def test_when_media_is_pdq_then_the_copies_are_excluded_and_the_crop_is_not(world):
    _, excluded = _scan(world, "pdq", media="pdq")
    assert excluded == {name: ["registry:pikachu"] for name in ("captioned.png", "copy.png")}


def test_when_media_tiers_differ_then_the_manifest_records_which(world):
    _scan(world, "full-again")
    _scan(world, "pdq-again", media="pdq")
    full = json.loads((world["root"] / "full-again" / "summary.json").read_text("utf-8"))
    pdq = json.loads((world["root"] / "pdq-again" / "summary.json").read_text("utf-8"))
    assert (full["settings"]["media"], pdq["settings"]["media"]) == ("full", "pdq")


def test_when_media_tier_is_unknown_then_the_options_refuse_it(world):
    with pytest.raises(InvalidInput, match="unknown media tiers 'fast'"):
        ScanOptions(world["data"], licensee="lab", media="fast")


def test_when_a_scan_reports_then_the_rate_excludes_building_the_guard(world):
    report, _ = _scan(world, "timed")
    assert report.setup_seconds > 0 and report.scan_seconds > 0
    assert report.seconds >= report.setup_seconds + report.scan_seconds
    assert report.samples_per_second == pytest.approx(report.samples_scanned / report.scan_seconds)
