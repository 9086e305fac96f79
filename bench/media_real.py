"""The media guard on natural content (issue 14): photographs and drawn or rendered art, with the
edits of real re-posts and generated videos, at several strengths; false matches on unrelated
pictures; the time each tier adds beside decode alone.

    make bench-media-data          # once: the Debian packages the pictures come from (root apt-get)
    .venv/bin/python bench/media_real.py                       # held-out half, ~3 min on 2 cores
    .venv/bin/python bench/media_real.py --half tune           # the half thresholds were chosen on
    .venv/bin/python bench/media_real.py --unrelated 10000     # the false-match guarantee
    .venv/bin/python bench/media_real.py --only none --no-video --unrelated 0 --unrelated-video 300
                                                               # ... and in video (slideshows, zooms)
    .venv/bin/python bench/media_real.py --only none --no-video --unrelated 0 --unrelated-small 10000
                                                               # ... and small outputs (24-128 px)
    .venv/bin/python bench/media_real.py --only none --no-video --unrelated 0 --unrelated-pasted 2000
                                                               # ... and pictures pasted over others
    .venv/bin/python bench/media_real.py --no-finer-band       # references without their finer band
    .venv/bin/python bench/media_real.py --query-side 512 600  # outputs' keypoints at up to 512 px

Data (installed by `make bench-media-data`, i.e. `apt-get install gnome-backgrounds ukui-wallpapers
plasma-workspace-wallpapers tuxpaint-stamps-default openclipart-png`; nothing is downloaded at run
time, and the tests never need these packages):

* photographs: the twelve photographic KDE Plasma wallpapers (lake, boats, leaf, cups, forest, moss,
  beach, sky, pier, ...), each cut into a 4 x 3 grid of tiles; a tile is one reference;
* drawn and rendered art: the other Plasma and the UKUI wallpapers (2 x 2 tiles) and Tux Paint's
  stamps (drawings and cut-out photographs, composited on white; GNOME's are repeating textures,
  left out);
* unrelated pictures: Openclipart's ~8,100 clip-art PNGs, the stamps and random windows (any place,
  20-60% of a side) of the wallpapers of the *other* half.

Some Tux Paint stamps are Openclipart drawings (clipart/food/fruit/lemon1.png is the stamp
food/fruit/lemon_slice): a "false match" between them is the same drawing found, and is listed by
name so it can be told apart.

Split: every source (a wallpaper file, a stamp folder) goes to the tune or the held-out half by
the SHA-256 of its name, so the same split comes out on every machine. scikit-image's sample
pictures are deliberately not used (kept for an independent check).

Each reference is cut to 4:3 or 1:1 (alternately), so "letterbox 4:3" and "1:1" are a picture of
that shape fitted whole into 16:9 with black bars. Edits (bench/_media_edits.py): crop 10/20/33% per
side, the picture at 80/50/30% of the width of a plain canvas (a screenshot, a mat), letterbox into
16:9, picture-in-picture at 40/25% of a 16:9 frame over another reference (the inset is what is
scored; `pip_bg` is the covered background, `v_pip_bg` in video), the picture filling a 16:9 or a
9:16 frame (cut at its centre, as a player or a phone app fills one); for video (H.264, 640x360, 6 s
at 12 fps, screened at 1 frame/s as the guard does): the still letterboxed, a zoom from 100% to 60%
and to 50% (Ken Burns, with a pan) and picture-in-picture at 40/25%. Queries are screened exactly as
the guard screens them (PDQ, then local features for the references PDQ did not find; vPDQ for
video), against a bank of every reference of the half. Crops are also scored over the outputs the
registry would take as a reference themselves (64 px a side, PDQ quality 50: `_registrable`, the gate
the references pass): a crop below it is a smooth sky or a stamp cut to a few dozen px, too little to
tell apart.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import hashlib
import io
import multiprocessing
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

import _media_edits as edits
from _common import die, machine_line

PLASMA = Path("/usr/share/wallpapers")
UKUI = Path("/usr/share/backgrounds")
STAMPS = Path("/usr/share/tuxpaint/stamps")
CLIPART = Path("/usr/share/openclipart/png")
DATA_HINT = (
    "install the pictures with `make bench-media-data` (as root: apt-get install gnome-backgrounds "
    "ukui-wallpapers plasma-workspace-wallpapers tuxpaint-stamps-default openclipart-png)"
)
PHOTOS = (
    "BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow", "FallenLeaf", "Grey", "Kite",
    "OneStandsOut", "Path", "Volna", "summer_1am",
)  # fmt: skip
"""The Plasma wallpapers that are photographs (the others are rendered art)."""
REF_SIDE = 640
"""References are stored at most this wide/high (a tile of a wallpaper, a stamp)."""
VIDEO_CANVAS = (640, 360)

IMAGE_EDITS = (
    "plain", "crop_10", "crop_20", "crop_33", "frame_80", "frame_50", "frame_30",
    "letterbox_4:3", "letterbox_1:1", "pip_40", "pip_25", "pip_bg_40", "fill_16:9", "fill_9:16",
)  # fmt: skip
VIDEO_EDITS = (
    "v_letterbox_4:3", "v_letterbox_1:1", "v_zoom_60", "v_zoom_50", "v_pip_40", "v_pip_25", "v_pip_bg_40",
)  # fmt: skip
TARGETS = {
    "crop_20": 0.95, "frame_50": 0.95, "letterbox_4:3": 0.95, "letterbox_1:1": 0.95, "pip_40": 0.95,
    "crop_33": 0.80, "frame_30": 0.80, "pip_25": 0.80,
    "v_letterbox_4:3": 0.95, "v_letterbox_1:1": 0.95, "v_zoom_60": 0.95, "v_zoom_50": 0.80,
    "v_pip_40": 0.95, "v_pip_25": 0.80,
}  # fmt: skip


# ----------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Source:
    """A file pictures are taken from, with the group that decides its half and its kind."""

    path: Path
    group: str
    kind: str  # "photo" | "art"
    tiles: tuple[int, int]  # grid cut into references (1, 1: the whole picture)


def _half(group: str) -> str:
    return "tune" if hashlib.sha256(group.encode()).digest()[0] % 2 == 0 else "heldout"


def _largest(folder: Path) -> Path | None:
    files = [p for p in folder.glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp")]
    return max(files, key=lambda p: p.stat().st_size) if files else None


def sources() -> list[Source]:
    """Every source picture the packages installed, or a clear stop naming the install command."""
    if not PLASMA.is_dir() or not STAMPS.is_dir() or not CLIPART.is_dir():
        die(f"the benchmark's pictures are missing: {DATA_HINT}")
    out: list[Source] = []
    for folder in sorted(PLASMA.iterdir()):
        image = _largest(folder / "contents" / "images")
        if image is None:
            continue
        photo = folder.name in PHOTOS
        out.append(
            Source(image, f"plasma/{folder.name}", "photo" if photo else "art", (4, 3) if photo else (2, 2))
        )
    for image in sorted(UKUI.glob("*.*")):
        if image.suffix.lower() in (".jpg", ".png"):
            out.append(Source(image, f"ukui/{image.stem}", "art", (2, 2)))
    # GNOME's wallpapers are left out: repeating textures (wood grain, pixel mosaics, grids) whose tiles
    # look alike and mostly fall under PDQ's quality floor; they measure texture, not pictures.
    for image in sorted(STAMPS.rglob("*.png")):
        if not image.name.endswith("_thumb.png"):
            # Grouped by their first two folders (symbols/alphabets, animals/birds): near-identical
            # stamps (one letter outlined in two alphabets) never straddle the two halves.
            group = "/".join(image.relative_to(STAMPS).parts[:2])
            out.append(Source(image, f"stamps/{group}", "art", (1, 1)))
    return out


def _rgb(path: Path) -> Image.Image:
    im = Image.open(path)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    return im.convert("RGB")


def _shrink(image: Image.Image, side: int) -> Image.Image:
    s = side / max(image.size)
    if s >= 1:
        return image
    return image.resize(
        (max(1, round(image.width * s)), max(1, round(image.height * s))), Image.Resampling.BOX
    )


@dataclass(frozen=True)
class Reference:
    id: str
    kind: str
    aspect: str  # "4:3" | "1:1"
    image: Image.Image


def references(half: str, per_kind: int) -> list[Reference]:
    """The half's references: wallpaper tiles and stamps, cut to 4:3 or 1:1, at most `per_kind` of
    photographs and of art (stamps sampled by the hash of their path)."""
    chosen: dict[str, list[tuple[str, Path, tuple[int, int], tuple[int, int]]]] = defaultdict(list)
    for src in sources():
        if _half(src.group) != half:
            continue
        gx, gy = src.tiles
        for ty in range(gy):
            for tx in range(gx):
                chosen[src.kind].append(
                    (f"{src.group}/{src.path.stem}/{tx}{ty}", src.path, (tx, ty), src.tiles)
                )
    out: list[Reference] = []
    for kind in ("photo", "art"):
        items = sorted(chosen[kind], key=lambda it: hashlib.sha256(it[0].encode()).hexdigest())
        # Wallpaper tiles first (few, large), then stamps, until per_kind usable references.
        items.sort(key=lambda it: "stamps/" in it[0])
        cache: dict[Path, Image.Image] = {}
        for ref_id, path, (tx, ty), (gx, gy) in items:
            if len([r for r in out if r.kind == kind]) >= per_kind:
                break
            if path not in cache:
                cache = {path: _shrink(_rgb(path), REF_SIDE * max(gx, gy))}
            full = cache[path]
            w, h = full.size
            tile = full.crop((tx * w // gx, ty * h // gy, (tx + 1) * w // gx, (ty + 1) * h // gy))
            aspect = "4:3" if len(out) % 2 == 0 else "1:1"
            tile = _shrink(edits.fit_aspect(tile, 4 / 3 if aspect == "4:3" else 1.0), REF_SIDE)
            if not _registrable(tile):
                continue  # the registry refuses it: too little structure to be matched
            out.append(Reference(ref_id, kind, aspect, tile))
    return out


def _registrable(image: Image.Image) -> bool:
    """Whether a picture has the structure a reference needs here (64 px a side, PDQ quality 50):
    the bench's references pass it, and a crop that fails it shows too little to be told apart from
    other pictures by anything but chance (a smooth wallpaper's sky, a stamp cut to 30 px)."""
    return min(image.size) >= 64 and _quality(image) >= 50


def _quality(image: Image.Image) -> int:
    from kyodaku.media.hashing import hash_frame

    return hash_frame(image.convert("L"), regions=False, dihedral=False)[0].quality


def unrelated(half: str, count: int, seed: int = 11) -> list[tuple[str, Image.Image]]:
    """`count` pictures unrelated to the half's references: clip art, stamps and random windows of
    the wallpapers of the other half (never a tile of a reference's own source)."""
    rng = np.random.default_rng(seed)
    other = [s for s in sources() if _half(s.group) != half]
    walls = [s for s in other if s.tiles != (1, 1)]
    stamps = [s for s in other if s.tiles == (1, 1)]
    clipart = sorted(CLIPART.rglob("*.png"))
    picks: list[tuple[str, Path, str]] = []
    n_walls = count * 3 // 10
    n_stamps = min(len(stamps), count * 2 // 10)
    for k in range(n_walls):
        picks.append((f"window/{k}", walls[k % len(walls)].path, "window"))
    for k in rng.permutation(len(stamps))[:n_stamps]:
        picks.append((f"stamp/{stamps[k].path.name}", stamps[k].path, "whole"))
    rest = count - len(picks)
    for k in rng.permutation(len(clipart))[:rest]:
        picks.append((f"clipart/{clipart[k].relative_to(CLIPART)}", clipart[k], "whole"))
    out: list[tuple[str, Image.Image]] = []
    cache: dict[Path, Image.Image] = {}
    for name, path, how in sorted(picks, key=lambda p: str(p[1])):
        if how == "whole":
            out.append((name, _shrink(_rgb(path), REF_SIDE)))
            continue
        if path not in cache:
            cache = {path: _shrink(_rgb(path), 1600)}
        full = cache[path]
        w, h = full.size
        cw, ch = round(w * rng.uniform(0.2, 0.6)), round(h * rng.uniform(0.2, 0.6))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        out.append((name, full.crop((x, y, x + cw, y + ch))))
    return out


def small_unrelated(half: str, count: int, seed: int = 13) -> list[tuple[str, Image.Image]]:
    """`count` small pictures unrelated to the half's references: `unrelated`'s pictures, each cut to
    a random window of 34-100 % of its width and height and shrunk to 24-128 px on its long side.
    The guard enlarges such a picture before looking for keypoints and asks fewer shortlist votes of
    it (`LocalOptions.enlarged_fine_min_votes`): this is where a chance match would show."""
    rng = np.random.default_rng(seed)
    out = []
    for name, im in unrelated(half, count, seed):
        w, h = im.size
        cw, ch = max(1, round(w * rng.uniform(0.34, 1.0))), max(1, round(h * rng.uniform(0.34, 1.0)))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        cut = im.crop((x, y, x + cw, y + ch))
        side = int(rng.integers(24, 129))
        s = side / max(cut.size)
        size = (max(1, round(cut.width * s)), max(1, round(cut.height * s)))
        out.append((f"small/{name}", cut.resize(size, Image.Resampling.BOX)))
    return out


def pasted_unrelated(half: str, count: int, seed: int = 5) -> list[tuple[str, Image.Image]]:
    """`count` unrelated pictures, each with the one before it pasted over a corner at 40 % of a
    16:9 frame (the bench's picture-in-picture edit): insets everywhere and nothing registered, where
    leaving insets out of verification (`LocalOptions.max_hidden`) or the look behind them would
    show a chance match."""
    rng = np.random.default_rng(seed)
    pics = unrelated(half, count)
    return [
        (f"pasted/{name}", edits.picture_in_picture(im, rng, 0.40, pics[n - 1][1]))
        for n, (name, im) in enumerate(pics)
    ]


# ----------------------------------------------------------------------------------------- screening


_STATE: dict = {}


def _jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def build_bank(refs: Sequence[Reference]):
    """Hash every reference as registration does and build the guard's bank."""
    from kyodaku.media.bank import BankReference, ReferenceBank, ReferenceHashes, with_finer_band
    from kyodaku.media.hashing import hash_media
    from kyodaku.options import GuardOptions

    guard = GuardOptions()
    reference_options = guard.hash_options(query=False)
    if _STATE.get("no_cuts"):
        reference_options = replace(reference_options, aspect_cuts=False)
    rows = []
    for ref in refs:
        data = _png_bytes(ref.image)
        media = hash_media(data, reference_options, name=ref.id)
        if not _STATE.get("no_finer"):
            media = with_finer_band(media, data, guard.max_pixels)
        reference = BankReference(ref.id, ref.id, media.sha256, media.media_type, ref.id)
        rows.append(ReferenceHashes.from_media(reference, media))
    match = guard.match_options()
    if _STATE.get("no_untrimmed"):
        match = replace(match, local_untrimmed=False)
    if _STATE.get("query_border") is not None:
        match = replace(match, local_untrimmed_border=_STATE["query_border"])
    if _STATE.get("single_frame") is not None:
        match = replace(match, single_frame_distance=_STATE["single_frame"])
    return ReferenceBank.build(rows, match)


def screen(data: bytes, name: str) -> tuple[set[str], str]:
    """The references the guard finds in `data` (image or video), as its matchers do in order."""
    from kyodaku.domain.errors import KyodakuError
    from kyodaku.matching.media import screen_media_hashes
    from kyodaku.media.hashing import hash_media

    bank = _STATE["bank"]
    try:
        hashed = hash_media(data, _STATE["query_options"], name=name)
    except KyodakuError as exc:
        return set(), f"refused: {exc}"
    return screen_media_hashes(bank, hashed), ""


def _init(bank, query_options) -> None:
    _STATE["bank"] = bank
    _STATE["query_options"] = query_options


@dataclass(frozen=True)
class Job:
    edit: str
    ref: str
    kind: str
    data: bytes
    name: str
    also: str = ""
    """Another reference the output shows legitimately (the background of a picture in picture)."""
    registrable: bool | None = None
    """For a crop: whether the crop itself has the structure a reference needs (`_registrable`)."""


def _run(job: Job) -> tuple[str, str, str, bool, int, str, bool | None]:
    found, _note = screen(job.data, job.name)
    wrong = len(found - {job.ref, job.also}) if job.ref else len(found)
    hit = job.ref in found if job.ref else bool(found)
    what = f"{job.name} -> {sorted(found)}" if not job.ref else ""
    return job.edit, job.ref, job.kind, hit, wrong, what, job.registrable


def image_jobs(refs: Sequence[Reference], seed: int) -> list[Job]:
    jobs = []
    for n, ref in enumerate(refs):
        rng = np.random.default_rng([seed, n])
        other = refs[(n * 7 + 3) % len(refs)] if len(refs) > 1 else ref
        pic = ref.image
        crops = {
            f"crop_{p}": edits.crop_side(pic, rng, side) for p, side in ((10, 0.10), (20, 0.20), (33, 1 / 3))
        }
        made = {
            "plain": _jpeg_bytes(pic),
            **{edit: _jpeg_bytes(crop) for edit, crop in crops.items()},
            "frame_80": _jpeg_bytes(edits.frame_in_canvas(pic, rng, 0.80)),
            "frame_50": _jpeg_bytes(edits.frame_in_canvas(pic, rng, 0.50)),
            "frame_30": _jpeg_bytes(edits.frame_in_canvas(pic, rng, 0.30)),
            f"letterbox_{ref.aspect}": _jpeg_bytes(edits.letterbox(pic, rng)),
        }
        pip40 = edits.picture_in_picture(pic, rng, 0.40, other.image)
        made["pip_40"] = _jpeg_bytes(pip40)
        made["pip_25"] = _jpeg_bytes(edits.picture_in_picture(pic, rng, 0.25, other.image))
        # Filling a frame of another shape, cut at the centre (a 16:9 post, a 9:16 phone wallpaper).
        made["fill_16:9"] = _jpeg_bytes(edits.fit_aspect(pic, 16 / 9).resize((1280, 720)))
        made["fill_9:16"] = _jpeg_bytes(edits.fit_aspect(pic, 9 / 16).resize((720, 1280)))
        for edit, data in made.items():
            also = other.id if edit.startswith("pip") else ""
            registrable = _registrable(crops[edit]) if edit in crops else None
            jobs.append(Job(edit, ref.id, ref.kind, data, f"{ref.id}:{edit}.jpg", also, registrable))
        if other is not ref:
            jobs.append(
                Job("pip_bg_40", other.id, other.kind, made["pip_40"], f"{ref.id}:pip_bg.jpg", ref.id)
            )
    return jobs


def video_jobs(refs: Sequence[Reference], seed: int, folder: Path) -> list[Job]:
    jobs = []
    fps, seconds = 12, 6.0
    for n, ref in enumerate(refs):
        rng = np.random.default_rng([seed, 1, n])
        other = refs[(n * 7 + 3) % len(refs)]
        still = ref.image
        boxed = edits._boxed(still, VIDEO_CANVAS)
        clips = {
            f"v_letterbox_{ref.aspect}": [boxed] * int(fps * seconds),
            "v_zoom_60": list(edits.ken_burns_frames(still, rng, seconds, fps, 0.6, VIDEO_CANVAS)),
            "v_zoom_50": list(edits.ken_burns_frames(still, rng, seconds, fps, 0.5, VIDEO_CANVAS)),
        }
        for share in (40, 25):
            frame = edits.picture_in_picture(still, rng, share / 100, other.image).resize(VIDEO_CANVAS)
            clips[f"v_pip_{share}"] = [frame] * int(fps * seconds)
        for edit, frames in clips.items():
            path = folder / f"{n}-{edit.replace(':', '_')}.mp4"
            edits.still_clip(frames, path, fps)
            also = other.id if "pip" in edit else ""
            jobs.append(Job(edit, ref.id, ref.kind, path.read_bytes(), path.name, also))
            if edit == "v_pip_40" and other is not ref:
                jobs.append(Job("v_pip_bg_40", other.id, other.kind, jobs[-1].data, path.name, ref.id))
    return jobs


def unrelated_video_jobs(half: str, count: int, folder: Path, seed: int = 12) -> list[Job]:
    """`count` H.264 clips (640x360, 6 s at 12 fps) of pictures unrelated to the half's references, in
    turn: a slideshow of six pictures a second each, filling the frame (cut to 16:9, as the references'
    centre cuts are: the worst case for them, and six different frames where a single frame may decide),
    a Ken Burns zoom to 60 % over one, and one letterboxed."""
    pictures = [im for _name, im in unrelated(half, count * 6, seed)]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pictures))
    fps, seconds = 12, 6
    jobs = []
    for n in range(count):
        picks = [pictures[int(k)] for k in order[n * 6 : n * 6 + 6]]
        kind = ("slideshow", "zoom", "letterbox")[n % 3]
        if kind == "slideshow":
            frames = [
                edits.fit_aspect(p.convert("RGB"), 16 / 9).resize(VIDEO_CANVAS)
                for p in picks
                for _ in range(fps)
            ]
        elif kind == "zoom":
            frames = list(edits.ken_burns_frames(picks[0], rng, seconds, fps, 0.6, VIDEO_CANVAS))
        else:
            frames = [edits._boxed(picks[0], VIDEO_CANVAS)] * (fps * seconds)
        path = folder / f"unrelated-{n}-{kind}.mp4"
        edits.still_clip(frames, path, fps)
        jobs.append(Job("unrelated video", "", "photo", path.read_bytes(), path.name))
    return jobs


