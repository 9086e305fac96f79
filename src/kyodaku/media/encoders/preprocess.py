"""The fixed preprocessing around the model, the same for references and queries.

In: RGB (transparency composited on white, as a viewer sees it), a square bilinear resize of the
whole image (no centre crop, which could cut a character out of frame), scaled to [0, 1] and
normalised by mean/std, as one NCHW batch. Out: every embedding row scaled to unit length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from kyodaku.domain.errors import InvalidInput


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit rows, in place on a float32 copy; zero rows stay zero instead of becoming NaN."""
    out = np.array(vectors, dtype=np.float32, copy=True)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def normalisation(mean: Sequence[float], std: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """(scale, offset) per channel: pixels (0..255) * scale - offset = (pixels / 255 - mean) / std."""
    mean_ = np.asarray(mean, dtype=np.float32)
    std_ = np.asarray(std, dtype=np.float32)
    return (1.0 / (255.0 * std_)).astype(np.float32), (mean_ / std_).astype(np.float32)


def image_batch(
    images: Sequence[Image.Image],
    size: tuple[int, int],
    scale: np.ndarray,
    offset: np.ndarray,
    dtype: type[np.floating],
) -> np.ndarray:
    """The exact tensor a model is fed: (N, 3, H, W) for `size` (height, width), in `dtype`."""
    height, width = size
    batch = np.empty((len(images), 3, height, width), dtype=np.float32)
    for i, image in enumerate(images):
        rgb = to_rgb(image, i)
        if rgb.size != (width, height):
            rgb = rgb.resize((width, height), Image.Resampling.BILINEAR)
        pixels = np.asarray(rgb, dtype=np.float32)  # (H, W, 3), 0..255
        batch[i] = (pixels * scale - offset).transpose(2, 0, 1)
    return batch.astype(dtype, copy=False)


def to_rgb(image: Image.Image, index: int) -> Image.Image:
    if not isinstance(image, Image.Image):
        raise InvalidInput(f"image {index}: expected a PIL image, got {type(image).__name__}")
    if image.width < 1 or image.height < 1:
        raise InvalidInput(f"image {index}: empty ({image.width}x{image.height})")
    try:
        image.load()
        has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            image.mode == "P" and "transparency" in image.info
        )
        if has_alpha:
            # The colour under a transparent pixel is arbitrary; what a viewer sees is the image over a page.
            rgba = image.convert("RGBA")
            page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(page, rgba).convert("RGB")
        return image if image.mode == "RGB" else image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"image {index}: cannot be decoded: {exc}") from exc
