"""Deterministic synthetic reference media: images and short clips drawn from a seed.

The tests, the robustness benchmark and the demo need reference works to register and copies of
them to screen, and none of them may depend on downloaded pictures (licences, network, size). So
they draw their own: every picture here is a pure function of ``(kind, seed, size)`` and every clip
of ``(seed, seconds, fps, size)``, identical on every machine and every run.

What matters for a perceptual-hash benchmark is that the pictures behave like real ones:

* they carry structure at the scales PDQ looks at (a 64x64 luminance thumbnail): a smooth gradient
  alone has almost no signal, so even the "gradient" kind gets bands, a radial glow and shapes;
* two different seeds give genuinely different pictures (many random parameters: layout, scale,
  position, palette, pose), otherwise the false-match rate on "unrelated" pictures would measure
  the generator's monotony instead of the matcher;
* the kinds span what a rightsholder registers: flat-colour graphics, text-heavy posters,
  line-art characters like anime key art, and composed scenes.

Line art is drawn at twice the size and scaled down (anti-aliased edges, as in real artwork).
"""

from __future__ import annotations

import colorsys
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

KINDS: tuple[str, ...] = ("shapes", "gradient", "text", "character", "scene")

Colour = tuple[int, int, int]
Point = tuple[float, float]

_SUPERSAMPLE = 2
# Line art is drawn at twice the size and scaled down for anti-aliased edges; gradients are smooth
# already and FreeType anti-aliases text, so those two are drawn at their final size (4x cheaper).
_SUPERSAMPLE_KINDS = {"shapes": _SUPERSAMPLE, "character": _SUPERSAMPLE, "scene": _SUPERSAMPLE}
_OUTLINE: Colour = (20, 18, 24)


def draw_image(kind: str, seed: int, size: tuple[int, int] = (512, 512)) -> Image.Image:
    """Draw the picture of `kind` for `seed`: an RGB image of exactly `size` (width, height).

    The same arguments always give the same pixels (the random stream is seeded from the kind and
    the seed with Python's string seeding, which is stable across processes and platforms).
    """
    if kind not in _DRAWERS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    width, height = size
    if width < 16 or height < 16:
        raise ValueError(f"size {size} is too small to draw on (at least 16x16)")
    rng = _rng("image", kind, seed)
    factor = _SUPERSAMPLE_KINDS.get(kind, 1)
    if factor == 1:
        return _DRAWERS[kind](rng, (width, height))
    return _DRAWERS[kind](rng, (width * factor, height * factor)).reduce(factor)


def draw_frames(
    seed: int, seconds: float = 6.0, fps: float = 24.0, size: tuple[int, int] = (320, 240)
) -> Iterator[Image.Image]:
    """Yield the frames of a short animated clip: ``round(seconds * fps)`` RGB images of `size`.

    The clip has 3 or 4 shots (2-3 hard cuts) to unrelated scenes, as trailers and short-form
    videos do; within a shot the camera holds or pans slowly over a background while a character
    walks and a few shapes fly across. Cuts matter to a video matcher (segments, scene changes),
    and motion makes neighbouring frames differ, so a frame hash sees a clip, not a slideshow.
    """
    width, height = size
    total = round(seconds * fps)
    if total <= 0:
        return
    rng = _rng("clip", "frames", seed)
    shots = _plan_shots(rng, total)
    for shot_index, (_start, length) in enumerate(shots):
        shot = _Shot.create(_rng("shot", str(seed), shot_index), (width, height), length, fps)
        for i in range(length):
            yield shot.frame(i)


def encode_video(
    path: Path | str,
    frames: Iterable[Image.Image],
    fps: float | Fraction = 24.0,
    codec: str = "libx264",
    crf: int | None = 23,
    bitrate: int | None = None,
    size: tuple[int, int] | None = None,
) -> Path:
    """Encode `frames` into a video file at `path` with PyAV and return the path.

    `codec` falls back to "mpeg4" (always built into FFmpeg) when this FFmpeg has no encoder of that
    name. Pixel format is yuv420p, what players and uploaders expect; it needs even dimensions, so
    the size (`size`, or the first frame's) is rounded down to even numbers and frames are scaled to
    it. Quality: `crf` for the x264/VPx encoders, else `bitrate` (bits per second); mpeg4 has no CRF
    and gets a bitrate of about 0.2 bits per pixel when none is given (its default, 200 kb/s, smears
    even a small clip).
    """
    import av

    path = Path(path)
    iterator = iter(frames)
    try:
        first = next(iterator)
    except StopIteration:
        raise ValueError("encode_video needs at least one frame") from None
    width, height = size or first.size
    width, height = max(2, width - width % 2), max(2, height - height % 2)
    codec = codec if _has_encoder(codec) else "mpeg4"
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = 1 / rate
        options: dict[str, str] = {}
        if codec == "libx264":
            options["preset"] = "veryfast"
        if codec in ("libx264", "libx265", "libvpx", "libvpx-vp9") and crf is not None and bitrate is None:
            options["crf"] = str(crf)
            if codec.startswith("libvpx"):
                options["b"] = "0"  # constant quality mode
        else:
            stream.bit_rate = bitrate or max(200_000, int(0.2 * width * height * float(rate)))
        if codec.startswith("libvpx"):
            options.update({"deadline": "realtime", "cpu-used": "8"})
        stream.options = options
        for index, image in enumerate(_chain(first, iterator)):
            if image.size != (width, height):
                image = image.resize((width, height), Image.Resampling.LANCZOS)
            frame = av.VideoFrame.from_image(image.convert("RGB"))
            frame.pts = index
            frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# --------------------------------------------------------------------------- random helpers


def _rng(*parts: object) -> random.Random:
    """A random stream for these parts; string seeds are hashed with SHA-512, stable everywhere."""
    return random.Random("kyodaku-synthetic:" + ":".join(str(p) for p in parts))


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def _hsv(h: float, s: float, v: float) -> Colour:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return (round(r * 255), round(g * 255), round(b * 255))