# ----------------------------------------------------------------------------------------- timing


def tier_times(
    refs: Sequence[Reference], bank, count: int, coarse_bank=None, fmt: str = "jpeg"
) -> list[tuple[str, float, float]]:
    """Per-image time of decode alone and of each tier, hashing and matching, on 1280x720 outputs
    (half of them letterboxed), steps interleaved image by image (noise hits them alike); one core.
    "As before" is this code with the issue-14 additions switched off, measured in the same run.

    `fmt` "jpeg" (q88: a re-post) or "png" (what image generators write). A JPEG is decoded in draft
    mode, by the DCT at a fraction of its size, which no other format has: its floor is the cheapest
    decode there is, and a PNG's is the full decode the guard pays for it as well."""
    from dataclasses import replace

    from kyodaku.matching.media import screen_media_hashes
    from kyodaku.media.hashing import DRAFT_SIDE, hash_media
    from kyodaku.options import GuardOptions

    guard = GuardOptions()
    full = guard.hash_options(query=True)
    pdq_only = replace(full, local_features=False, video_local_features=False)
    before = replace(pdq_only, trim_borders=False, local_thumb_side=64)
    before_full = replace(full, trim_borders=False, local_thumb_side=64)
    wide = replace(full, local_side=512, local_max_features=600)
    no_insets = replace(full, keep_picture=False, video_local_insets=False)  # GuardOptions.local_insets=False
    # ORB's 31 px border on outputs, as before GuardOptions.query_keypoint_border (the bank's second
    # look at a whole picture, when it fires, keeps the bank's border).
    wide_border = replace(full, local_border=0)
    rng = np.random.default_rng(5)
    data = []
    for n in range(count):
        # Half the outputs plain 1280x720 pictures, half a picture letterboxed into 1280x720.
        ref = refs[n % len(refs)]
        pic = edits.crop_side(ref.image, rng, 0.02)
        pic = edits.letterbox(pic, rng) if n % 2 else pic.resize((1280, 720), Image.Resampling.BILINEAR)
        data.append(_jpeg_bytes(pic, 88) if fmt == "jpeg" else _png_bytes(pic))

    def decode(d: bytes) -> None:
        im = Image.open(io.BytesIO(d))
        im.draft("L", (DRAFT_SIDE, DRAFT_SIDE))
        im.load()

    steps = {
        "decode alone (floor)": decode,
        "PDQ, no trim (as before issue 14)": lambda d: screen_media_hashes(
            bank, hash_media(d, before), False
        ),
        "PDQ with borders trimmed": lambda d: screen_media_hashes(bank, hash_media(d, pdq_only), False),
        "every tier, no trim (as before)": lambda d: screen_media_hashes(bank, hash_media(d, before_full)),
        "every tier, no inset look (before)": lambda d: screen_media_hashes(bank, hash_media(d, no_insets)),
        "every tier (trim + local features)": lambda d: screen_media_hashes(bank, hash_media(d, full)),
        "every tier, outputs at 512 px (option)": lambda d: screen_media_hashes(bank, hash_media(d, wide)),
        "every tier, 31 px border on outputs": lambda d: screen_media_hashes(
            bank, hash_media(d, wide_border)
        ),
    }
    if coarse_bank is not None:
        # The same, against references registered without their finer band: what the band costs a query.
        steps["every tier, coarse band only"] = lambda d: screen_media_hashes(
            coarse_bank, hash_media(d, full)
        )
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(2):
        for d in data:
            for name, fn in steps.items():
                t0 = time.perf_counter()
                fn(d)
                times[name].append(time.perf_counter() - t0)
    floor = float(np.median(times["decode alone (floor)"]))
    return [(name, float(np.median(v)) * 1000, floor / float(np.median(v))) for name, v in times.items()]


