"""Encoding test pictures to bytes (the formats outputs and uploads arrive in)."""

from __future__ import annotations

import io
import struct
import zlib


def png(im) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def jpeg(im, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header claiming width x height pixels over a tiny body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def _encode(container, frames, codec: str, fps: int) -> None:
    """`frames` (PIL images of one size) as one yuv420p stream of `codec` in an open container."""
    import av

    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height = frames[0].size
    stream.pix_fmt = "yuv420p"
    for image in frames:
        for packet in stream.encode(av.VideoFrame.from_image(image.convert("RGB"))):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def h264_clip(frames, path, fps: int = 8) -> bytes:
    """An H.264 MP4 of `frames` (PIL images of one size) written at `path`; returns its bytes."""
    import av

    with av.open(str(path), "w") as container:
        _encode(container, frames, "libx264", fps)
    return path.read_bytes()


def mpegts_clip(frames, fps: int = 4) -> bytes:
    """An MPEG-2 clip in an MPEG-TS container, in memory (TS segments can be concatenated, as
    streaming services do)."""
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mpegts") as container:
        _encode(container, frames, "mpeg2video", fps)
    return buf.getvalue()


def blurred_noise(seed: int, size: tuple[int, int], cell: int):
    """A textured background: uniform noise (60-200) shrunk by `cell` and grown back smoothly."""
    import numpy as np
    from PIL import Image

    w, h = size
    image = Image.fromarray(np.random.default_rng(seed).integers(60, 200, (h, w, 3)).astype(np.uint8))
    return image.resize((max(1, w // cell), max(1, h // cell))).resize(size, Image.Resampling.BICUBIC)


def scribble(image, tag: str, shapes: int, extent: int, min_extent: int, width: int):
    """Draws `shapes` outlined ellipses and lines placed by `tag` (a seed string) on `image`, each at
    most 1/`extent` of the picture's side: busy detail that keypoints find. Returns the image."""
    import random

    from PIL import ImageDraw

    rng = random.Random(tag)
    w, h = image.size
    draw = ImageDraw.Draw(image)
    for _ in range(shapes):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        dx, dy = rng.uniform(min_extent, w / extent), rng.uniform(min_extent, h / extent)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + dx, y + dy), fill=colour, outline=(0, 0, 0))
        else:
            draw.line((x, y, x + dx, y + dy), fill=colour, width=width)
    return image


def flat_art(
    seed: int,
    size: tuple[int, int],
    shapes: int,
    place: tuple[float, float, float, float],
    radius: tuple[float, float],
):
    """Drawn in flat colours, as a flat wallpaper or a sticker is: one plain colour over the picture
    and `shapes` flat-coloured pentagons, centred in `place` (x from, x to, y from, y to, as shares
    of the sides) with a radius in `radius` (shares of the width), all placed by `seed`."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    w, h = size
    picture = Image.new("RGB", size, tuple(int(c) for c in rng.integers(60, 200, 3)))
    draw = ImageDraw.Draw(picture)
    for _ in range(shapes):
        cx, cy = rng.uniform(place[0], place[1]) * w, rng.uniform(place[2], place[3]) * h
        r = rng.uniform(*radius) * w
        angles = np.sort(rng.uniform(0, 2 * np.pi, 5))
        points = [(float(cx + r * np.cos(a)), float(cy + r * np.sin(a))) for a in angles]
        draw.polygon(points, fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    return picture
