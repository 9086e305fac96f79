"""What an image encoder is (the ImageEncoder protocol) and how one is configured (EncoderConfig)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

from kyodaku.domain.errors import ConfigurationError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_INPUT_SIZE = 224
INSTALL_HINT = "pip install 'kyodaku[encoders]'"


@runtime_checkable
class ImageEncoder(Protocol):
    """Anything that embeds images. `encode` returns float32 (N, dim) rows of unit length, one per image.

    A row may be all zeros when the model gave a zero vector for that image:
    it is then similar to nothing, rather than a division by zero.
    """

    name: str
    dim: int

    def encode(self, images: Sequence[Image.Image]) -> np.ndarray: ...


@dataclass(frozen=True)
class EncoderConfig:
    """How to load and feed one ONNX image encoder.

    `threshold` is the cosine similarity at or above which a reference counts
    as matched. It is a property of the model, not a universal constant, and
    must be calibrated per model on pairs the operator cares about: SSCD's
    authors use about 0.75 on their normalised descriptors for copy detection;
    CLIP-like encoders give 0.8-0.9 even to unrelated photographs of the same
    kind, so they need a higher, measured value. The default 0.85 is a
    conservative placeholder, not a calibration.

    `input_size` None means: the model's own static height and width when the
    graph declares them, else 224. An explicit value that contradicts a static
    input shape is refused rather than silently ignored.

    `threads` (onnxruntime intra-op threads per call) defaults to 1: a server
    screens many requests at once, and one thread per call keeps latency
    predictable instead of oversubscribing the cores.
    """

    path: str | os.PathLike[str]
    name: str | None = None
    input_size: int | None = None
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    threshold: float = 0.85
    threads: int = 1
    batch_size: int = 16
    output_name: str | None = None
    """Which graph output is the embedding; None: the only one, else the first of rank 2."""

    def __post_init__(self) -> None:
        problems = []
        if self.input_size is not None and not 1 <= self.input_size <= 4096:
            problems.append(f"input_size must be 1..4096, got {self.input_size}")
        if len(self.mean) != 3 or not all(math.isfinite(m) for m in self.mean):
            problems.append(f"mean must be 3 finite numbers (R, G, B), got {self.mean}")
        if len(self.std) != 3 or not all(math.isfinite(s) and s > 0 for s in self.std):
            problems.append(f"std must be 3 positive numbers (R, G, B), got {self.std}")
        if not (math.isfinite(self.threshold) and -1.0 <= self.threshold <= 1.0):
            problems.append(f"threshold is a cosine similarity in [-1, 1], got {self.threshold}")
        if self.threads < 1:
            problems.append(f"threads must be at least 1, got {self.threads}")
        if self.batch_size < 1:
            problems.append(f"batch_size must be at least 1, got {self.batch_size}")
        if self.name is not None and not self.name.strip():
            problems.append("name must not be empty")
        if problems:
            raise ConfigurationError(f"image encoder {os.fspath(self.path)}: " + "; ".join(problems))