def _colour(
    rng: random.Random, s: tuple[float, float] = (0.4, 1.0), v: tuple[float, float] = (0.3, 1.0)
) -> Colour:
    return _hsv(rng.random(), rng.uniform(*s), rng.uniform(*v))


def _luma(c: Colour) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def _contrasting(rng: random.Random, background: Colour, min_diff: float = 90) -> Colour:
    """A random colour whose luminance differs from `background` by at least `min_diff`."""
    for _ in range(40):
        c = _colour(rng, (0.0, 1.0), (0.0, 1.0))
        if abs(_luma(c) - _luma(background)) >= min_diff:
            return c
    return (10, 10, 10) if _luma(background) > 127 else (245, 245, 245)


def _chain(first: Image.Image, rest: Iterator[Image.Image]) -> Iterator[Image.Image]:
    yield first
    yield from rest


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled default font at `size` px (a FreeType font since Pillow 10.1)."""
    return ImageFont.load_default(size=max(6, size))


@lru_cache(maxsize=16)
def _has_encoder(codec: str) -> bool:
    import av

    try:
        av.Codec(codec, "w")
    except Exception:
        return False
    return True


# --------------------------------------------------------------------------- backgrounds


def _blotches(rng: random.Random, size: tuple[int, int], cells: int, spread: float = 1.0) -> np.ndarray:
    """Smooth colour blotches: a tiny random colour grid scaled up bicubically (float32 HxWx3)."""
    width, height = size
    gen = _np_rng(rng)
    cx, cy = max(2, cells), max(2, round(cells * height / width))
    base = np.array(_colour(rng, (0.2, 0.9), (0.35, 0.95)), dtype=np.float32)
    grid = base + gen.normal(0.0, 70.0 * spread, size=(cy, cx, 3)).astype(np.float32)
    small = Image.fromarray(np.clip(grid, 0, 255).astype(np.uint8))
    return np.asarray(small.resize(size, Image.Resampling.BICUBIC), dtype=np.float32)


def _grain(rng: random.Random, array: np.ndarray, amount: int) -> np.ndarray:
    """Paper/canvas grain: small per-pixel noise, the texture real scans and paintings have."""
    gen = _np_rng(rng)
    noise = gen.integers(-amount, amount + 1, size=array.shape[:2], dtype=np.int16)
    return array + noise[..., None].astype(np.float32)


def _to_image(array: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), "RGB")


def _vertical_gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> np.ndarray:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.broadcast_to(column, (height, width, 3)).copy()


def _pattern_overlay(rng: random.Random, draw: ImageDraw.ImageDraw, size: tuple[int, int]) -> None:
    """A faint regular pattern (stripes, dots or a grid) in one colour: wallpaper and fabric."""
    width, height = size
    style = rng.choice(("stripes", "dots", "grid", "none", "none"))
    colour = _colour(rng, (0.1, 0.6), (0.5, 1.0))
    step = rng.uniform(0.04, 0.12) * width
    line = max(1, round(step * rng.uniform(0.08, 0.3)))
    if style == "stripes":
        slope = rng.uniform(-1.0, 1.0) * height
        x = -abs(slope)
        while x < width + abs(slope):
            draw.line([(x, 0), (x + slope, height)], fill=colour, width=line)
            x += step
    elif style == "dots":
        r = step * rng.uniform(0.1, 0.25)
        y = step / 2
        row = 0
        while y < height:
            x = step / 2 + (step / 2 if row % 2 else 0)
            while x < width:
                draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
                x += step
            y += step
            row += 1
    elif style == "grid":
        for x in np.arange(step / 2, width, step):
            draw.line([(x, 0), (x, height)], fill=colour, width=line)
        for y in np.arange(step / 2, height, step):
            draw.line([(0, y), (width, y)], fill=colour, width=line)


# --------------------------------------------------------------------------- shapes


def _polygon_points(rng: random.Random, cx: float, cy: float, r: float, star: bool) -> list[Point]:
    n = rng.randint(3, 9)
    rot = rng.uniform(0, 2 * math.pi)
    points: list[Point] = []
    inner = rng.uniform(0.35, 0.6)
    for k in range(n * (2 if star else 1)):
        a = rot + k * math.pi * (1 if star else 2) / n
        rad = r * (inner if star and k % 2 else rng.uniform(0.75, 1.0) if not star else 1.0)
        points.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return points


def _random_shape(
    rng: random.Random, draw: ImageDraw.ImageDraw, size: tuple[int, int], scale: tuple[float, float]
) -> None:
    """One filled or outlined shape (rectangle, ellipse, polygon, star, thick line, arc)."""
    width, height = size
    r = rng.uniform(*scale) * min(width, height)
    cx, cy = rng.uniform(-0.05, 1.05) * width, rng.uniform(-0.05, 1.05) * height
    fill = _colour(rng)
    outline = rng.choice((_OUTLINE, _colour(rng), None))
    line = max(2, round(r * rng.uniform(0.04, 0.15)))
    filled = rng.random() < 0.7
    kind = rng.choice(("rect", "ellipse", "polygon", "star", "line", "arc"))
    box = [cx - r, cy - r * rng.uniform(0.4, 1.0), cx + r, cy + r * rng.uniform(0.4, 1.0)]
    if kind == "rect":
        if rng.random() < 0.5:
            draw.rounded_rectangle(
                box, radius=r * 0.25, fill=fill if filled else None, outline=outline or fill, width=line
            )
        else:
            draw.rectangle(box, fill=fill if filled else None, outline=outline or fill, width=line)
    elif kind == "ellipse":
        draw.ellipse(box, fill=fill if filled else None, outline=outline or fill, width=line)
    elif kind in ("polygon", "star"):
        points = _polygon_points(rng, cx, cy, r, star=kind == "star")
        if filled:
            draw.polygon(points, fill=fill, outline=outline, width=line if outline else 1)
        else:
            draw.line([*points, points[0]], fill=outline or fill, width=line, joint="curve")
    elif kind == "line":
        a = rng.uniform(0, math.pi)
        draw.line(
            [(cx - r * math.cos(a), cy - r * math.sin(a)), (cx + r * math.cos(a), cy + r * math.sin(a))],
            fill=fill,
            width=max(line, round(r * 0.12)),
        )
    else:
        start = rng.uniform(0, 360)
        draw.arc(box, start, start + rng.uniform(90, 300), fill=fill, width=max(line, round(r * 0.1)))


def _draw_shapes(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Flat graphics: filled and outlined polygons, ellipses, stars over a textured background."""
    array = _blotches(rng, size, rng.randint(2, 6), spread=rng.uniform(0.5, 1.3))
    image = _to_image(_grain(rng, array, rng.randint(2, 10)))
    draw = ImageDraw.Draw(image)
    _pattern_overlay(rng, draw, size)
    for _ in range(rng.randint(2, 4)):  # a few large shapes set the composition
        _random_shape(rng, draw, size, (0.18, 0.4))
    for _ in range(rng.randint(4, 14)):
        _random_shape(rng, draw, size, (0.04, 0.18))
    return image


