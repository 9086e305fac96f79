"""Real media files drawn for the reference tests: PIL images, PyAV clips, a decompression bomb."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw


def picture(seed: int, size: tuple[int, int] = (96, 96)) -> Image.Image:
    """Coloured rectangles on white: enough structure for PDQ (quality 100), different per seed."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = (int(v) for v in rng.integers(0, size[0] - 8, 2))
        w, h = (int(v) for v in rng.integers(8, size[0] // 2, 2))
        draw.rectangle([x, y, x + w, y + h], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    return im


def image_file(path: Path, seed: int, fmt: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    picture(seed).save(path, format=fmt)
    return path


def clip_file(path: Path, seeds: list[int], fps: int = 2) -> Path:
    """An MPEG-4 clip showing each seed's picture for one second (FFmpeg's own encoder: always there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for seed in seeds:
            for _ in range(fps):
                for packet in stream.encode(av.VideoFrame.from_image(picture(seed, (64, 64)))):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header claiming width x height pixels, with a tiny body: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body
