"""PDQ hashes of images and of sampled video frames, from untrusted bytes.

Why these choices:

* **A canonical 64x64 luma rendition.** PDQ itself reduces every image to 64x64
  luma with box (Jarosz) filters before its DCT, so we do that reduction with
  Pillow's area-averaging BOX resize and hand PDQ the 64x64 image. Hashes stay
  within a few bits of PDQ on the full image (median 6 of 256 on noisy 1024px
  JPEGs), and hashing costs ~0.1 ms instead of ~20 ms at 1024x768, so decoding
  is the cost that remains. JPEGs are decoded in draft mode (DCT scaling) at no
  less than 256 px, which is far above the 64 px the hash needs.
* **Quality.** PDQ's quality (0..100) measures gradient energy; its authors
  advise not to trust hashes under 50 (flat or near-blank frames all hash
  alike). Frames keep their quality and matchers skip the weak ones.
* **Regions.** PDQ does not survive a caption bar over the bottom of an image.
  Besides the full frame we hash the top and the bottom 85% of images; a bar
  over up to 15% of the height leaves one of the two windows untouched, and a
  query window is compared with the same window of the references.
* **Dihedral variants** (mirror, 90/180/270 rotations) of a query come from one
  DCT (pdqhash's coefficients, transformed in numpy by media/pdq.py), so
  mirrored and rotated copies match at little extra hashing cost, while
  references are stored once.
* **Bad input.** Size is checked from the header before any pixel is decoded
  (decompression bombs), decoding errors name the file and the reason, and
  video is capped in frames as well as in pixels.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kyodaku.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from kyodaku.media.borders import drifts, find_borders
from kyodaku.media.pdq import pdq_hashes

HASHER = "pdq-box64-v2"
"""Version of the hashing scheme; stored with every hash so a scheme change re-hashes, never mixes."""

LOCAL_KIND = "orb-v2"
"""Registry descriptor kind of a reference image's local features (media/local's format 1, or 2 with the
finer keypoint band; both are read)."""

REFERENCE_DEDUP = 8
"""Reference clips drop a sampled frame within this many bits of the last one kept (still shots)."""

CANON = 64
DRAFT_SIDE = 256
REGION_SHARE = 0.85
# PDQ's dihedral order (pdqhash.compute_dihedral): original, rotations, mirrors.
DIHEDRAL = ("original", "rotate90", "rotate180", "rotate270", "flip", "mirror", "transpose", "transverse")

# Pillow's own bomb check would stop a configured limit above its 89 M pixels and answers with its
# own wording; every picture kyodaku decodes goes through `_check_pixels` (the configured limit,
# the file named, before any pixel is decoded) instead. Process-wide, so a program embedding
# kyodaku that opens untrusted images itself should check their size as well.
Image.MAX_IMAGE_PIXELS = None


@dataclass(frozen=True)
class HashOptions:
    """Limits and sampling for hashing untrusted media."""

    max_pixels: int = 64_000_000
    video_fps: float = 1.0
    # Skip a sampled video frame whose hash is within this distance of the last one kept (0: keep
    # all). References are sampled densely (a copy may start anywhere between two samples) and
    # de-duplicated, as vPDQ does, so still shots cost one row, not one per sample.
    dedup_distance: int = 0
    max_frames: int = 7_200
    regions: bool = True
    dihedral: bool = False
    # ORB keypoints of images too (media/local.py): what matches crops, which PDQ cannot follow.
    local_features: bool = False
    # Cut plain borders (letterbox bars, frames, page backgrounds) and hash the inside too
    # (media/borders.py): both hashes are kept, so a picture with a plain border of its own loses nothing.
    # On for outputs and for references (GuardOptions.hash_options): a reference with borders of its own
    # also stores its inside's hash.
    trim_borders: bool = False
    # With trim_borders, an image's ORB keypoints come from inside its borders (outputs: a picture at
    # 30% of a screenshot is analysed at the resolution it has), or from the whole picture
    # (references: their keypoints and finer band describe the file as registered).
    local_inside_borders: bool = True
    # ORB keypoints of every sampled frame of a video output too (zoom and pan over a still, a picture
    # in picture): ~5 ms a sampled frame at video_local_side 640 (~1.5 ms at 256), so only for outputs,
    # never for densely sampled references.
    video_local_features: bool = False
    # With video_local_features, the rectangles a sampled frame shows inside itself (pictures in
    # pictures, media/local/insets.py) are decoded again at up to 640 px and analysed as extra entries
    # of that frame (GuardOptions.local_insets).
    video_local_insets: bool = False
    # With video_local_features, the long side (px) a sampled frame's keypoints are found at: the
    # frame is decoded again at up to this size (never enlarged) and the keypoints are placed back in
    # its `local_side` rendition, so scales, the pixel check and insets read as before. Why: a Ken Burns
    # zoom shows a crop of a still enlarged up to 2x, and at 256 px the frames of a smooth photograph
    # keep a handful of corners after H.264 (tune half of bench/media_real.py, zoom to 60%: 59 % found
    # at 256 px, 84 % at 640). 0 or <= local_side: frames analysed at local_side.
    video_local_side: int = 640
    # Long side of the grey thumbnail kept with local features: 64 px for stored references, the
    # whole 256 px scaled picture for outputs (media/local/features.py QUERY_THUMB_SIDE).
    local_thumb_side: int = 64
    # ORB on outputs: the long side analysed and the keypoints kept (references: 256 and 300, from
    # LocalOptions). A picture shown at 40% of a frame keeps ~100 px and a few dozen keypoints at 256.
    local_side: int = 256
    local_max_features: int = 300
    # ORB's pyramid on outputs (LocalOptions.levels/scale_factor): the guard keeps the references'
    # 8 x 1.2; the training-data scanner's full tier uses 4 x 1.5, the same span in coarser steps.
    local_levels: int = 8
    local_scale_factor: float = 1.2
    # ORB's border on outputs (LocalOptions.border): 0 keeps the patch size, 31 px, as references do;
    # the guard adds an output's corners up to 8 px from its edge, where a crop's cut is, when the
    # inside has few.
    local_border: int = 0
    # Keep an image's decoded picture (colour, ~256 px) on the result, for a learned encoder: the
    # same decoding then gives hashes, keypoints and the embedding (an image is decoded once).
    keep_picture: bool = False
    # Decode (JPEG: DCT-scale; other formats: box-reduce) to at least DRAFT_SIDE on the *long* side
    # instead of the short one. Enough for 64 px PDQ and for ORB at 256 px on the long side, and a
    # 4:3 picture of 1280 px then decodes at 320 x 240 instead of 640 x 480: ~0.45 ms less an image
    # in every step after the decode. The training-data scanner asks for it (GuardOptions
    # .query_draft_long_side); the guard keeps the short side, for its 512-px query option and for
    # pictures inside frames, which the extra pixels serve (docs/benchmarks.md 8e).
    draft_long_side: bool = False
    # Also hash the picture's centre cut to each shape in ASPECT_CUTS that cuts it deeply enough
    # (`hash_aspect_cuts`): how a still is shown filling a frame of another shape (a 4:3 photograph in a
    # 16:9 video, the first frames of a Ken Burns zoom, a landscape picture reframed for a 9:16
    # phone). For references only: an output shows a cut of a reference, not the other way round.
    aspect_cuts: bool = False
    # With local_features, also hash each rectangle an image shows inside itself (`_inset_hashes`):
    # a picture in picture of flat drawn art gives its keypoints too few corners to verify, and its
    # PDQ hash, once the box is snapped to its edges, is as close to the reference's as a copy's.
    # For outputs only (GuardOptions.local_insets), as the inset look of the keypoint tier.
    inset_hashes: bool = False


@dataclass(frozen=True)
class FrameHash:
    """One PDQ hash: of an image (frame 0) or of a sampled video frame, whole or a region of it."""

    hash: bytes
    quality: int
    frame: int = 0
    t: float = 0.0
    region: str = "full"
    variant: str = "original"
    trim: tuple[int, int, int, int] | None = None
    """When set, this hash is of the picture inside its plain borders (media/borders.py): the box
    (left, top, right, bottom) in the decoded picture's pixels. The untrimmed hash is kept as well."""
    inset: tuple[int, int, int, int] | None = None
    """When set (region INSET), this hash is of a rectangle the output shows inside itself (a picture
    in picture, a panel: `_inset_hashes`): the box in the output's own pixels."""

    @property
    def hex(self) -> str:
        return self.hash.hex()


