"""Test doubles shared by several test modules (on the path through pytest's `pythonpath`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


class FakeEncoder:
    """Unit vectors the test chooses for some texts; a fixed pseudo-random one for any other text."""

    def __init__(
        self, vectors: dict[str, Sequence[float]] | None = None, dim: int = 4, name: str = "fake"
    ) -> None:
        self.name = name
        self.dim = dim
        self.vectors = {k: np.asarray(v, dtype=np.float32) for k, v in (vectors or {}).items()}
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        self.calls.append(texts)
        rows = []
        for t in texts:
            if t in self.vectors:
                v = self.vectors[t]
            else:
                seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:4], "little")
                v = np.random.default_rng(seed).normal(size=self.dim).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


def unit(*xs: float) -> list[float]:
    v = np.asarray(xs, dtype=np.float64)
    return list(v / np.linalg.norm(v))
