"""The pictures and the clip `kyodaku demo` attaches as references, drawn from a seed.

The demo must run offline and ship no artwork, so it draws its own: a detailed reference picture
(a line-art figure among outlined shapes, enough edges for PDQ's quality and for ORB keypoints), an
unrelated landscape, and a short clip of a few panned shots with hard cuts. Every picture is a pure
function of its seed. (The tests and benchmarks use the richer, uninstalled kyodaku_samples.)
"""

from __future__ import annotations

import colorsys
import math
import random
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

Size = tuple[int, int]
_INK = (20, 18, 24)


def _rng(*parts: object) -> random.Random:
    return random.Random("kyodaku-demo:" + ":".join(str(p) for p in parts))


def _colour(rng: random.Random, s: float = 0.7, v: float = 0.85) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.uniform(s * 0.5, s), rng.uniform(v * 0.5, v))
    return (round(r * 255), round(g * 255), round(b * 255))


def _gradient(rng: random.Random, size: Size) -> Image.Image:
    width, height = size
    top, bottom = np.array(_colour(rng), np.float32), np.array(_colour(rng), np.float32)
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = top * (1 - t) + bottom * t
    return Image.fromarray(np.broadcast_to(column, (height, width, 3)).astype(np.uint8), "RGB")


def _box(x: float, y: float, rx: float, ry: float) -> list[float]:
    return [x - rx, y - ry, x + rx, y + ry]


def _shapes(rng: random.Random, draw: ImageDraw.ImageDraw, size: Size, count: int, scale: float) -> None:
    """Outlined polygons, ellipses, boxes and thick lines: corners and edges at every scale."""
    for _ in range(count):
        r = rng.uniform(0.3, 1.0) * scale * min(size)
        cx, cy = rng.uniform(0, size[0]), rng.uniform(0, size[1])
        fill, ink = _colour(rng), {"outline": _INK, "width": max(2, round(r * 0.08))}
        kind, n, turn = rng.choice(("polygon", "ellipse", "rect", "line")), rng.randint(3, 7), rng.random()
        if kind == "polygon":
            corners = [(r * rng.uniform(0.6, 1.0), 2 * math.pi * (turn + k / n)) for k in range(n)]
            draw.polygon([(cx + q * math.cos(a), cy + q * math.sin(a)) for q, a in corners], fill, **ink)
        elif kind == "line":
            draw.line(_box(cx, cy, r, r * 0.4), fill, ink["width"] * 2)
        else:
            (draw.ellipse if kind == "ellipse" else draw.rectangle)(_box(cx, cy, r, r * 0.6), fill, **ink)


def _figure(rng: random.Random, draw: ImageDraw.ImageDraw, cx: float, ground: float, h: float) -> None:
    """A line-art character: legs, arms, a body, a head with eyes and a mouth, ears or a hat."""
    body, skin, accent, w = _colour(rng), _colour(rng, 0.4, 1.0), _colour(rng), max(2, round(h * 0.015))
    r, hip, neck = h * 0.16, ground - h * 0.4, ground - h * 0.68
    hy, ears, ink = neck - r * 0.9, rng.random() < 0.5, {"outline": _INK, "width": w}
    for side in (-1, 1):
        draw.line([(cx + side * h * 0.06, hip), (cx + side * h * 0.12, ground)], fill=_INK, width=w * 4)
        draw.line([(cx + side * h * 0.12, neck), (cx + side * h * 0.3, hip)], fill=_INK, width=w * 3)
        if ears:
            ex, top = cx + side * r * 0.7, hy - r * 0.6
            draw.polygon(
                [(ex - r * 0.3, top), (ex + r * 0.3, top), (ex + side * r * 0.3, top - r)], accent, **ink
            )
    draw.rounded_rectangle([cx - h * 0.13, neck, cx + h * 0.13, hip + h * 0.04], h * 0.05, body, **ink)
    draw.ellipse(_box(cx, hy, r, r), skin, **ink)
    for side in (-1, 1):
        ex, ey = cx + side * r * 0.4, hy - r * 0.1
        draw.ellipse(_box(ex, ey, r * 0.16, r * 0.22), (255, 255, 255), **ink)
        draw.ellipse(_box(ex, ey + r * 0.04, r * 0.07, r * 0.09), _INK)
    draw.arc(_box(cx, hy + r * 0.35, r * 0.35, r * 0.25), 20, 160, fill=_INK, width=w)
    if not ears:
        draw.rectangle(_box(cx, hy - r * 0.85, r * 1.3, r * 0.1), accent, **ink)
        draw.rectangle(_box(cx, hy - r * 1.27, r * 0.75, r * 0.43), accent, **ink)