@dataclass(frozen=True)
class MediaHashes:
    """Everything the matchers need of one image or video, and what identifies it."""

    media_type: str
    sha256: str
    size: int
    width: int
    height: int
    duration: float | None
    frames: tuple[FrameHash, ...]
    format: str
    name: str | None = None
    fps_sampled: float | None = None
    notes: tuple[str, ...] = field(default=())
    local: Any = field(default=None, compare=False)
    """media.local.LocalFeatures of an image, when asked for (HashOptions.local_features)."""
    frame_local: tuple = field(default=(), compare=False, repr=False)
    """Of a video output (HashOptions.video_local_features): (frame, t, LocalFeatures) per sampled
    frame, inside its borders, for the local-feature tier on the frames PDQ does not settle."""
    embedding: Any = field(default=None, compare=False)
    """The configured learned encoder's vector of an image (media/learned.py), when there is one."""
    picture: Any = field(default=None, compare=False, repr=False)
    """The decoded picture, only with HashOptions.keep_picture (dropped once it is embedded)."""
    full_resolution: Any = field(default=None, compare=False, repr=False)
    """How to decode an image again at its full resolution (`FullResolution`), kept beside `picture`
    (HashOptions.keep_picture): the bank cuts insets with few keypoints again from it. Never for video."""
    trim: Any = field(default=None, compare=False)
    """media.borders.Trim of an image (or of a video's first trimmed frame), when borders were cut."""
    insets: Any = field(default=None, compare=False, repr=False)
    """The rectangles an image output shows inside itself (media/local/insets.py `found_boxes`, px of
    its keypoints' thumbnail), when they were looked for at hashing (HashOptions.inset_hashes): the
    keypoint tier's inset look reuses them. None: not looked for."""

    @property
    def frame_count(self) -> int:
        return len({f.frame for f in self.frames})

    def codes(self) -> np.ndarray:
        """All hashes as an (n, 32) uint8 array, in `frames` order."""
        if not self.frames:
            return np.zeros((0, 32), np.uint8)
        return np.frombuffer(b"".join(f.hash for f in self.frames), np.uint8).reshape(-1, 32)


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digested:
    """Bytes whose SHA-256 the caller already took (a scanner that hashed each file as it read it,
    for its audit manifest): hashing them again would cost as much as PDQ on a large JPEG.
    `sha256` must be the hex digest of `data`; the caller vouches for it."""

    data: bytes
    sha256: str