def video_speed(seconds: int = 20) -> tuple[float, float]:
    """Seconds of 720p H.264 video screened per second of wall time at 1 sampled frame/s (hash and
    every tier), and decode alone, against an empty-ish bank (the bank's own size is not the cost)."""
    import av

    from kyodaku.matching.media import screen_media_hashes
    from kyodaku.media.hashing import hash_media
    from kyodaku.options import GuardOptions

    rng = np.random.default_rng(3)
    refs = _STATE["refs"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.mp4"
        frames = edits.ken_burns_frames(refs[0].image, rng, seconds, 24, 0.6, (1280, 720))
        edits.still_clip(frames, path, 24)
        t0 = time.perf_counter()
        with av.open(str(path)) as c:
            for _ in c.decode(video=0):
                pass
        decode = time.perf_counter() - t0
        t0 = time.perf_counter()
        screen_media_hashes(_STATE["bank"], hash_media(path, GuardOptions().hash_options(query=True)))
        full = time.perf_counter() - t0
    return seconds / full, seconds / decode


# ----------------------------------------------------------------------------------------- report


def _pool(jobs: Sequence[Job], workers: int) -> list[tuple[str, str, str, bool, int, str]]:
    if workers <= 1:
        return [_run(j) for j in jobs]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, _init, (_STATE["bank"], _STATE["query_options"])) as pool:
        return pool.map(_run, jobs, chunksize=8)


