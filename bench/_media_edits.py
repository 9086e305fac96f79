"""The edits a re-uploaded or regenerated copy of a work suffers, as named pure functions.

Image edits take a PIL image and a numpy random generator and return a new image; the generator
only chooses the free parameters (crop offset, rotation direction, hue shift, caption words), so a
fixed seed gives the same edited copy every run. Video edits read one file and write another with
PyAV (same `rng` convention). `IMAGE_EDITS` and `VIDEO_EDITS` map the names printed in the
benchmark table to the functions; bench/media_robustness.py applies every one to every reference.

Strengths are chosen as the issue states them, at 512 px for images and 320x240 for clips: JPEG
quality 30, a window of 90% x 90% of the picture, Gaussian blur of radius 2, noise of sigma 10
grey levels, a caption bar of about 12% of the height.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

import _common  # noqa: F401  (puts samples/ on sys.path for kyodaku_samples)
from kyodaku_samples.synthetic import encode_video

ImageEdit = Callable[[Image.Image, np.random.Generator], Image.Image]
VideoEdit = Callable[[Path, Path, np.random.Generator], Path]

_WORDS = ("kawaii", "viral", "repost", "fanart", "lol", "epic", "daily", "meme", "new", "wow", "4k", "hd")


def _words(rng: np.random.Generator, n: int) -> str:
    return " ".join(str(rng.choice(_WORDS)) for _ in range(n))


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(6, px))


# --------------------------------------------------------------------------- image edits


def resize_half(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Downscale to 50% per side (thumbnails, re-uploads at a lower resolution)."""
    w, h = image.size
    return image.resize((max(1, w // 2), max(1, h // 2)), Image.Resampling.BILINEAR)


def resize_double(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Upscale to 200% per side (an "upscaled" re-post)."""
    w, h = image.size
    return image.resize((w * 2, h * 2), Image.Resampling.BICUBIC)


def jpeg_q30(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Encode as JPEG at quality 30 (4:2:0) and decode again: blocking and colour bleeding."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=30)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def crop_10(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Keep a window of 90% of the width and 90% of the height at a random offset."""
    w, h = image.size
    cw, ch = round(w * 0.9), round(h * 0.9)
    x = int(rng.integers(0, w - cw + 1))
    y = int(rng.integers(0, h - ch + 1))
    return image.crop((x, y, x + cw, y + ch))


def mirror(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Horizontal flip (the commonest trick to dodge a naive matcher)."""
    return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def rotate_90(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Rotate by 90 degrees, clockwise or counter-clockwise (rng); width and height swap."""
    turn = Image.Transpose.ROTATE_90 if rng.random() < 0.5 else Image.Transpose.ROTATE_270
    return image.transpose(turn)


def colour_shift(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A colour filter: hue rotated by 10-30 degrees either way, saturation x0.7-1.4, brightness
    x0.85-1.15 and a per-channel offset of up to 12 levels (a tint)."""
    hsv = np.asarray(image.convert("RGB").convert("HSV")).copy()
    shift = round(float(rng.uniform(10, 30)) * float(rng.choice((-1, 1))) * 256 / 360)
    hsv[..., 0] = (hsv[..., 0].astype(np.int16) + shift) % 256
    shifted = Image.fromarray(hsv, "HSV").convert("RGB")
    shifted = ImageEnhance.Color(shifted).enhance(float(rng.uniform(0.7, 1.4)))
    shifted = ImageEnhance.Brightness(shifted).enhance(float(rng.uniform(0.85, 1.15)))
    offsets = rng.integers(-12, 13, size=3).astype(np.int16)
    array = np.asarray(shifted).astype(np.int16) + offsets
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), "RGB")


def blur(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Gaussian blur of radius 2 px at 512 px (scaled with the picture's shorter side)."""
    radius = 2.0 * min(image.size) / 512
    return image.filter(ImageFilter.GaussianBlur(radius))


def caption_bar(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A solid dark bar of 12% of the height across the bottom with white text on it (meme captions,
    broadcast tickers); it covers the picture rather than extending it."""
    out = image.convert("RGB")
    w, h = out.size
    bar = round(h * 0.12)
    draw = ImageDraw.Draw(out)
    shade = int(rng.integers(0, 60))
    draw.rectangle([0, h - bar, w, h], fill=(shade, shade, shade + int(rng.integers(0, 30))))
    font = _font(round(bar * 0.6))
    text = _words(rng, int(rng.integers(2, 5)))
    draw.text((w * 0.04, h - bar + bar * 0.15), text, font=font, fill=(255, 255, 255))
    return out


def noise(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Additive Gaussian noise, sigma 10 grey levels, independent per pixel and channel."""
    array = np.asarray(image.convert("RGB")).astype(np.float32)
    array += rng.normal(0.0, 10.0, size=array.shape).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(array), 0, 255).astype(np.uint8), "RGB")


IMAGE_EDITS: dict[str, ImageEdit] = {
    "resize_50": resize_half,
    "resize_200": resize_double,
    "jpeg_q30": jpeg_q30,
    "crop_10": crop_10,
    "mirror": mirror,
    "rotate_90": rotate_90,
    "colour_shift": colour_shift,
    "blur": blur,
    "caption_bar": caption_bar,
    "noise": noise,
}


# --------------------------------------------------------------------------- video edits


def read_video(path: Path | str) -> tuple[list[Image.Image], Fraction]:
    """All frames of the first video stream as RGB images, and its frame rate."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate or stream.guessed_rate or 24)
        frames = [frame.to_image() for frame in container.decode(stream)]
    return frames, rate


def _frames_of(path: Path) -> Iterator[Image.Image]:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_image()


def _rate_of(path: Path) -> Fraction:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return Fraction(stream.average_rate or stream.guessed_rate or 24)


def reencode(src: Path, dst: Path, rng: np.random.Generator) -> Path:
    """Re-encode with another codec at a much lower quality: MPEG-4 Part 2 at 0.05 bit per pixel
    (about 90 kb/s at 320x240, 24 fps), or x264 at CRF 40 (rng picks one per clip)."""
    rate = _rate_of(src)
    with av.open(str(src)) as probe:
        width, height = probe.streams.video[0].width, probe.streams.video[0].height
    if rng.random() < 0.5:
        bitrate = max(50_000, int(0.05 * width * height * float(rate)))
        return encode_video(dst, _frames_of(src), fps=rate, codec="mpeg4", crf=None, bitrate=bitrate)
    return encode_video(dst, _frames_of(src), fps=rate, codec="libx264", crf=40)


def scale(src: Path, dst: Path, rng: np.random.Generator) -> Path:
    """Scale to 50% per side (rounded down to even sizes for yuv420p)."""
    with av.open(str(src)) as probe:
        width, height = probe.streams.video[0].width, probe.streams.video[0].height
    size = (max(2, width // 2), max(2, height // 2))
    return encode_video(dst, _frames_of(src), fps=_rate_of(src), size=size)


def trim(src: Path, dst: Path, rng: np.random.Generator) -> Path:
    """Cut about the first 30% and the last 20% of the clip (a re-post of its middle): the cut
    points vary by +-5% of the length (rng), so they rarely fall on a whole second of the source."""
    frames, rate = read_video(src)
    n = len(frames)
    start = math.floor(n * float(rng.uniform(0.25, 0.35)))
    end = math.ceil(n * float(rng.uniform(0.75, 0.85)))
    return encode_video(dst, frames[start:end], fps=rate)


def fps_change(src: Path, dst: Path, rng: np.random.Generator) -> Path:
    """Re-time to 15 frames per second (24 -> 15): output frame k shows the source frame that is on
    screen at k/15 s, so the duration is kept and about 3 in 8 frames are dropped."""
    frames, rate = read_video(src)
    target = Fraction(15)
    duration = len(frames) / rate
    count = max(1, math.floor(duration * target))
    picked = [frames[min(len(frames) - 1, math.floor(k / target * rate))] for k in range(count)]
    return encode_video(dst, picked, fps=target)


def watermark(src: Path, dst: Path, rng: np.random.Generator) -> Path:
    """A semi-transparent logo (a ring and initials) plus a handle in one corner of every frame,
    about a quarter of the width, at 60% opacity (the marks re-upload sites and apps stamp)."""
    rate = _rate_of(src)
    with av.open(str(src)) as probe:
        width, height = probe.streams.video[0].width, probe.streams.video[0].height
    mark_w, mark_h = round(width * 0.27), round(height * 0.16)
    mark = Image.new("RGBA", (mark_w, mark_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(mark)
    r = mark_h * 0.45
    draw.ellipse(
        [2, mark_h / 2 - r, 2 + 2 * r, mark_h / 2 + r],
        outline=(255, 255, 255, 255),
        width=max(2, round(r * 0.2)),
    )
    draw.text((2 + r * 0.45, mark_h / 2 - r * 0.6), "TV", font=_font(round(r)), fill=(255, 255, 255, 255))
    draw.text(
        (2 * r + 8, mark_h * 0.25),
        "@" + _words(rng, 1),
        font=_font(round(mark_h * 0.4)),
        fill=(255, 255, 255, 255),
    )
    alpha = mark.getchannel("A").point(lambda a: round(a * 0.6))
    mark.putalpha(alpha)
    margin = round(width * 0.03)
    corner = int(rng.integers(0, 4))
    x = margin if corner % 2 == 0 else width - mark_w - margin
    y = margin if corner < 2 else height - mark_h - margin

    def stamped() -> Iterator[Image.Image]:
        for frame in _frames_of(src):
            frame = frame.convert("RGB")
            frame.paste(mark, (x, y), mark)
            yield frame

    return encode_video(dst, stamped(), fps=rate)


VIDEO_EDITS: dict[str, VideoEdit] = {
    "reencode": reencode,
    "scale_50": scale,
    "trim": trim,
    "fps_change": fps_change,
    "watermark": watermark,
}


# --------------------------------------------------------------------------- real-content edits (issue 14)
# What re-posts and generated videos do to a picture besides re-encoding it: deep crops, a frame or a
# screenshot around it, letterbox/pillarbox bars, picture-in-picture, a slow zoom (Ken Burns). Each
# takes its strength explicitly; `REAL_IMAGE_EDITS` names them as bench/media_real.py prints them.

CANVAS_16_9 = (1280, 720)


def crop_side(image: Image.Image, rng: np.random.Generator, side: float) -> Image.Image:
    """Remove `side` of the width and of the height at random per side, `2 * side` in all per axis
    (side 0.2 keeps a 60% x 60% window: a deep crop, 36% of the area)."""
    w, h = image.size
    cw, ch = max(1, round(w * (1 - 2 * side))), max(1, round(h * (1 - 2 * side)))
    x = int(rng.integers(0, w - cw + 1))
    y = int(rng.integers(0, h - ch + 1))
    return image.crop((x, y, x + cw, y + ch))


def _canvas_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    """A page or window background: mostly white, black or a grey, sometimes a muted colour."""
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return (255, 255, 255)
    if kind == 1:
        return (0, 0, 0)
    if kind == 2:
        g = int(rng.integers(20, 240))
        return (g, g, g)
    return tuple(int(v) for v in rng.integers(30, 220, 3))  # type: ignore[return-value]


def frame_in_canvas(image: Image.Image, rng: np.random.Generator, share: float) -> Image.Image:
    """The picture shown at `share` of a larger canvas's width (a screenshot of a page, a mat or
    frame around it): a plain background with light noise, the picture at a random place, JPEG q85."""
    rgb = image.convert("RGB")
    w, h = rgb.size
    cw, ch = round(w / share), round(h / share)
    canvas = np.empty((ch, cw, 3), np.float32)
    canvas[:] = _canvas_colour(rng)
    canvas += rng.normal(0, 2.0, canvas.shape)
    x = int(rng.integers(0, cw - w + 1))
    y = int(rng.integers(0, ch - h + 1))
    out = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
    out.paste(rgb, (x, y))
    return _jpeg(out, 85)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def fit_aspect(image: Image.Image, aspect: float) -> Image.Image:
    """The centre of the picture cut to width/height = `aspect` (what a 4:3 or 1:1 version shows)."""
    w, h = image.size
    if w / h > aspect:
        cw = max(1, round(h * aspect))
        x = (w - cw) // 2
        return image.crop((x, 0, x + cw, h))
    ch = max(1, round(w / aspect))
    y = (h - ch) // 2
    return image.crop((0, y, w, y + ch))


def letterbox(
    image: Image.Image, rng: np.random.Generator, canvas: tuple[int, int] = CANVAS_16_9
) -> Image.Image:
    """Fit the picture whole into a 16:9 canvas with black bars (pillarbox for 4:3 and 1:1, letterbox
    for wider pictures), as a video player or an editor's timeline shows it; JPEG q85 blurs the edge."""
    return _jpeg(_boxed(image, canvas), 85)


def _boxed(image: Image.Image, canvas: tuple[int, int]) -> Image.Image:
    cw, ch = canvas
    w, h = image.size
    s = min(cw / w, ch / h)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    out = Image.new("RGB", canvas, (0, 0, 0))
    out.paste(
        image.convert("RGB").resize((nw, nh), Image.Resampling.BILINEAR), ((cw - nw) // 2, (ch - nh) // 2)
    )
    return out


def picture_in_picture(
    image: Image.Image, rng: np.random.Generator, share: float, background: Image.Image
) -> Image.Image:
    """The picture at `share` of the width of a 16:9 frame filled by another picture, in a corner
    (with a 2 px white border, as players draw it)."""
    cw, ch = CANVAS_16_9
    frame = fit_aspect(background.convert("RGB"), cw / ch).resize(CANVAS_16_9, Image.Resampling.BILINEAR)
    w, h = image.size
    nw = round(cw * share)
    nh = max(1, round(h * nw / w))
    if nh > ch - 8:
        nh = ch - 8
        nw = max(1, round(w * nh / h))
    small = image.convert("RGB").resize((nw, nh), Image.Resampling.BILINEAR)
    margin = 12
    corner = int(rng.integers(0, 4))
    x = margin if corner in (0, 2) else cw - nw - margin
    y = margin if corner in (0, 1) else ch - nh - margin
    x, y = max(0, min(x, cw - nw)), max(0, min(y, ch - nh))
    draw = ImageDraw.Draw(frame)
    draw.rectangle((x - 2, y - 2, x + nw + 1, y + nh + 1), fill=(255, 255, 255))
    frame.paste(small, (x, y))
    return _jpeg(frame, 85)


def still_clip(frames: Iterator[Image.Image] | list[Image.Image], dst: Path, fps: int = 24) -> Path:
    """Encode frames as an H.264 clip (CRF 23, the encoders' default quality)."""
    return encode_video(dst, frames, fps=fps, crf=23)


def ken_burns_frames(
    image: Image.Image,
    rng: np.random.Generator,
    seconds: float = 6.0,
    fps: int = 24,
    end_zoom: float = 0.5,
    canvas: tuple[int, int] = CANVAS_16_9,
) -> Iterator[Image.Image]:
    """A slow zoom over a still, from the whole picture (cut to 16:9) to a window of `end_zoom` of its
    width and height, drifting towards a random point (a pan), as documentary edits do."""
    base = fit_aspect(image.convert("RGB"), canvas[0] / canvas[1])
    w, h = base.size
    tx, ty = float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.8))
    n = max(1, round(seconds * fps))
    for k in range(n):
        z = 1 - (1 - end_zoom) * k / max(1, n - 1)
        cw, ch = w * z, h * z
        x, y = (w - cw) * tx, (h - ch) * ty
        yield base.resize(canvas, Image.Resampling.BILINEAR, box=(x, y, x + cw, y + ch))