@dataclass(frozen=True)
class _Source:
    data: bytes | None
    path: Path | None
    name: str
    known: str | None = None  # the SHA-256 of `data`, when the caller gave it (Digested)

    def stream(self):
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")  # type: ignore[arg-type]

    def digest(self) -> tuple[str, int]:
        if self.known is not None and self.data is not None:
            return self.known, len(self.data)
        h = hashlib.sha256()
        size = 0
        with self.stream() as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
        return h.hexdigest(), size


def _source(source: str | Path | bytes | Digested, name: str | None) -> _Source:
    if isinstance(source, Digested):
        return _Source(source.data, None, name or "<upload>", source.sha256)
    if isinstance(source, bytes | bytearray | memoryview):
        return _Source(bytes(source), None, name or "<upload>")
    path = Path(source)
    label = name or str(path)
    if not path.exists():
        raise InvalidInput(f"{label}: no such file", file=label)
    if not path.is_file():
        raise InvalidInput(f"{label}: not a regular file", file=label)
    return _Source(None, path, label)


def _open_image(src: _Source) -> Image.Image | None:
    """The image, header read and checked; None when the bytes are not an image Pillow knows."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(src.stream())
    except UnidentifiedImageError:
        return None
    except (OSError, ValueError, SyntaxError) as exc:
        raise InvalidInput(f"{src.name}: corrupt image header ({exc})", file=src.name) from None


def _check_pixels(name: str, width: int, height: int, options: HashOptions) -> None:
    if width <= 0 or height <= 0:
        raise InvalidInput(f"{name}: image has no pixels ({width}x{height})", file=name)
    if width * height > options.max_pixels:
        raise PayloadTooLarge(
            f"{name}: claims {width}x{height} pixels, more than the limit of {options.max_pixels:,} "
            "(a decompression bomb or an oversized image); refused before decoding",
            file=name,
            limit=options.max_pixels,
        )


def decode_image(
    source: str | Path | bytes,
    options: HashOptions | None = None,
    name: str | None = None,
    grey: bool = False,
):
    """Decode an image safely into a Pillow image (JPEGs draft-decoded at >= 256 px, alpha on white):
    RGB for learned encoders, or luma only (`grey`) for hashing.

    Returns (image, format, original width, original height). Raises InvalidInput naming the file.
    """
    options = options or HashOptions()
    src = _source(source, name)
    im = _open_image(src)
    if im is None:
        raise UnsupportedMedia(f"{src.name}: not an image kyodaku can read", file=src.name)
    return _load(src, im, options, grey)


def _draft_box(width: int, height: int, long_side: bool) -> tuple[int, int]:
    """The size Pillow's `draft` must at least keep: DRAFT_SIDE on both sides, or (`long_side`) the
    picture's own shape with DRAFT_SIDE on its long side."""
    if not long_side:
        return DRAFT_SIDE, DRAFT_SIDE
    longest = max(width, height, 1)
    return max(1, DRAFT_SIDE * width // longest), max(1, DRAFT_SIDE * height // longest)


def _load(
    src: _Source, im: Image.Image, options: HashOptions, grey: bool = True
) -> tuple[Image.Image, str, int, int]:
    width, height = im.size
    fmt = (im.format or "unknown").lower()
    _check_pixels(src.name, width, height, options)
    try:
        if fmt == "jpeg":
            # Decoded by the DCT at 1/2..1/8 scale (luma only when colour is not needed).
            im.draft("L" if grey else "RGB", _draft_box(width, height, options.draft_long_side))
        im.load()
        # In place: without an orientation tag there is nothing to turn, and a copy of a full-size
        # PNG costs ~0.4 ms (the image is ours, opened for this call).
        ImageOps.exif_transpose(im, in_place=True)
        if _transparent(im):
            im = _on_white(im).convert("RGB")
        elif im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        # Other formats decode at full size: box-reduce them once to the draft size too, so every
        # window and conversion after this works on ~256 px, as for JPEG.
        factor = (max(im.size) if options.draft_long_side else min(im.size)) // DRAFT_SIDE
        if factor >= 2:
            im = im.reduce(factor)
        if grey and im.mode != "L":
            im = im.convert("L")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"{src.name}: truncated or corrupt {fmt} image ({exc})", file=src.name) from None
    return im, fmt, width, height


# -- hashing ---------------------------------------------------------------------------------------


def _transparent(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)


def _on_white(im: Image.Image) -> Image.Image:
    """A picture with transparency composited on white, as every picture is seen here (a drawing's
    transparent background is the white page it is drawn on)."""
    rgba = im.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)


def _distance(a: bytes, b: bytes) -> int:
    return int(np.bitwise_count(np.frombuffer(a, np.uint64) ^ np.frombuffer(b, np.uint64)).sum())