def draw_reference(seed: int, size: Size = (512, 512)) -> Image.Image:
    """A detailed reference picture: a character among outlined shapes on a gradient."""
    rng = _rng("reference", seed)
    big = (size[0] * 2, size[1] * 2)  # drawn at twice the size, scaled down: anti-aliased lines
    image = _gradient(rng, big)
    draw = ImageDraw.Draw(image)
    _shapes(rng, draw, big, rng.randint(8, 12), 0.18)
    _shapes(rng, draw, big, rng.randint(10, 16), 0.06)
    _figure(rng, draw, rng.uniform(0.35, 0.65) * big[0], big[1] * 0.95, big[1] * rng.uniform(0.7, 0.85))
    return image.reduce(2)


def draw_scene(seed: int, size: Size = (512, 512)) -> Image.Image:
    """An unrelated picture: sky, sun, mountain ridges and fields."""
    rng = _rng("scene", seed)
    width, height = size
    image = _gradient(rng, size)
    draw = ImageDraw.Draw(image)
    horizon = rng.uniform(0.45, 0.7) * height
    sun = _box(rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.3) * height, 0.07 * height, 0.07 * height)
    draw.ellipse(sun, fill=(255, 236, 170))
    for layer in range(3):
        points, x = [(0.0, horizon)], 0.0
        while x < width:
            points.append((x, horizon - rng.uniform(0.05, 0.3) * height * (1 - 0.25 * layer)))
            x += rng.uniform(0.05, 0.15) * width
        draw.polygon([*points, (float(width), horizon), (0.0, horizon)], fill=_colour(rng, 0.6, 0.7))
    y = horizon
    while y < height:
        band = rng.uniform(0.04, 0.1) * height
        draw.rectangle([0, y, width, y + band], fill=_colour(rng, 0.8, 0.8))
        y += band
    return image


def draw_clip_frames(seed: int, seconds: float, fps: float, size: Size = (320, 240)) -> Iterator[Image.Image]:
    """The frames of a clip of three shots (two hard cuts); each shot pans slowly over its picture."""
    total, width = round(seconds * fps), size[0]
    bounds = [0, total // 3, 2 * total // 3, total]
    for shot in range(3):
        rng = _rng("shot", seed, shot)
        length = bounds[shot + 1] - bounds[shot]
        step = 0.04 * width / fps  # the camera pans 4% of the width a second
        wide = (width + round(step * length) + 2, size[1])
        picture = (draw_scene if shot == 1 else draw_reference)(rng.randrange(1 << 30), wide)
        yield from (
            picture.crop((round(i * step), 0, round(i * step) + width, size[1])) for i in range(length)
        )


def encode_mp4(path: Path | str, frames: Iterable[Image.Image], fps: int) -> Path:
    """Write `frames` as an H.264 (yuv420p) mp4 at `fps` frames a second; returns the path."""
    import av

    path = Path(path)
    rate = Fraction(fps)
    with av.open(str(path), "w") as container:
        stream = None
        for index, image in enumerate(frames):
            if stream is None:
                stream = container.add_stream("libx264", rate=rate)
                stream.width, stream.height = image.width // 2 * 2, image.height // 2 * 2
                stream.pix_fmt, stream.options = "yuv420p", {"preset": "veryfast", "crf": "23"}
                stream.codec_context.time_base = 1 / rate
            frame = av.VideoFrame.from_image(image.convert("RGB").crop((0, 0, stream.width, stream.height)))
            frame.pts, frame.time_base = index, 1 / rate
            for packet in stream.encode(frame):
                container.mux(packet)
        if stream is None:
            raise ValueError("encode_mp4 needs at least one frame")
        for packet in stream.encode():
            container.mux(packet)
    return path