def report(results, edits_order: Sequence[str], title: str) -> dict[str, float]:
    by: dict[tuple[str, str], list[bool]] = defaultdict(list)
    registrable: dict[str, list[bool]] = defaultdict(list)
    wrong = 0
    for edit, _ref, kind, hit, w, _what, *rest in results:
        by[(edit, kind)].append(hit)
        by[(edit, "all")].append(hit)
        if rest and rest[0]:
            registrable[edit].append(hit)
        wrong += w
    print(f"{title}")
    print(f"  {'edit':<18}{'photographs':>20}{'art':>20}{'all':>20}   target")
    recall = {}
    for edit in edits_order:
        cells = []
        for kind in ("photo", "art", "all"):
            hits = by.get((edit, kind), [])
            cells.append(f"{100 * sum(hits) / len(hits):6.1f}% ({sum(hits)}/{len(hits)})" if hits else "n/a")
        hits = by.get((edit, "all"), [])
        recall[edit] = sum(hits) / len(hits) if hits else float("nan")
        target = TARGETS.get(edit)
        mark = "" if target is None else f"{target:.0%} " + ("ok" if recall[edit] >= target else "MISS")
        print(f"  {edit:<18}{cells[0]:>20}{cells[1]:>20}{cells[2]:>20}   {mark}")
    print(f"  other references found besides the one edited (wrong extra findings): {wrong}")
    if registrable:
        print("  crops whose output the registry would take as a reference (64 px a side, PDQ quality 50):")
        for edit in edits_order:
            if edit in registrable:
                hits, kept, n = sum(registrable[edit]), len(registrable[edit]), len(by[(edit, "all")])
                print(f"    {edit:<16}{100 * hits / kept:6.1f}% ({hits}/{kept}; {kept} of {n} outputs)")
    return recall


