"""The optional learned tier: reference images embedded by the operator's ONNX encoder, searched
exactly by cosine similarity (`encoders.EmbeddingIndex`).

Why a separate tier: perceptual hashes find copies; a copy-detection model (SSCD) also finds heavy
edits, and a CLIP-like image encoder can find new drawings of a character, which no hash can.
The tier exists only when an encoder is configured (`KYODAKU_IMAGE_ENCODER`); kyodaku is complete
without it.

Reference embeddings are computed from the stored reference files, once per content and model:
they are cached in the registry (`media_descriptors`, kind `enc:<fingerprint>`), and the
fingerprint covers the model file and its preprocessing, so vectors of two models never meet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kyodaku.media.encoders import EmbeddingIndex


@dataclass(frozen=True)
class LearnedBank:
    encoder: Any  # encoders.OnnxImageEncoder (name, threshold, fingerprint, encode)
    index: EmbeddingIndex
    rows: tuple[int, ...]  # bank reference number of each index row


@dataclass(frozen=True)
class LearnedMatch:
    reference: Any  # bank.BankReference
    similarity: float
    threshold: float
    encoder: str
    fingerprint: str

    @property
    def score(self) -> float:
        """0.8 at the encoder's threshold up to 1.0 at identity: a calibrated model's match is
        strong evidence, and the threshold is the operator's calibration of it."""
        span = max(1e-6, 1.0 - self.threshold)
        return round(min(1.0, 0.8 + 0.2 * (self.similarity - self.threshold) / span), 4)


def descriptor_kind(encoder) -> str:
    return f"enc:{encoder.fingerprint}"[:64]


def build_learned_bank(
    encoder,
    items: Sequence[tuple[int, str, Callable[[], Path | bytes]]],
    cache_get: Callable[[str, list[str]], dict[str, bytes]] | None = None,
    cache_put: Callable[[str, dict[str, bytes]], None] | None = None,
    batch: int = 16,
) -> LearnedBank | None:
    """Embed the image references `(bank number, sha256, opener)`; cached vectors are reused."""
    from kyodaku.media.hashing import decode_image

    if encoder is None or not items:
        return None
    kind = descriptor_kind(encoder)
    cached = cache_get(kind, sorted({sha for _, sha, _ in items})) if cache_get else {}
    vectors: dict[str, np.ndarray] = {
        sha: np.frombuffer(data, np.float32) for sha, data in cached.items() if len(data) == 4 * encoder.dim
    }
    missing = [(sha, opener) for _, sha, opener in items if sha not in vectors]
    seen: set[str] = set()
    todo = [(sha, opener) for sha, opener in missing if not (sha in seen or seen.add(sha))]
    fresh: dict[str, bytes] = {}
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        images = [decode_image(opener(), grey=False)[0] for _, opener in chunk]
        for (sha, _), vector in zip(chunk, encoder.encode(images), strict=True):
            vectors[sha] = np.asarray(vector, np.float32)
            fresh[sha] = vectors[sha].tobytes()
    if fresh and cache_put:
        cache_put(kind, fresh)
    matrix = np.stack([vectors[sha] for _, sha, _ in items])
    return LearnedBank(encoder, EmbeddingIndex.build(matrix), tuple(n for n, _, _ in items))


def match_learned(
    learned: LearnedBank | None, embedding, references, exclude: set[str]
) -> list[LearnedMatch]:
    """References whose embedding reaches the encoder's threshold, best first, one per reference."""
    if learned is None or embedding is None:
        return []
    enc = learned.encoder
    best: dict[str, LearnedMatch] = {}
    for hit in learned.index.search(embedding, enc.threshold):
        ref = references[learned.rows[hit.row]]
        if ref.id in exclude or ref.id in best:
            continue
        best[ref.id] = LearnedMatch(
            ref, round(float(hit.similarity), 4), enc.threshold, enc.name, enc.fingerprint
        )
    return sorted(best.values(), key=lambda m: (-m.similarity, m.reference.id))