# --------------------------------------------------------------------------- gradient


def _draw_gradient(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A gradient with structure: linear ramp, radial glow, posterised bands and a few shapes.

    A pure smooth gradient has almost no PDQ signal (nearly all its energy is in one DCT
    coefficient), which makes every such picture look alike; bands and shapes give each seed
    edges of its own, as real gradient artwork (skies, sunsets, logos on backdrops) has.
    """
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    xs /= width
    ys /= height
    theta = rng.uniform(0, 2 * math.pi)
    t = xs * math.cos(theta) + ys * math.sin(theta)
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    c0 = np.asarray(_colour(rng), np.float32)
    c1 = np.asarray(_colour(rng), np.float32)
    array = c0 * (1 - t[..., None]) + c1 * t[..., None]
    # radial glow
    gx, gy = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9)
    radius = rng.uniform(0.25, 0.7)
    d = np.sqrt((xs - gx) ** 2 + (ys - gy) ** 2) / radius
    w = np.clip(1 - d, 0, 1) ** rng.uniform(0.7, 2.0)
    glow = np.asarray(_colour(rng, v=(0.7, 1.0)), np.float32)
    array = array * (1 - w[..., None]) + glow * w[..., None]
    # bands: one or two sets of posterised waves with their own direction and frequency
    for _ in range(rng.randint(1, 2)):
        phi = rng.uniform(0, 2 * math.pi)
        freq = rng.uniform(1.5, 7.0)
        u = xs * math.cos(phi) + ys * math.sin(phi)
        if rng.random() < 0.4:  # concentric rings instead of straight bands
            u = np.sqrt((xs - rng.random()) ** 2 + (ys - rng.random()) ** 2)
        wave = np.sin(2 * math.pi * freq * u + rng.uniform(0, 2 * math.pi))
        levels = rng.randint(2, 5)
        wave = np.round((wave + 1) / 2 * (levels - 1)) / (levels - 1) * 2 - 1
        tint = np.asarray(_colour(rng), np.float32) - 128.0
        # Light and dark as well as a hue: bands of one luminance (red against green of the same
        # brightness) are invisible to a luma hash; real artwork rarely relies on colour alone.
        light = rng.uniform(25.0, 60.0)
        array = array + wave[..., None] * (tint * rng.uniform(0.25, 0.55) + light)
    image = _to_image(array)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(rng.randint(2, 5)):
        _random_shape(rng, draw, size, (0.06, 0.25))
    alpha = np.asarray(overlay.getchannel("A"), np.float32) * rng.uniform(0.6, 1.0)
    overlay.putalpha(Image.fromarray(alpha.astype(np.uint8)))
    image.paste(overlay, (0, 0), overlay)
    return image


# --------------------------------------------------------------------------- text

_CONSONANTS = "bcdfghjklmnprstvwxyz"
_VOWELS = "aeiou"


def _word(rng: random.Random) -> str:
    n = rng.randint(2, 10)
    letters = [rng.choice(_CONSONANTS if (k + rng.randint(0, 1)) % 2 == 0 else _VOWELS) for k in range(n)]
    word = "".join(letters)
    roll = rng.random()
    if roll < 0.2:
        word = word.capitalize()
    elif roll < 0.27:
        word = word.upper()
    elif roll < 0.33:
        word = str(rng.randint(1, 9999))
    if rng.random() < 0.1:
        word += rng.choice(".,!?:;")
    return word


def _text_block(
    rng: random.Random,
    draw: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    font_px: int,
    colour: Colour,
) -> None:
    """Fill `box` with words at `font_px`, wrapping lines like a paragraph (ragged right)."""
    x0, y0, x1, y1 = box
    font = _font(font_px)
    line_h = font_px * rng.uniform(1.15, 1.6)
    y = y0
    while y + font_px <= y1:
        x = x0 + (rng.uniform(0, 0.3) * (x1 - x0) if rng.random() < 0.1 else 0)
        while True:
            word = _word(rng)
            w = font.getlength(word)
            if x + w > x1:
                break
            draw.text((x, y), word, font=font, fill=colour)
            x += w + font.getlength(" ") * rng.uniform(0.8, 1.6)
        y += line_h
        if rng.random() < 0.12:  # paragraph break
            y += line_h


def _draw_text(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A text-heavy page: headline, sub-heads, paragraphs in several sizes, banners and rules."""
    width, height = size
    paper = (
        _colour(rng, (0.0, 0.35), (0.75, 1.0)) if rng.random() < 0.7 else _colour(rng, (0.3, 0.9), (0.1, 0.4))
    )
    if rng.random() < 0.5:
        image = _to_image(_vertical_gradient(size, paper, _colour(rng, (0.0, 0.5), (0.4, 1.0))))
    else:
        image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    ink = _contrasting(rng, paper, 110)
    accent = _colour(rng, (0.5, 1.0), (0.4, 0.9))
    margin = rng.uniform(0.03, 0.1) * width
    y = rng.uniform(0.02, 0.12) * height
    columns = rng.choice((1, 1, 2, 3))
    while y < height * 0.92:
        roll = rng.random()
        if roll < 0.3:  # headline (maybe on a banner)
            px = round(rng.uniform(0.07, 0.16) * height)
            banner = rng.random() < 0.45
            text_colour = ink
            if banner:
                fill = accent if rng.random() < 0.6 else _colour(rng)
                draw.rectangle(
                    [0 if rng.random() < 0.5 else margin, y - px * 0.15, width, y + px * 1.25], fill=fill
                )
                text_colour = _contrasting(rng, fill, 100)
            words = " ".join(_word(rng) for _ in range(rng.randint(1, 3)))
            x = margin + rng.uniform(0, 0.35) * width
            draw.text((x, y), words, font=_font(px), fill=text_colour)
            y += px * rng.uniform(1.4, 2.0)
        elif roll < 0.4:  # rule or box
            thickness = max(2, round(height * rng.uniform(0.004, 0.015)))
            draw.rectangle([margin, y, width - margin * rng.uniform(1, 4), y + thickness], fill=accent)
            y += thickness + height * rng.uniform(0.02, 0.05)
        else:  # paragraph(s) in columns
            px = round(rng.uniform(0.025, 0.06) * height)
            block_h = rng.uniform(0.1, 0.35) * height
            gap = margin * 0.6
            col_w = (width - 2 * margin - gap * (columns - 1)) / columns
            for c in range(columns):
                if rng.random() < 0.15 and columns > 1:
                    continue  # an empty column (picture space)
                x0 = margin + c * (col_w + gap)
                _text_block(
                    rng,
                    draw,
                    (x0, y, x0 + col_w, min(height * 0.97, y + block_h)),
                    px,
                    ink if rng.random() < 0.85 else accent,
                )
            y += block_h + height * rng.uniform(0.02, 0.06)
    if rng.random() < 0.35:  # a frame around the page
        w = max(2, round(width * rng.uniform(0.005, 0.02)))
        inset = rng.uniform(0.0, 0.04) * width
        draw.rectangle([inset, inset, width - inset, height - inset], outline=accent, width=w)
    return image


# --------------------------------------------------------------------------- character


@dataclass(frozen=True)
class _CharacterSpec:
    """The look of one line-art character: proportions, palette, hair style, accessory."""

    skin: Colour
    hair: Colour
    eyes: Colour
    shirt: Colour
    legwear: Colour
    shoes: Colour
    accent: Colour
    head: float  # head radius / body height
    shoulders: float  # half shoulder width / head radius
    torso: float  # torso length / body height
    arm: float  # each arm segment / body height
    limb: float  # limb thickness / body height
    outline: float  # outline width / body height
    hair_style: str
    spikes: tuple[float, ...]  # spike lengths (x head radius)
    fringe: int
    eye_size: float
    eye_sep: float
    eye_height: float
    eye_ratio: float
    mouth: str
    accessory: str
    skirt: bool

    @classmethod
    def random(cls, rng: random.Random) -> _CharacterSpec:
        skin = rng.choice(
            (
                (255, 224, 196),
                (250, 208, 170),
                (222, 170, 130),
                (170, 118, 84),
                (120, 82, 60),
                _colour(rng, (0.2, 0.6), (0.8, 1.0)),
            )
        )
        style = rng.choice(("spiky", "spiky", "long", "bob", "twintails"))
        n = rng.randint(5, 12)
        return cls(
            skin=skin,
            hair=_colour(rng, (0.3, 1.0), (0.2, 1.0)),
            eyes=_colour(rng, (0.5, 1.0), (0.4, 1.0)),
            shirt=_colour(rng),
            legwear=_colour(rng, v=(0.15, 0.9)),
            shoes=_colour(rng, v=(0.1, 0.7)),
            accent=_colour(rng, (0.6, 1.0), (0.6, 1.0)),
            head=rng.uniform(0.1, 0.2),
            shoulders=rng.uniform(0.8, 1.5),
            torso=rng.uniform(0.22, 0.32),
            arm=rng.uniform(0.12, 0.18),
            limb=rng.uniform(0.03, 0.06),
            outline=rng.uniform(0.006, 0.014),
            hair_style=style,
            spikes=tuple(rng.uniform(1.25, 1.9) for _ in range(n)),
            fringe=rng.randint(3, 7),
            eye_size=rng.uniform(0.18, 0.3),
            eye_sep=rng.uniform(0.3, 0.48),
            eye_height=rng.uniform(0.0, 0.25),
            eye_ratio=rng.uniform(1.1, 1.7),
            mouth=rng.choice(("smile", "open", "flat", "cat")),
            accessory=rng.choice(("none", "cat_ears", "ribbon", "hat", "horn", "none")),
            skirt=rng.random() < 0.4,
        )


@dataclass(frozen=True)
class _Pose:
    """Limb angles in degrees from straight down (positive: towards +x), and knee/elbow bends."""

    arm_l: float
    arm_r: float
    elbow_l: float
    elbow_r: float
    leg_l: float
    leg_r: float
    knee_l: float
    knee_r: float
    tilt: float  # head tilt in head radii (sideways offset)

    @classmethod
    def random(cls, rng: random.Random) -> _Pose:
        return cls(
            arm_l=rng.uniform(-170, -10),
            arm_r=rng.uniform(10, 170),
            elbow_l=rng.uniform(-60, 60),
            elbow_r=rng.uniform(-60, 60),
            leg_l=rng.uniform(-35, 0),
            leg_r=rng.uniform(0, 35),
            knee_l=rng.uniform(-30, 30),
            knee_r=rng.uniform(-30, 30),
            tilt=rng.uniform(-0.15, 0.15),
        )

    @classmethod
    def walking(cls, phase: float, stride: float = 28.0) -> _Pose:
        s = math.sin(phase)
        return cls(
            arm_l=-12 - 22 * s,
            arm_r=12 - 22 * s,
            elbow_l=-20,
            elbow_r=20,
            leg_l=stride * s,
            leg_r=-stride * s,
            knee_l=-25 * max(0.0, -s),
            knee_r=-25 * max(0.0, s),
            tilt=0.04 * math.sin(2 * phase),
        )


def _along(p: Point, angle_deg: float, length: float) -> Point:
    a = math.radians(angle_deg)
    return (p[0] + math.sin(a) * length, p[1] + math.cos(a) * length)


def _limb(draw: ImageDraw.ImageDraw, points: list[Point], width: float, fill: Colour, outline: float) -> None:
    """A rounded limb with a line-art outline: a thicker dark stroke under the coloured one."""
    ow = max(1, round(outline))
    w = max(1, round(width))
    for stroke, colour in ((w + 2 * ow, _OUTLINE), (w, fill)):
        draw.line(points, fill=colour, width=stroke, joint="curve")
        r = stroke / 2
        for x, y in (points[0], points[-1]):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


def _draw_character(
    draw: ImageDraw.ImageDraw,
    spec: _CharacterSpec,
    pose: _Pose,
    cx: float,
    ground: float,
    height: float,
    facing: int = 1,
) -> None:
    """Draw a chibi/anime-style figure standing on `ground`, centred on `cx`, `height` px tall."""
    ow = max(1.0, spec.outline * height)
    r = spec.head * height
    top = ground - height
    head = (cx + pose.tilt * r * facing, top + r * 1.05)
    neck_y = head[1] + r * 0.9
    torso_len = spec.torso * height
    hip_y = neck_y + torso_len
    shoulder_w = spec.shoulders * r
    leg_len = max(r * 0.5, (ground - hip_y) / 2 - ow)
    limb_w = spec.limb * height
    arm_len = spec.arm * height

    # long hair falls behind the body
    if spec.hair_style == "long":
        hw = r * 1.25
        draw.rounded_rectangle(
            [head[0] - hw, head[1] - r * 0.3, head[0] + hw, head[1] + r * 2.6],
            radius=r * 0.6,
            fill=spec.hair,
            outline=_OUTLINE,
            width=round(ow),
        )
    elif spec.hair_style == "twintails":
        for side in (-1, 1):
            tx = head[0] + side * r * 1.25
            draw.ellipse(
                [tx - r * 0.45, head[1] - r * 0.2, tx + r * 0.45, head[1] + r * 2.2],
                fill=spec.hair,
                outline=_OUTLINE,
                width=round(ow),
            )

    # legs
    for hip_x, leg, knee in (
        (cx - shoulder_w * 0.35, pose.leg_l, pose.knee_l),
        (cx + shoulder_w * 0.35, pose.leg_r, pose.knee_r),
    ):
        hip = (hip_x, hip_y)
        knee_p = _along(hip, leg * facing, leg_len)
        foot = _along(knee_p, (leg + knee) * facing, leg_len)
        _limb(draw, [hip, knee_p, foot], limb_w * 1.1, spec.legwear if not spec.skirt else spec.skin, ow)
        fw = limb_w * 1.1
        back, front = (fw * 0.6, fw * 1.4) if facing > 0 else (fw * 1.4, fw * 0.6)
        draw.ellipse(
            [foot[0] - back, foot[1] - fw * 0.5, foot[0] + front, foot[1] + fw * 0.5],
            fill=spec.shoes,
            outline=_OUTLINE,
            width=round(ow),
        )

    # torso (and skirt)
    waist = shoulder_w * 0.75
    torso = [
        (cx - shoulder_w, neck_y + r * 0.15),
        (cx + shoulder_w, neck_y + r * 0.15),
        (cx + waist, hip_y),
        (cx - waist, hip_y),
    ]
    draw.polygon(torso, fill=spec.shirt, outline=_OUTLINE, width=round(ow))
    if spec.skirt:
        flare = shoulder_w * 1.3
        skirt = [
            (cx - waist, hip_y - torso_len * 0.1),
            (cx + waist, hip_y - torso_len * 0.1),
            (cx + flare, hip_y + leg_len * 0.8),
            (cx - flare, hip_y + leg_len * 0.8),
        ]
        draw.polygon(skirt, fill=spec.legwear, outline=_OUTLINE, width=round(ow))
    # a collar / emblem in the accent colour
    er = r * 0.22
    draw.ellipse(
        [cx - er, neck_y + r * 0.45, cx + er, neck_y + r * 0.45 + 2 * er],
        fill=spec.accent,
        outline=_OUTLINE,
        width=max(1, round(ow * 0.7)),
    )

    # arms
    for side, arm, elbow in ((-1, pose.arm_l, pose.elbow_l), (1, pose.arm_r, pose.elbow_r)):
        shoulder = (cx + side * shoulder_w * 0.9, neck_y + r * 0.3)
        elbow_p = _along(shoulder, arm, arm_len)
        hand = _along(elbow_p, arm + elbow, arm_len)
        _limb(draw, [shoulder, elbow_p], limb_w, spec.shirt, ow)
        _limb(draw, [elbow_p, hand], limb_w * 0.9, spec.skin, ow)
        hr = limb_w * 0.75
        draw.ellipse(
            [hand[0] - hr, hand[1] - hr, hand[0] + hr, hand[1] + hr],
            fill=spec.skin,
            outline=_OUTLINE,
            width=round(ow),
        )

    # head
    hx, hy = head
    if spec.accessory == "cat_ears":
        for side in (-1, 1):
            ear = [
                (hx + side * r * 0.35, hy - r * 0.7),
                (hx + side * r * 0.95, hy - r * 0.35),
                (hx + side * r * 0.85, hy - r * 1.45),
            ]
            draw.polygon(ear, fill=spec.hair, outline=_OUTLINE, width=round(ow))
    elif spec.accessory == "horn":
        draw.polygon(
            [(hx - r * 0.15, hy - r * 0.9), (hx + r * 0.15, hy - r * 0.9), (hx, hy - r * 1.8)],
            fill=spec.accent,
            outline=_OUTLINE,
            width=round(ow),
        )
    draw.ellipse([hx - r, hy - r, hx + r, hy + r * 1.05], fill=spec.skin, outline=_OUTLINE, width=round(ow))

    # hair: spiky crown plus a zig-zag fringe over the forehead
    n = len(spec.spikes)
    if spec.hair_style in ("spiky", "twintails", "long", "bob"):
        a0, a1 = math.pi * 0.92, math.pi * 2.08
        outer: list[Point] = []
        for k in range(2 * n + 1):
            a = a0 + (a1 - a0) * k / (2 * n)
            rad = r * (spec.spikes[k // 2] if k % 2 and spec.hair_style == "spiky" else 1.12)
            if spec.hair_style == "bob" and k % 2:
                rad = r * 1.2
            outer.append((hx + rad * math.cos(a), hy + rad * math.sin(a)))
        if spec.hair_style == "bob":
            outer = [(hx + r * 1.2, hy + r * 0.7), *outer, (hx - r * 1.2, hy + r * 0.7)]
            outer = outer[::-1]
        fringe: list[Point] = []
        m = spec.fringe
        for k in range(m * 2 + 1):
            fx = hx + r * 1.05 - 2.1 * r * k / (2 * m)
            fy = hy - r * (0.05 if k % 2 else 0.45)
            fringe.append((fx, fy))
        draw.polygon(outer + fringe, fill=spec.hair, outline=_OUTLINE, width=round(ow))

    # eyes, brows, mouth
    ey = hy + spec.eye_height * r
    ew = spec.eye_size * r
    eh = ew * spec.eye_ratio
    for side in (-1, 1):
        ex = hx + side * spec.eye_sep * r + pose.tilt * r * facing
        draw.ellipse(
            [ex - ew, ey - eh, ex + ew, ey + eh],
            fill=(250, 250, 250),
            outline=_OUTLINE,
            width=max(1, round(ow)),
        )
        draw.ellipse([ex - ew * 0.75, ey - eh * 0.55, ex + ew * 0.75, ey + eh * 0.95], fill=spec.eyes)
        draw.ellipse([ex - ew * 0.35, ey - eh * 0.1, ex + ew * 0.35, ey + eh * 0.6], fill=_OUTLINE)
        hr = ew * 0.28
        draw.ellipse(
            [ex - ew * 0.4 - hr, ey - eh * 0.45 - hr, ex - ew * 0.4 + hr, ey - eh * 0.45 + hr],
            fill=(255, 255, 255),
        )
        by = ey - eh - r * 0.12
        draw.line(
            [(ex - ew, by + side * r * 0.03), (ex + ew, by - side * r * 0.03)],
            fill=_OUTLINE,
            width=max(1, round(ow * 0.8)),
        )
    my = hy + r * 0.62
    mw = r * 0.18
    if spec.mouth == "smile":
        draw.arc([hx - mw, my - mw, hx + mw, my + mw * 0.6], 20, 160, fill=_OUTLINE, width=max(1, round(ow)))
    elif spec.mouth == "open":
        draw.ellipse(
            [hx - mw * 0.7, my - mw * 0.4, hx + mw * 0.7, my + mw * 0.7],
            fill=(190, 60, 70),
            outline=_OUTLINE,
            width=max(1, round(ow * 0.8)),
        )
    elif spec.mouth == "cat":
        draw.line(
            [(hx - mw, my), (hx - mw / 2, my + mw / 2), (hx, my), (hx + mw / 2, my + mw / 2), (hx + mw, my)],
            fill=_OUTLINE,
            width=max(1, round(ow * 0.8)),
        )
    else:
        draw.line([(hx - mw * 0.6, my), (hx + mw * 0.6, my)], fill=_OUTLINE, width=max(1, round(ow * 0.8)))

    if spec.accessory == "ribbon":
        rx, ry = hx + r * 0.6, hy - r * 0.85
        s = r * 0.4
        draw.polygon(
            [(rx, ry), (rx - s, ry - s * 0.6), (rx - s, ry + s * 0.6)],
            fill=spec.accent,
            outline=_OUTLINE,
            width=round(ow),
        )
        draw.polygon(
            [(rx, ry), (rx + s, ry - s * 0.6), (rx + s, ry + s * 0.6)],
            fill=spec.accent,
            outline=_OUTLINE,
            width=round(ow),
        )
    elif spec.accessory == "hat":
        draw.rectangle(
            [hx - r * 1.35, hy - r * 0.95, hx + r * 1.35, hy - r * 0.75],
            fill=spec.accent,
            outline=_OUTLINE,
            width=round(ow),
        )
        draw.rounded_rectangle(
            [hx - r * 0.8, hy - r * 1.75, hx + r * 0.8, hy - r * 0.85],
            radius=r * 0.2,
            fill=spec.accent,
            outline=_OUTLINE,
            width=round(ow),
        )


def _simple_background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Plain colour, a wall/floor split, a soft vertical gradient, maybe a light pattern."""
    width, height = size
    wall = _colour(rng, (0.0, 0.6), (0.55, 1.0))
    style = rng.choice(("plain", "split", "gradient", "gradient"))
    if style == "plain":
        image = Image.new("RGB", size, wall)
    elif style == "split":
        image = Image.new("RGB", size, wall)
        ImageDraw.Draw(image).rectangle(
            [0, rng.uniform(0.55, 0.85) * height, width, height], fill=_colour(rng, (0.1, 0.7), (0.3, 0.9))
        )
    else:
        image = _to_image(_vertical_gradient(size, wall, _colour(rng, (0.0, 0.7), (0.3, 1.0))))
    if rng.random() < 0.4:
        _pattern_overlay(rng, ImageDraw.Draw(image), (width, round(height * rng.uniform(0.4, 1.0))))
    return image


def _draw_character_image(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """One line-art character (random proportions, palette, pose) on a plain or simple background."""
    width, height = size
    image = _simple_background(rng, size)
    draw = ImageDraw.Draw(image)
    spec = _CharacterSpec.random(rng)
    ground = rng.uniform(0.75, 1.12) * height
    fig_h = rng.uniform(0.5, min(1.05, ground / height)) * height  # the head stays in the frame
    cx = rng.uniform(0.25, 0.75) * width
    _draw_character(draw, spec, _Pose.random(rng), cx, ground, fig_h, facing=rng.choice((-1, 1)))
    if rng.random() < 0.3:  # a sidekick or a prop
        for _ in range(rng.randint(1, 3)):
            _random_shape(rng, draw, size, (0.04, 0.1))
    return image


# --------------------------------------------------------------------------- scene


def _draw_landscape(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Sky, sun or moon, clouds, mountain layers, ground bands and trees or houses."""
    width, height = size
    palette = rng.choice(("day", "sunset", "night", "alien"))
    if palette == "day":
        sky = (
            _hsv(rng.uniform(0.53, 0.63), rng.uniform(0.4, 0.8), rng.uniform(0.7, 1.0)),
            _hsv(rng.uniform(0.5, 0.6), rng.uniform(0.1, 0.4), 1.0),
        )
    elif palette == "sunset":
        sky = (
            _hsv(rng.uniform(0.65, 0.85), rng.uniform(0.4, 0.8), rng.uniform(0.3, 0.6)),
            _hsv(rng.uniform(0.0, 0.12), rng.uniform(0.5, 0.9), 1.0),
        )
    elif palette == "night":
        sky = (
            _hsv(rng.uniform(0.6, 0.7), 0.8, rng.uniform(0.05, 0.2)),
            _hsv(rng.uniform(0.6, 0.75), 0.6, rng.uniform(0.25, 0.45)),
        )
    else:
        sky = (_colour(rng), _colour(rng))
    horizon = rng.uniform(0.4, 0.75) * height
    image = _to_image(_vertical_gradient(size, sky[0], sky[1]))
    draw = ImageDraw.Draw(image)
    # sun / moon
    sr = rng.uniform(0.04, 0.12) * height
    sx, sy = rng.uniform(0.05, 0.95) * width, rng.uniform(0.08, 0.5) * horizon
    draw.ellipse(
        [sx - sr, sy - sr, sx + sr, sy + sr], fill=_hsv(rng.uniform(0.1, 0.17), rng.uniform(0, 0.6), 1.0)
    )
    if palette == "night":
        for _ in range(rng.randint(20, 60)):
            x, y = rng.random() * width, rng.random() * horizon
            s = rng.uniform(0.002, 0.006) * width
            draw.ellipse([x - s, y - s, x + s, y + s], fill=(255, 255, 230))
    # clouds
    for _ in range(rng.randint(0, 4)):
        cx, cy = rng.random() * width, rng.uniform(0.05, 0.6) * horizon
        cloud = _hsv(0, 0, rng.uniform(0.8, 1.0)) if palette != "night" else (70, 70, 95)
        for _ in range(rng.randint(3, 6)):
            rx, ry = rng.uniform(0.04, 0.1) * width, rng.uniform(0.025, 0.06) * height
            ox, oy = rng.uniform(-0.08, 0.08) * width, rng.uniform(-0.02, 0.02) * height
            draw.ellipse([cx + ox - rx, cy + oy - ry, cx + ox + rx, cy + oy + ry], fill=cloud)
    # mountain layers, far (light) to near (dark)
    layers = rng.randint(1, 3)
    base = _colour(rng, (0.2, 0.7), (0.3, 0.8))
    for layer in range(layers):
        shade = 1.0 - 0.25 * layer
        colour = tuple(round(c * shade) for c in base)
        top = horizon - rng.uniform(0.1, 0.35) * height * (1 - 0.25 * layer)
        points = [(0.0, horizon + 1)]
        x = 0.0
        while x < width:
            points.append((x, rng.uniform(top, horizon)))
            x += rng.uniform(0.06, 0.2) * width
        points += [(float(width), rng.uniform(top, horizon)), (float(width), horizon + 1)]
        draw.polygon(points, fill=colour)  # type: ignore[arg-type]
    # ground bands (fields, road, water)
    ground = _colour(rng, (0.3, 0.8), (0.3, 0.8))
    draw.rectangle([0, horizon, width, height], fill=ground)
    y = horizon
    while y < height:
        band = rng.uniform(0.03, 0.12) * height
        if rng.random() < 0.5:
            draw.rectangle([0, y, width, y + band], fill=_colour(rng, (0.2, 0.8), (0.2, 0.8)))
        y += band + rng.uniform(0.02, 0.1) * height
    # trees and houses along the horizon
    for _ in range(rng.randint(0, 6)):
        tx = rng.random() * width
        base_y = horizon + rng.uniform(0.0, 0.2) * (height - horizon)
        s = rng.uniform(0.04, 0.12) * height
        if rng.random() < 0.6:
            draw.rectangle([tx - s * 0.12, base_y - s * 0.5, tx + s * 0.12, base_y], fill=(90, 60, 40))
            draw.polygon(
                [(tx - s * 0.6, base_y - s * 0.4), (tx + s * 0.6, base_y - s * 0.4), (tx, base_y - s * 2)],
                fill=_hsv(rng.uniform(0.22, 0.4), rng.uniform(0.4, 0.9), rng.uniform(0.25, 0.7)),
                outline=_OUTLINE,
                width=max(1, round(s * 0.05)),
            )
        else:
            wall = _colour(rng, (0.1, 0.5), (0.6, 1.0))
            draw.rectangle(
                [tx - s, base_y - s * 1.2, tx + s, base_y],
                fill=wall,
                outline=_OUTLINE,
                width=max(1, round(s * 0.05)),
            )
            draw.polygon(
                [(tx - s * 1.2, base_y - s * 1.2), (tx + s * 1.2, base_y - s * 1.2), (tx, base_y - s * 2.1)],
                fill=_colour(rng),
                outline=_OUTLINE,
                width=max(1, round(s * 0.05)),
            )
            draw.rectangle(
                [tx - s * 0.25, base_y - s * 0.6, tx + s * 0.25, base_y], fill=_colour(rng, v=(0.1, 0.5))
            )
    return image


def _draw_scene(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A landscape with one or two characters and a few shapes (kites, balloons, signs)."""
    width, height = size
    image = _draw_landscape(rng, size)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(0, 4)):
        _random_shape(rng, draw, size, (0.03, 0.1))
    for _ in range(rng.choice((1, 1, 1, 2))):
        spec = _CharacterSpec.random(rng)
        _draw_character(
            draw,
            spec,
            _Pose.random(rng),
            rng.uniform(0.15, 0.85) * width,
            rng.uniform(0.8, 1.0) * height,
            rng.uniform(0.35, 0.8) * height,
            facing=rng.choice((-1, 1)),
        )
    return image


_DRAWERS = {
    "shapes": _draw_shapes,
    "gradient": _draw_gradient,
    "text": _draw_text,
    "character": _draw_character_image,
    "scene": _draw_scene,
}


# --------------------------------------------------------------------------- clips


def _plan_shots(rng: random.Random, total: int) -> list[tuple[int, int]]:
    """Split `total` frames into 3-4 shots of at least a sixth of the clip each: (start, length)."""
    n = rng.choice((3, 3, 4))
    n = max(1, min(n, total // 4 or 1))
    weights = [rng.uniform(1.0, 2.0) for _ in range(n)]
    lengths = [max(1, round(total * w / sum(weights))) for w in weights]
    lengths[-1] = total - sum(lengths[:-1])
    while lengths[-1] < 1:  # rounding overshoot on tiny clips
        i = max(range(n - 1), key=lambda k: lengths[k])
        lengths[i] -= 1
        lengths[-1] += 1
    shots, start = [], 0
    for length in lengths:
        shots.append((start, length))
        start += length
    return shots


@dataclass
class _Mover:
    """A shape crossing the frame: start point, velocity (px/frame), radius, spin, colour."""

    x: float
    y: float
    vx: float
    vy: float
    r: float
    spin: float
    colour: Colour
    sides: int
    bounce: float


@dataclass
class _Shot:
    """One shot of a clip: a pre-drawn background panned by the camera, a walker and movers.

    Speeds are per second of the clip, at the pace of ordinary footage: the camera is still or
    pans by 2-8% of the width a second, the character walks 5-20% of the width a second, props
    fly 5-30%. (Faster motion makes two frames a fraction of a second apart look like different
    pictures to a frame hash, which is a property of action scenes, not of every clip.)
    """

    background: Image.Image
    size: tuple[int, int]
    length: int
    pan: float  # camera offset change, px per frame (negative: pans left)
    spec: _CharacterSpec | None
    walk_from: float
    walk_speed: float  # px per frame (signed)
    ground: float
    fig_h: float
    facing: int
    movers: list[_Mover]
    stride_frames: float

    @classmethod
    def create(cls, rng: random.Random, size: tuple[int, int], length: int, fps: float) -> _Shot:
        width, height = size
        ss = _SUPERSAMPLE
        pan_speed = 0.0 if rng.random() < 0.35 else rng.uniform(0.02, 0.08) * width / fps
        pan_span = math.ceil(pan_speed * length) + 2
        big = ((width + pan_span) * ss, height * ss)
        setting = rng.choice(("landscape", "landscape", "room", "abstract", "gradient"))
        if setting == "landscape":
            background = _draw_landscape(rng, big)
        elif setting == "room":
            background = _simple_background(rng, big)
            draw = ImageDraw.Draw(background)
            for _ in range(rng.randint(1, 4)):  # windows, pictures, furniture
                _random_shape(rng, draw, big, (0.05, 0.2))
        elif setting == "abstract":
            background = _draw_shapes(rng, big)
        else:
            background = _draw_gradient(rng, big)
        background = background.reduce(ss)
        spec = _CharacterSpec.random(rng) if setting == "room" or rng.random() < 0.85 else None
        facing = rng.choice((-1, 1))
        start = rng.uniform(0.2, 0.5) * width
        movers = []
        for _ in range(rng.randint(1, 3)):
            speed = rng.uniform(0.05, 0.3) * width / fps
            movers.append(
                _Mover(
                    x=rng.random() * width,
                    y=rng.uniform(0.1, 0.6) * height,
                    vx=rng.choice((-1, 1)) * speed,
                    vy=rng.uniform(-0.3, 0.3) * speed,
                    r=rng.uniform(0.04, 0.1) * height,
                    spin=rng.uniform(-2.0, 2.0) / fps,
                    colour=_colour(rng),
                    sides=rng.randint(0, 6),
                    bounce=rng.uniform(0, 0.08) * height,
                )
            )
        return cls(
            background=background,
            size=size,
            length=length,
            pan=rng.choice((-1, 1)) * pan_speed,
            spec=spec,
            walk_from=start if facing > 0 else width - start,
            walk_speed=facing * rng.uniform(0.05, 0.2) * width / fps,
            ground=rng.uniform(0.85, 1.0) * height,
            fig_h=rng.uniform(0.45, 0.85) * height,
            facing=facing,
            movers=movers,
            stride_frames=fps * rng.uniform(0.8, 1.2),
        )

    def frame(self, i: int) -> Image.Image:
        width, height = self.size
        span = self.background.width - width
        offset = i * self.pan if self.pan >= 0 else span + i * self.pan
        offset = min(max(0.0, offset), float(span))
        image = self.background.crop((round(offset), 0, round(offset) + width, height))
        draw = ImageDraw.Draw(image)
        for m in self.movers:
            x, y = m.x + m.vx * i, m.y + m.vy * i - abs(math.sin(i / 6)) * m.bounce
            if m.sides < 3:
                draw.ellipse([x - m.r, y - m.r, x + m.r, y + m.r], fill=m.colour, outline=_OUTLINE, width=2)
            else:
                pts = [
                    (
                        x + m.r * math.cos(m.spin * i + 2 * math.pi * k / m.sides),
                        y + m.r * math.sin(m.spin * i + 2 * math.pi * k / m.sides),
                    )
                    for k in range(m.sides)
                ]
                draw.polygon(pts, fill=m.colour, outline=_OUTLINE, width=2)
        if self.spec is not None:
            cx = self.walk_from + self.walk_speed * i
            _draw_character(
                draw,
                self.spec,
                _Pose.walking(2 * math.pi * i / self.stride_frames),
                cx,
                self.ground,
                self.fig_h,
                facing=self.facing,
            )
        return image