TALL = round(CANON / REGION_SHARE)
"""Rows of the one box-reduced rendition the windows are cut from: 64 of its 75 rows are 85%."""


def _channels(small: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Luma (ITU-R 601, as PDQ weighs it) and HSV value (max of R, G, B) of a small picture.

    Why value: a hue rotation (colour filters, recoloured characters) moves luma, because luma
    weighs R, G and B differently, but leaves HSV's value unchanged. Measured on drawn references
    with the robustness bench's colour shift, luma alone matched 87.5%.
    """
    if small.ndim == 2:
        return small, None
    rgb = small.astype(np.uint32)
    luma = ((rgb[:, :, 0] * 299 + rgb[:, :, 1] * 587 + rgb[:, :, 2] * 114 + 500) // 1000).astype(np.uint8)
    value = np.maximum(np.maximum(small[:, :, 0], small[:, :, 1]), small[:, :, 2])
    return luma, value


def _pdq(channel: np.ndarray) -> tuple[bytes, int]:
    (one,) = pdq_hashes(channel)
    return one.hash, one.quality


def hash_frame(im: Image.Image, frame: int = 0, t: float = 0.0, *, regions: bool, dihedral: bool):
    """PDQ hashes of one decoded picture: the full frame's luma (8 dihedral variants when asked),
    and with `regions` the top and bottom 85% windows' luma and the full frame's HSV value.

    One box reduction to 64 x 75 gives the windows (its first and last 64 rows), a second to
    64 x 64 the full frame: the canonical renditions cost two resizes of the decoded picture.
    """
    full = np.asarray(im.resize((CANON, CANON), Image.Resampling.BOX))
    luma, value = _channels(full)
    out: list[FrameHash] = []
    if dihedral:
        out.extend(
            FrameHash(h.hash, h.quality, frame, t, "full", variant)
            for h, variant in zip(pdq_hashes(luma, dihedral=True), DIHEDRAL, strict=True)
        )
    else:
        out.append(FrameHash(*_pdq(luma), frame, t, "full"))
    if not regions:
        return out
    tall, _ = _channels(np.asarray(im.resize((CANON, TALL), Image.Resampling.BOX)))
    out.append(FrameHash(*_pdq(np.ascontiguousarray(tall[:CANON])), frame, t, "top"))
    out.append(FrameHash(*_pdq(np.ascontiguousarray(tall[-CANON:])), frame, t, "bottom"))
    if value is not None:
        out.append(FrameHash(*_pdq(value), frame, t, "value"))
    return out


def hash_image(
    source: str | Path | bytes, options: HashOptions | None = None, name: str | None = None
) -> MediaHashes:
    options = options or HashOptions()
    src = _source(source, name)
    im = _open_image(src)
    if im is None:
        raise UnsupportedMedia(f"{src.name}: not an image kyodaku can read", file=src.name)
    return _hash_opened_image(src, im, options)


def _hash_opened_image(src: _Source, im: Image.Image, options: HashOptions) -> MediaHashes:
    notes: list[str] = []
    if getattr(im, "n_frames", 1) > 1:
        notes.append(f"animated {im.format}: only the first frame is hashed")
    picture, fmt, width, height = _load(src, im, options, grey=not options.regions)
    sha, size = src.digest()
    frames = hash_frame(picture, regions=options.regions, dihedral=options.dihedral)
    # The picture in grey once, for the border trim, the keypoints and the inset hashes (each would
    # convert it again: ~0.1 ms and a copy a time).
    grey = np.asarray(picture if picture.mode == "L" else picture.convert("L"))
    trim = find_borders(grey) if options.trim_borders else None
    inner = picture
    if trim is not None and trim.found:
        inner = picture.crop(trim.box)
        # The full picture's hash only (with its dihedral variants): a caption bar inside a letterbox
        # is left to the local features, and the windows would double the hashing cost.
        frames += _trimmed(inner, trim, 0, 0.0, regions=False, dihedral=options.dihedral)
    else:
        trim = None
    if options.aspect_cuts:
        # Of the whole picture, as a player fill-crops the file: a reference's trim may take a smooth
        # sky for a border (tune half of bench/media_real.py, 3 of 5 missed zooms), and its cut of
        # the inside then matches nothing an output shows.
        frames += hash_aspect_cuts(picture)
    local = None
    if options.local_features:
        from kyodaku.media.local import extract_features

        # Keypoints of what is inside the borders (positions relative to the trimmed box, which the
        # evidence names): a picture at 30% of a screenshot is analysed at the resolution it has.
        analysed = grey
        if options.local_inside_borders and trim is not None:
            left, top, right, bottom = trim.box
            analysed = grey[top:bottom, left:right]
        local = extract_features(analysed, _local_options(options), thumb_side=options.local_thumb_side)
    insets = None
    if options.inset_hashes and local is not None:
        from kyodaku.media.local.insets import found_boxes

        insets = found_boxes(local)
        analysed_box = trim.box if trim is not None and options.local_inside_borders else None
        frames += _inset_hashes(picture, grey, insets, local, analysed_box, width, height)
    full = FullResolution(src, width, height, options.max_pixels) if options.keep_picture else None
    return MediaHashes(
        "image", sha, size, width, height, None, tuple(frames), fmt, src.name, None, tuple(notes), local,
        picture=picture if options.keep_picture else None, trim=trim,
        full_resolution=full, insets=insets,
    )  # fmt: skip


INSET = "inset"
"""Region of a hash of a rectangle the output shows inside itself (`_inset_hashes`)."""


def _inset_hashes(
    picture: Image.Image,
    grey: np.ndarray,
    boxes,
    local,
    analysed: tuple[int, int, int, int] | None,
    width: int,
    height: int,
) -> list[FrameHash]:
    """PDQ hashes of the rectangles an output shows inside itself (`boxes`, found on its keypoints'
    thumbnail: media/local/insets.py; `analysed`, the part of `picture` the keypoints were taken
    from, None for the whole of it; `grey`, the picture in grey), each box snapped to its edges in
    `grey` (`snap_box`) and hashed as it is and one pixel further in (a player's thin white border
    around the inset lies on one side of the edge or the other). Each hash names its box in the output's
    own pixels. The bank compares them with the references' whole-picture rows, as a trimmed hash.

    Why PDQ as well as the keypoints the bank looks for in the same boxes: flat drawn art shown at 40 %
    of a frame keeps a few dozen corners, too few to verify, while its hash, from a snapped box,
    is within PDQ's threshold of the reference (tune half of bench/media_real.py)."""
    if not boxes:
        return []
    from kyodaku.media.local.insets import in_picture

    part = analysed if analysed is not None else (0, 0, *picture.size)
    to_output = (width / picture.size[0], height / picture.size[1])
    out: list[FrameHash] = []
    for box in boxes:
        out += _snapped_inset_hashes(grey, picture, in_picture(box, local.thumbnail.shape, part), to_output)
    return out


def _snapped_inset_hashes(
    grey: np.ndarray, picture: Image.Image, at, to_output: tuple[float, float], frame: int = 0, t: float = 0.0
) -> list[FrameHash]:
    """One inset box `at` (px of `grey`, the grey of `picture`) snapped to its edges (`snap_box`) and
    hashed from `picture` as it is and one pixel further in, each row naming the box in the output's
    own pixels (`to_output`: output px per `picture` px). [] when the box is too small to snap."""
    from kyodaku.media.local.insets import snap_box

    box = snap_box(grey, at)
    if box is None:
        return []
    a, b, c, d = box
    ox, oy = to_output
    shown = (round(a * ox), round(b * oy), round(c * ox), round(d * oy))
    out = []
    for cut in (box, (a + 1, b + 1, c - 1, d - 1)):
        (f,) = hash_frame(picture.crop(cut), frame, t, regions=False, dihedral=False)
        out.append(replace(f, region=INSET, inset=shown))
    return out


@dataclass(frozen=True, eq=False)
class FullResolution:
    """An image's source, kept to decode it again at (up to) its full resolution: the picture kept on
    MediaHashes is the draft decode (~256 px on its short side), and an inset of flat drawn art cut
    from it keeps a handful of keypoints (media/bank.py `_inset_features`). Holds the bytes the caller
    gave (no copy) or the file's path; nothing is decoded until `grey` is called."""

    source: _Source
    width: int
    height: int
    """The size the file claimed when it was hashed (before any EXIF rotation)."""
    max_pixels: int

    def grey(self, reduce: int = 1) -> Image.Image | None:
        """The picture in grey, EXIF-rotated and alpha on white as the draft picture was, reduced by up
        to `reduce` (JPEG: the DCT's 1/2..1/8 scaling; other formats: a box reduction) and never more.

        Best effort: the file was decoded once already, so anything unexpected (a file on disk that
        changed since, a size over `max_pixels`, a decoding error) gives None, never an error."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(self.source.stream()) as opened:
                    if opened.size != (self.width, self.height) or self.width * self.height > self.max_pixels:
                        return None
                    reduce = max(1, int(reduce))
                    if (opened.format or "").lower() == "jpeg":
                        # In its own mode, then to grey as the draft picture's insets are (bank.py).
                        opened.draft(opened.mode, (-(-self.width // reduce), -(-self.height // reduce)))
                    opened.load()
                    done = self.width // max(1, opened.size[0])
                    im = ImageOps.exif_transpose(opened) or opened
                    if _transparent(im):
                        im = _on_white(im)
                    im = im.convert("L") if im.mode != "L" else im
                    if reduce // max(1, done) >= 2:
                        im = im.reduce(reduce // max(1, done))
                    # Never the opened image itself: leaving `with` closes it.
                    return im.copy() if im is opened else im
        except (
            OSError,
            ValueError,
            SyntaxError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            return None


ASPECT_CUTS = ((16, 9), (4, 3), (1, 1), (3, 4), (9, 16))
"""The frame shapes a picture is shown in most often: video, old TV and photo prints, square posts,
portrait prints and phone video."""

CUT_MAX_KEEP = 0.98
"""A cut that keeps more than this share of the cut side is not hashed: PDQ matches the whole picture
through a trim that small, and not through a deeper one (45 wallpapers cut to a centre band of their
height, distance to the whole picture's hash: 98 % median 14 bits, all within 31; 97 % median 20,
73 % within; 90 % median 62, none)."""

CUT_MIN_SIDE = 16
"""Pixels the cut side keeps at least (of the decoded picture): an extreme strip has no cut worth hashing."""


def cut_region(aspect: tuple[int, int]) -> str:
    """The region name of a centre cut's hash: "cut-16:9"."""
    return f"cut-{aspect[0]}:{aspect[1]}"


CUT_REGIONS = tuple(cut_region(a) for a in ASPECT_CUTS)


def aspect_cut_box(width: int, height: int, aspect: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The centre cut of a `width` x `height` picture to `aspect` (the box that fills a frame of that
    shape, as a player or an editor fill-crops), or None when it would keep more than CUT_MAX_KEEP of
    the cut side or fewer than CUT_MIN_SIDE pixels."""
    if width <= 0 or height <= 0:
        return None
    shape, target = width / height, aspect[0] / aspect[1]
    if target > shape:  # a wider frame: the whole width, a band of the height
        kept = round(width / target)
        if kept > CUT_MAX_KEEP * height or kept < CUT_MIN_SIDE:
            return None
        top = (height - kept) // 2
        return 0, top, width, top + kept
    kept = round(height * target)
    if kept > CUT_MAX_KEEP * width or kept < CUT_MIN_SIDE:
        return None
    left = (width - kept) // 2
    return left, 0, left + kept, height


def hash_aspect_cuts(picture: Image.Image, frame: int = 0, t: float = 0.0) -> list[FrameHash]:
    """PDQ hashes (luma, full region only) of the picture's centre cuts to the shapes of ASPECT_CUTS.

    Why: a still shown *filling* a frame of another shape loses a band on two sides, a quarter of a
    4:3 picture's height in 16:9, and PDQ, which follows a plain copy through any rescale, does not
    follow a cut that deep; the keypoint tier does, but only where the picture has corners (a smooth
    photograph or flat art after H.264 keeps few). The cut is what players, editors and phone apps do
    by default (centre, fill), so one hash per shape finds it at PDQ's cost and with PDQ's
    calibration; a cut placed off centre is still the keypoint tier's. Rows are named "cut-W:H", are
    compared with an output's whole-picture hashes and say so in the evidence."""
    width, height = picture.size
    out = []
    for aspect, region in zip(ASPECT_CUTS, CUT_REGIONS, strict=True):
        box = aspect_cut_box(width, height, aspect)
        if box is None:
            continue
        cut = picture.crop(box).resize((CANON, CANON), Image.Resampling.BOX)
        luma, _ = _channels(np.asarray(cut))
        out.append(FrameHash(*_pdq(np.ascontiguousarray(luma)), frame, t, region))
    return out


TRIMMED = "trimmed"
"""Region of a whole picture's hash taken inside its borders: compared with the references' full
(and trimmed) hashes; kept apart by name so that readers of "full" hashes (the provenance ledger)
see what they saw before borders were trimmed."""


def _local_options(options: HashOptions):
    from kyodaku.media.local import DEFAULT_OPTIONS

    o, d = options, DEFAULT_OPTIONS
    wanted = (o.local_side, o.local_max_features, o.local_levels, o.local_scale_factor, o.local_border)
    if wanted == (d.side, d.max_features, d.levels, d.scale_factor, d.border):
        return DEFAULT_OPTIONS
    return replace(
        d,
        side=options.local_side,
        max_features=options.local_max_features,
        levels=options.local_levels,
        scale_factor=options.local_scale_factor,
        border=options.local_border,
    )


def _trimmed(
    inner: Image.Image, trim, frame: int, t: float, *, regions: bool, dihedral: bool
) -> list[FrameHash]:
    """Hashes of the picture inside its borders, each carrying the box it was cut to."""
    return [
        replace(f, trim=trim.box, region=TRIMMED if f.region == "full" else f.region)
        for f in hash_frame(inner, frame, t, regions=regions, dihedral=dihedral)
    ]


def hash_video(
    source: str | Path | bytes, options: HashOptions | None = None, name: str | None = None
) -> MediaHashes:
    """vPDQ-style: decode, sample `video_fps` frames per second of presentation time, hash each."""
    options = options or HashOptions()
    src = _source(source, name)
    return _hash_video(src, options)


VIDEO_CONTAINERS = frozenset(
    {
        "mov,mp4,m4a,3gp,3g2,mj2",
        "matroska,webm",
        "avi",
        "mpegts",
        "flv",
        "mpeg",
        "ogg",
        "asf",
        "h264",
        "hevc",
        "m4v",
        "ivf",
        "mjpeg",
        "gif",
        "yuv4mpegpipe",
    }
)
"""Containers accepted as video. FFmpeg probes almost anything (its `tty` demuxer renders plain text as
video), so a file must be a real video container, not merely something FFmpeg will open."""


def _hash_video(src: _Source, options: HashOptions) -> MediaHashes:
    import av

    from kyodaku.media.local.insets import drawn_over, found_boxes

    try:
        container = av.open(src.stream() if src.data is not None else str(src.path))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise UnsupportedMedia(f"{src.name}: not a video kyodaku can read ({exc})", file=src.name) from None
    with container:
        if container.format.name not in VIDEO_CONTAINERS:
            raise UnsupportedMedia(
                f"{src.name}: not an image or video kyodaku can read (FFmpeg sees '{container.format.name}')",
                file=src.name,
            )
        if not container.streams.video:
            raise UnsupportedMedia(f"{src.name}: has no video stream", file=src.name)
        stream = container.streams.video[0]
        ctx = stream.codec_context
        codec = ctx.name if ctx else "unknown"
        width, height = (ctx.width, ctx.height) if ctx else (0, 0)
        _check_pixels(src.name, width, height, options)
        step = 1.0 / options.video_fps
        scale = min(1.0, DRAFT_SIDE / max(width, height))
        small = (max(CANON, round(width * scale)), max(CANON, round(height * scale)))
        rate = float(stream.average_rate or 25)
        frames: list[FrameHash] = []
        local_frames: list[tuple[int, float, Any]] = []
        trim = None
        next_t = 0.0
        last_t = 0.0
        decoded = sampled = 0
        last = b""
        try:
            for frame in container.decode(stream):
                t = float(frame.time) if frame.time is not None else decoded / rate
                decoded += 1
                last_t = max(last_t, t)
                if t + 1e-6 < next_t:
                    continue
                if sampled >= options.max_frames:
                    raise PayloadTooLarge(
                        f"{src.name}: longer than {options.max_frames} sampled frames "
                        f"({options.max_frames * step:.0f} s at {options.video_fps:g} frame/s)",
                        file=src.name,
                        limit=options.max_frames,
                    )
                # Luma only, scaled by swscale to at most 256 px: the hash needs 64 px of luma.
                grey = frame.reformat(width=small[0], height=small[1], format="gray").to_ndarray()
                picture = Image.fromarray(np.ascontiguousarray(grey), "L")
                next_t = (math.floor(t / step + 1e-6) + 1) * step
                sampled += 1
                (hashed,) = hash_frame(picture, sampled - 1, round(t, 3), regions=False, dihedral=False)
                dedup = options.dedup_distance
                if frames and dedup and _distance(hashed.hash, last) <= dedup:
                    continue
                last = hashed.hash
                frames.append(hashed)
                if options.trim_borders:
                    cut = find_borders(picture)
                    if cut.found:
                        trim = trim or cut
                        inner = picture.crop(cut.box)
                        frames += _trimmed(
                            inner, cut, sampled - 1, round(t, 3), regions=False, dihedral=False
                        )
                if options.video_local_features:
                    box = _frame_box(picture, cut) if options.trim_borders else None
                    features = _frame_features(frame, picture, box, options)
                    found = found_boxes(features) if options.video_local_insets else []
                    if found:
                        # What the insets hide of a reference behind them (LocalOptions.max_hidden).
                        features = drawn_over(features, found)
                    local_frames.append((sampled - 1, round(t, 3), features))
                    if found:
                        entries, shown = _frame_insets(
                            frame, features, box, picture.size, sampled - 1, t, found
                        )
                        local_frames += entries
                        frames += shown
        except av.error.FFmpegError as exc:
            raise InvalidInput(
                f"{src.name}: corrupt, truncated or unsupported {codec} video ({exc})", file=src.name
            ) from None
        if not frames:
            raise InvalidInput(f"{src.name}: no decodable video frames", file=src.name)
        duration = float(container.duration / 1_000_000) if container.duration else last_t + 1.0 / rate
    sha, size = src.digest()
    return MediaHashes(
        "video", sha, size, width, height, duration, tuple(frames), codec, src.name, options.video_fps,
        trim=trim, frame_local=tuple(local_frames),
    )  # fmt: skip


def _frame_box(picture: Image.Image, cut) -> tuple[int, int, int, int] | None:
    """The part of a sampled frame its keypoints are taken from: inside its border trim, unless the
    cut drifts like a sky rather than a bar (`borders.drifts`, as the image path's second look).

    Why: a zoom over a photograph fills the frame with its smooth parts (a sky, water), which the
    trim takes for borders; keypoints taken inside such a cut lost up to 60 % of the frame, and with
    it the corners the reference is found by (tune half: 3 of 16 zooms over photographs lost this way)."""
    if not cut.found or drifts(picture, cut):
        return None
    return cut.box


def _frame_features(frame, picture: Image.Image, box, options: HashOptions):
    """Keypoints of one sampled frame (inside `box`, in `picture`'s pixels, when set), found at up to
    `video_local_side` px and placed in the `local_side` rendition of what they were taken from.

    The frame is decoded again by swscale at the larger size for ORB only. The keypoints' positions
    are divided back, as a reference's finer band's are (media/local/features.py), and the size and
    thumbnail are those of the 256 px analysis: a match reports the same zoom, within the keypoint
    tier's plausible scales, and the pixel check and the inset look see exactly what they saw."""
    from kyodaku.media.local import extract_features
    from kyodaku.media.local.features import placed, rendition

    base = _local_options(options)
    inner = picture.crop(box) if box is not None else picture
    side = options.video_local_side
    scale = min(1.0, side / max(frame.width, frame.height, 1))
    big_w, big_h = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    if side <= base.side or max(big_w, big_h) <= max(picture.size):
        return extract_features(inner, base, thumb_side=options.local_thumb_side)
    grey = frame.reformat(width=big_w, height=big_h, format="gray").to_ndarray()
    if box is not None:
        fx, fy = big_w / picture.size[0], big_h / picture.size[1]
        x0, y0 = round(box[0] * fx), round(box[1] * fy)
        grey = grey[y0 : max(y0 + 1, round(box[3] * fy)), x0 : max(x0 + 1, round(box[2] * fx))]
    found = extract_features(np.ascontiguousarray(grey), replace(base, side=side))
    # The 256 px rendition and thumbnail extract_features gives the inner picture, without its ORB pass.
    _, target, thumb = rendition(inner, base.side, options.local_thumb_side)
    return placed(found, target, thumb)


INSET_FRAME_SIDE = 640
"""Long side (px) a video frame is decoded at again, only when it shows an inset (`_frame_insets`)."""


def _frame_insets(
    frame, features, box, small: tuple[int, int], n: int, t: float, found: list[tuple[int, int, int, int]]
) -> tuple[list, list[FrameHash]]:
    """Keypoints of the rectangles a sampled frame shows inside itself (a picture in picture:
    media/local/insets.py), cut from the frame decoded again at up to INSET_FRAME_SIDE px, as extra
    (frame, t, LocalFeatures) entries of that frame: the local-video tier votes them with it. Only
    frames that show such a rectangle pay the second decode. Their scale and shift are the inset's own.
    With them, the PDQ hashes of those rectangles snapped to their edges (region INSET, as
    `_inset_hashes` for an image): the frame votes in vPDQ with them as with its whole picture."""
    from kyodaku.media.local import DEFAULT_OPTIONS, extract_features
    from kyodaku.media.local.features import QUERY_THUMB_SIDE
    from kyodaku.media.local.insets import padded_boxes

    th, tw = features.thumbnail.shape
    width, height = frame.width, frame.height
    scale = min(1.0, INSET_FRAME_SIDE / max(width, height, 1))
    big_w, big_h = max(1, round(width * scale)), max(1, round(height * scale))
    grey = frame.reformat(width=big_w, height=big_h, format="gray").to_ndarray()
    left, top, right, bottom = box if box is not None else (0, 0, small[0], small[1])
    fx, fy = big_w / small[0], big_h / small[1]
    sx, sy = (right - left) / tw * fx, (bottom - top) / th * fy
    out = []
    painted = []  # the boxes in `grey`'s pixels, for the look behind them (`_frame_behind`)
    for x0, y0, x1, y1 in padded_boxes(features, found):
        cx0, cy0 = round(left * fx + x0 * sx), round(top * fy + y0 * sy)
        cx1, cy1 = round(left * fx + x1 * sx), round(top * fy + y1 * sy)
        painted.append((cx0, cy0, cx1, cy1))
        if min(cx1 - cx0, cy1 - cy0) < 16:
            continue
        crop = np.ascontiguousarray(grey[cy0:cy1, cx0:cx1])
        inset = extract_features(crop, DEFAULT_OPTIONS, thumb_side=QUERY_THUMB_SIDE)
        if len(inset):
            out.append((n, round(t, 3), inset))
    part = (round(left * fx), round(top * fy), round(right * fx), round(bottom * fy))
    behind = _frame_behind(features, found, grey, painted, part)
    if behind is not None:
        out.append((n, round(t, 3), behind))
    hashes: list[FrameHash] = []
    picture = Image.fromarray(np.ascontiguousarray(grey), "L")
    for x0, y0, x1, y1 in found:
        at = (left * fx + x0 * sx, top * fy + y0 * sy, left * fx + x1 * sx, top * fy + y1 * sy)
        hashes += _snapped_inset_hashes(grey, picture, at, (width / big_w, height / big_h), n, round(t, 3))
    return out, hashes


def _frame_behind(features, found: list, grey: np.ndarray, boxes: list, part: tuple[int, int, int, int]):
    """The frame's keypoints again with its insets (`found` on `features`) painted over
    (`insets.behind_insets`, as an image output's): `grey` is the frame decoded for its insets,
    `boxes` their padded rectangles and `part` the frame's analysed part (inside its trim), in
    `grey`'s pixels. An extra entry of the frame for the local-video tier's vote. Tune half of
    bench/media_real.py, backgrounds of pictures in pictures at 40 % in video: 21 -> 23 of 32 found;
    unrelated clips: no match."""
    from kyodaku.media.local.insets import behind_insets

    x0, y0, x1, y1 = part
    shifted = [(bx0 - x0, by0 - y0, bx1 - x0, by1 - y0) for bx0, by0, bx1, by1 in boxes]
    return behind_insets(grey[y0:y1, x0:x1], shifted, features, found)


def hash_media(
    source: str | Path | bytes | Digested, options: HashOptions | None = None, name: str | None = None
) -> MediaHashes:
    """Hash an image or a video, telling them apart from the content (never from the file name)."""
    options = options or HashOptions()
    src = _source(source, name)
    im = _open_image(src)
    if im is not None:
        return _hash_opened_image(src, im, options)
    try:
        return _hash_video(src, options)
    except UnsupportedMedia:
        raise UnsupportedMedia(
            f"{src.name}: neither an image nor a video kyodaku can read", file=src.name
        ) from None