def _unrelated_jobs(pictures: Sequence[tuple[str, Image.Image]]) -> list[Job]:
    """Unrelated pictures as JPEG jobs; a window of a wallpaper counts as a photograph."""

    def kind(name: str) -> str:
        return "photo" if name.removeprefix("small/").startswith("window/") else "art"

    return [Job("unrelated", "", kind(n), _jpeg_bytes(im), n) for n, im in pictures]


def _false_matches(results: Sequence[tuple], what: str, where: str = "") -> None:
    """Print how many of `results` (screened unrelated items) matched anything, and name each one."""
    false = [r for r in results if r[3]]
    print(f"FALSE MATCHES{where}: {len(false)} of {len(results)} {what}")
    for r in false:
        print(f"  false match: {r[5]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--half", choices=("tune", "heldout"), default="heldout")
    parser.add_argument("--refs", type=int, default=60, help="references per kind (photographs, art)")
    parser.add_argument("--video-refs", type=int, default=16, help="references per kind screened in video")
    parser.add_argument("--unrelated", type=int, default=2000)
    parser.add_argument(
        "--unrelated-video", type=int, default=0, help="clips of unrelated pictures screened (false matches)"
    )
    parser.add_argument(
        "--unrelated-small",
        type=int,
        default=0,
        help="small unrelated pictures (24-128 px, enlarged before keypoints) screened (false matches)",
    )
    parser.add_argument(
        "--unrelated-pasted",
        type=int,
        default=0,
        help="unrelated pictures with another pasted over them at 40 %% screened (false matches)",
    )
    parser.add_argument(
        "--no-aspect-cuts",
        action="store_true",
        help="references without their centre cuts to frame shapes (HashOptions.aspect_cuts=False), "
        "for before/after in one session",
    )
    parser.add_argument(
        "--single-frame-distance",
        type=int,
        default=None,
        help="MatchOptions.single_frame_distance (0: a video needs two matched frames, as before)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--timing", type=int, default=60, help="images timed per step (0: skip)")
    parser.add_argument("--no-video", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated edits to run (default: all)")
    parser.add_argument(
        "--query-side",
        type=int,
        nargs=2,
        metavar=("PX", "KEYPOINTS"),
        help="analyse outputs' keypoints at up to PX px with KEYPOINTS keypoints (default 256 300)",
    )
    parser.add_argument(
        "--no-finer-band",
        action="store_true",
        help="references without their finer keypoint band (media/local/features.py extract_finer): "
        "the bank as registered before it, for before/after in one session",
    )
    parser.add_argument(
        "--before",
        action="store_true",
        help="issue 14's additions off: no border trim, no local features on video frames, 64 px query "
        "thumbnails, the local tier's old zoom range 0.75-1.35x (its overlap-only pixel grid stays)",
    )
    parser.add_argument(
        "--no-insets",
        action="store_true",
        help="no second look inside the rectangles an output shows (GuardOptions.local_insets=False, "
        "media/local/insets.py): the guard as before it, for before/after in one session",
    )
    parser.add_argument(
        "--no-untrimmed",
        action="store_true",
        help="no second look at the whole picture when a drifting border trim found nothing "
        "(MatchOptions.local_untrimmed=False): the guard as before it, for before/after in one session",
    )
    parser.add_argument(
        "--query-border",
        type=int,
        metavar="PX",
        help="ORB's border on outputs (GuardOptions.query_keypoint_border, default 8; 0: the references' "
        "31 px, the guard as before it), for before/after in one session",
    )
    parser.add_argument(
        "--no-two-nearest",
        action="store_true",
        help="verification from ratio-tested pairs only (LocalOptions.ratio_free_retry=False): the guard "
        "as before it, for before/after in one session",
    )
    args = parser.parse_args(argv)

    from kyodaku.options import GuardOptions

    print(machine_line())
    t0 = time.perf_counter()
    query_options = GuardOptions().hash_options(query=True)
    if args.before:
        import kyodaku.media.local.index as local_index

        local_index.DEFAULT_OPTIONS = replace(local_index.DEFAULT_OPTIONS, min_scale=0.75, max_scale=1.35)
        query_options = replace(
            query_options, trim_borders=False, video_local_features=False, local_thumb_side=64
        )
        print("--before: issue 14's additions switched off (see --help)")
    if args.query_side:
        side, features = args.query_side
        query_options = replace(query_options, local_side=side, local_max_features=features)
        print(f"outputs: {features} keypoints at up to {side} px (HashOptions.local_side/local_max_features)")
    if args.query_border is not None or args.before:
        border = 0 if args.before else args.query_border
        query_options = replace(query_options, local_border=border)
        _STATE["query_border"] = border
        print(f"outputs: ORB's border {border or 31} px (GuardOptions.query_keypoint_border)")
    _STATE["no_finer"] = args.no_finer_band or args.before
    _STATE["no_cuts"] = args.no_aspect_cuts or args.before
    _STATE["single_frame"] = 0 if args.before else args.single_frame_distance
    _STATE["no_untrimmed"] = args.no_untrimmed or args.before
    _STATE["no_insets"] = args.no_insets or args.before
    if _STATE["no_insets"]:
        query_options = replace(
            query_options, keep_picture=False, video_local_insets=False, inset_hashes=False
        )
    refs = references(args.half, args.refs)
    counts = {k: sum(r.kind == k for r in refs) for k in ("photo", "art")}
    bank = build_bank(refs)
    if (args.no_two_nearest or args.before) and bank.local is not None:
        bank.local.options = replace(bank.local.options, ratio_free_retry=False)
        print("verification from ratio-tested pairs only (--no-two-nearest)")
    _STATE.update(bank=bank, refs=refs, query_options=query_options)
    print(
        f"half {args.half}: {counts['photo']} photographs, {counts['art']} art references "
        f"(bank built in {time.perf_counter() - t0:.1f} s)"
    )
    only = set(filter(None, args.only.split(",")))
    jobs = [j for j in image_jobs(refs, args.seed) if not only or j.edit in only]
    report(_pool(jobs, args.workers), [e for e in IMAGE_EDITS if not only or e in only], "IMAGES (JPEG q90)")
    if not args.no_video:
        vrefs = [r for r in refs if r.kind == "photo"][: args.video_refs]
        vrefs += [r for r in refs if r.kind == "art"][: args.video_refs]
        with tempfile.TemporaryDirectory() as tmp:
            vjobs = [j for j in video_jobs(vrefs, args.seed, Path(tmp)) if not only or j.edit in only]
            report(
                _pool(vjobs, args.workers), [e for e in VIDEO_EDITS if not only or e in only], "VIDEO (H.264)"
            )
    if args.unrelated:
        results = _pool(_unrelated_jobs(unrelated(args.half, args.unrelated)), args.workers)
        photos = sum(r[2] == "photo" for r in results)
        _false_matches(results, f"unrelated pictures ({photos} photo windows, the rest clip art and stamps)")
    if args.unrelated_small:
        results = _pool(_unrelated_jobs(small_unrelated(args.half, args.unrelated_small)), args.workers)
        _false_matches(
            results, "small unrelated pictures (24-128 px long: windows, clip art and stamps cut and shrunk)"
        )
    if args.unrelated_pasted:
        results = _pool(_unrelated_jobs(pasted_unrelated(args.half, args.unrelated_pasted)), args.workers)
        _false_matches(results, "unrelated pictures with another pasted over them at 40 %")
    if args.unrelated_video:
        with tempfile.TemporaryDirectory() as tmp:
            results = _pool(unrelated_video_jobs(args.half, args.unrelated_video, Path(tmp)), args.workers)
        _false_matches(
            results,
            "clips of unrelated pictures (slideshows of six filling the frame, zooms, letterboxed stills)",
            " IN VIDEO",
        )
    if args.timing:
        print(f"TIME per image, 1280x720 JPEG outputs, one process, median of {2 * args.timing}:")
        coarse_bank = None
        if not _STATE["no_finer"]:
            _STATE["no_finer"] = True
            coarse_bank = build_bank(refs)
            _STATE["no_finer"] = False
        for name, ms, ratio in tier_times(refs, bank, args.timing, coarse_bank):
            print(f"  {name:<40}{ms:8.2f} ms   {100 * ratio:5.0f}% of decode-alone throughput")
        print(f"TIME per image, the same outputs as PNG (as generators write), median of {2 * args.timing}:")
        for name, ms, ratio in tier_times(refs, bank, args.timing, coarse_bank, fmt="png"):
            print(f"  {name:<40}{ms:8.2f} ms   {100 * ratio:5.0f}% of decode-alone throughput")
        rate, decode = video_speed()
        print(
            f"  video 1280x720 H.264, 1 frame/s, every tier: {rate:.1f}x real time "
            f"(decode alone {decode:.1f}x)"
        )
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
