"""Exact cosine search over reference embeddings (EmbeddingIndex)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from kyodaku.domain.errors import InvalidInput
from kyodaku.media.encoders.preprocess import l2_normalise


@dataclass(frozen=True)
class EmbeddingHit:
    """One reference close enough: its row in the index and its cosine similarity to the query."""

    row: int
    similarity: float


class EmbeddingIndex:
    """Immutable exact cosine search over reference embeddings (rows of a float32 (N, D) matrix).

    Why exact, not approximate: references are registered per rightsholder and
    per work, so even a large registry holds thousands to a few hundred
    thousand images; one matrix-vector product over them costs well under the
    time to decode and encode the generated image, and exact search cannot
    miss a match that an approximate index would (a miss here is an unlicensed
    use let through). Why immutable: a screening snapshot is built once and
    shared by concurrent requests; a change to the references builds a new one.

    Rows are L2-normalised when the index is built (and queries when searched),
    so the score is cosine similarity whatever the vectors' source; zero rows
    match nothing. Rows map to references through the caller's own list.
    """

    __slots__ = ("_matrix",)

    def __init__(self, matrix: np.ndarray) -> None:
        """Use `build`: it validates and normalises; this takes an already normalised read-only matrix."""
        self._matrix = matrix

    @classmethod
    def build(cls, vectors: Any) -> EmbeddingIndex:
        try:
            matrix = np.asarray(vectors, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"embeddings must be a numeric (N, D) array: {exc}") from exc
        if matrix.ndim != 2 or matrix.shape[1] == 0:
            raise InvalidInput(f"embeddings must be a 2-D (N, D) array with D > 0, got shape {matrix.shape}")
        if not np.isfinite(matrix).all():
            raise InvalidInput("embeddings contain NaN or infinite values")
        matrix = l2_normalise(matrix)
        matrix.setflags(write=False)
        return cls(matrix)

    def __len__(self) -> int:
        return int(self._matrix.shape[0])

    def __repr__(self) -> str:
        return f"EmbeddingIndex(rows={len(self)}, dim={self.dim})"

    @property
    def dim(self) -> int:
        return int(self._matrix.shape[1])

    @property
    def vectors(self) -> np.ndarray:
        """The normalised reference rows (read-only)."""
        return self._matrix

    def _queries(self, vectors: Any, expect_one: bool) -> np.ndarray:
        try:
            queries = np.asarray(vectors, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"query must be numeric: {exc}") from exc
        if expect_one and queries.ndim == 1:
            queries = queries[None, :]
        if queries.ndim != 2 or (expect_one and queries.shape[0] != 1):
            wanted = f"({self.dim},)" if expect_one else f"(Q, {self.dim})"
            raise InvalidInput(f"query must have shape {wanted}, got {queries.shape}")
        if queries.shape[1] != self.dim:
            raise InvalidInput(
                f"query has dimension {queries.shape[1]} but the index holds {self.dim}-d embeddings "
                "(made by another encoder?)"
            )
        if not np.isfinite(queries).all():
            raise InvalidInput("query contains NaN or infinite values")
        return l2_normalise(queries)

    @staticmethod
    def _check_threshold(min_similarity: float) -> float:
        if not math.isfinite(min_similarity):
            raise InvalidInput(f"min_similarity must be finite, got {min_similarity}")
        return float(min_similarity)

    def search(self, vector: Any, min_similarity: float, limit: int | None = None) -> list[EmbeddingHit]:
        """References whose cosine similarity to `vector` is at least `min_similarity`, best first.

        Ties are broken by row so the answer is deterministic; `limit` keeps the best few.
        """
        return self.search_many(self._queries(vector, expect_one=True), min_similarity, limit)[0]

    def search_many(
        self, vectors: Any, min_similarity: float, limit: int | None = None
    ) -> list[list[EmbeddingHit]]:
        """`search` for each row of `vectors` (Q, D), in one matrix product (e.g. a video's frames)."""
        threshold = self._check_threshold(min_similarity)
        queries = self._queries(vectors, expect_one=False)
        if limit is not None and limit < 1:
            raise InvalidInput(f"limit must be at least 1, got {limit}")
        if len(self) == 0:
            return [[] for _ in range(queries.shape[0])]
        scores = np.clip(queries @ self._matrix.T, -1.0, 1.0)  # (Q, N): rounding can pass 1 by an ulp
        results: list[list[EmbeddingHit]] = []
        for row_scores in scores:
            rows = np.flatnonzero(row_scores >= threshold)
            rows = rows[np.lexsort((rows, -row_scores[rows]))]
            if limit is not None:
                rows = rows[:limit]
            results.append([EmbeddingHit(int(r), float(row_scores[r])) for r in rows])
        return results
