"""Learned image encoders (optional): images in, unit vectors out, from a local ONNX file.

Why learned descriptors at all: PDQ finds copies that survive re-encoding,
resizing and mild edits, and that is what it is for. It cannot see that a
generated image is a *new drawing* of a registered character, and it loses
copies under heavy crops, overlays or restyling. Copy-detection models (SSCD)
and CLIP-like image encoders embed an image as a vector whose cosine
similarity to a reference's vector measures "same picture" or "same subject".
They are an addition to PDQ, never a replacement: with no encoder configured
(`KYODAKU_IMAGE_ENCODER` unset) the media guard works on PDQ alone.

Why a local ONNX file the operator configures, and no download: which model
screens rightsholders' works, under which licence, is the operator's decision
and must be reproducible; a guard that fetched weights at start-up would change
behaviour when a hub changed and would fail on machines without network access.
ONNX is a protobuf graph, not a pickle, so loading an operator-supplied file
runs no arbitrary Python, and onnxruntime runs it on CPU with no PyTorch.
onnxruntime is the optional extra `encoders` (`pip install 'kyodaku[encoders]'`).

Why every vector is L2-normalised: the score is cosine similarity, and for unit
vectors that is a plain dot product, so one matrix product scores a query
against every reference and a threshold means the same thing for every image.

Vectors from one model must never be compared with vectors from another (or
from the same model with different preprocessing): `OnnxImageEncoder.fingerprint`
identifies both, so stored reference embeddings can be recomputed when it changes.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
from PIL import Image

from kyodaku.domain.errors import ConfigurationError, InvalidInput, ScreeningUnavailable

if TYPE_CHECKING:
    from kyodaku.settings import Settings

log = logging.getLogger(__name__)

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_INPUT_SIZE = 224
INSTALL_HINT = "pip install 'kyodaku[encoders]'"

_FLOAT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


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


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit rows, in place on a float32 copy; zero rows stay zero instead of becoming NaN."""
    out = np.array(vectors, dtype=np.float32, copy=True)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe_shape(shape: Sequence[Any]) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


class OnnxImageEncoder:
    """An image encoder run by onnxruntime on CPU from a local .onnx file.

    The graph must take one image tensor, NCHW float (3 channels), and give one
    embedding per image: (N, D), or a higher-rank output that is flattened to
    (N, D). Preprocessing is fixed and the same for references and queries:
    RGB (transparency composited on white, as a viewer sees it), a square
    bilinear resize of the whole image (no centre crop, which could cut a
    character out of frame), scaled to [0, 1] and normalised by mean/std.

    Everything that can be wrong with the file is found when loading, not at
    the first screening: a missing or unreadable file, something that is not a
    model, an input that is not an image, and a probe run on a blank image
    that must give one vector per image. All of these are ConfigurationError
    naming the file. A failure while encoding afterwards is ScreeningUnavailable
    (the guard cannot decide; callers that fail closed block).

    Safe to share between threads: onnxruntime sessions allow concurrent runs
    and the encoder keeps no other state.
    """

    def __init__(self, config: EncoderConfig) -> None:
        self.config = config
        path = Path(os.path.expanduser(os.fspath(config.path)))
        self.path = path
        self.name: str = config.name or path.stem
        self.threshold: float = config.threshold
        where = f"image encoder {path}"
        if not path.exists():
            raise ConfigurationError(
                f"{where}: file not found (set KYODAKU_IMAGE_ENCODER to a local .onnx file)"
            )
        if not path.is_file():
            raise ConfigurationError(f"{where}: not a regular file")
        try:
            file_digest = _file_sha256(path)
        except OSError as exc:
            raise ConfigurationError(f"{where}: cannot be read: {exc.strerror or exc}") from exc

        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise ConfigurationError(
                f"{where}: onnxruntime is not installed; install it with {INSTALL_HINT}"
            ) from exc

        options = ort.SessionOptions()
        options.intra_op_num_threads = config.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 4  # fatal only: we report errors ourselves, naming the file
        try:
            # By path, not bytes: a large model's weights may sit in external data files beside it.
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own (non-RuntimeError) types for bad files
            raise ConfigurationError(
                f"{where}: not a usable ONNX model: {type(exc).__name__}: {str(exc).strip()[:500]}"
            ) from exc

        self._input_name, self._input_dtype, static_batch, height, width = self._find_input(where)
        self._output_name = self._find_output(where)
        self.input_size: tuple[int, int] = (height, width)  # (height, width) fed to the model
        self._static_batch = static_batch
        self._batch_size = static_batch or config.batch_size
        mean = np.asarray(config.mean, dtype=np.float32)
        std = np.asarray(config.std, dtype=np.float32)
        self._scale = (1.0 / (255.0 * std)).astype(np.float32)
        self._offset = (mean / std).astype(np.float32)
        self.dim: int = self._probe(where)
        preprocessing = f"{height}x{width}|{tuple(config.mean)}|{tuple(config.std)}|{self._output_name}"
        self.fingerprint: str = (
            "sha256:" + hashlib.sha256(f"{file_digest}|{preprocessing}".encode()).hexdigest()[:32]
        )
        """Identity of model file + preprocessing: embeddings with different fingerprints never compare."""
        self.model_sha256: str = file_digest

    def __repr__(self) -> str:
        return (
            f"OnnxImageEncoder(name={self.name!r}, dim={self.dim}, input={self.input_size}, path={self.path})"
        )

    # -- loading -------------------------------------------------------------------------------------

    def _find_input(self, where: str) -> tuple[str, Any, int | None, int, int]:
        inputs = self._session.get_inputs()
        if len(inputs) != 1:
            listed = ", ".join(f"{i.name} {_describe_shape(i.shape)}" for i in inputs) or "none"
            raise ConfigurationError(
                f"{where}: expected exactly one input (an NCHW image batch), found {len(inputs)}: {listed}; "
                "export the image tower alone"
            )
        inp = inputs[0]
        shape = list(inp.shape)
        described = f"input {inp.name!r} with shape {_describe_shape(shape)}"
        if len(shape) != 4:
            raise ConfigurationError(
                f"{where}: {described} is not an image batch (expected rank 4, N x 3 x H x W)"
            )
        if inp.type not in _FLOAT_TYPES:
            raise ConfigurationError(f"{where}: {described} has type {inp.type}; expected float or float16")
        batch, channels, height, width = (d if isinstance(d, int) and d > 0 else None for d in shape)
        if channels is not None and channels != 3:
            hint = " (channels last? expected NCHW)" if width == 3 else ""
            raise ConfigurationError(f"{where}: {described} must have 3 channels in dimension 1{hint}")
        wanted = self.config.input_size
        if height is not None and width is not None:
            if wanted is not None and (wanted, wanted) != (height, width):
                raise ConfigurationError(
                    f"{where}: input_size {wanted} contradicts the model's fixed {described}"
                )
            return inp.name, _FLOAT_TYPES[inp.type], batch, height, width
        size = wanted or DEFAULT_INPUT_SIZE
        return inp.name, _FLOAT_TYPES[inp.type], batch, height or size, width or size

    def _find_output(self, where: str) -> str:
        outputs = self._session.get_outputs()
        listed = ", ".join(f"{o.name} {_describe_shape(o.shape)}" for o in outputs)
        if self.config.output_name is not None:
            for out in outputs:
                if out.name == self.config.output_name:
                    chosen = out
                    break
            else:
                raise ConfigurationError(
                    f"{where}: no output named {self.config.output_name!r} (outputs: {listed})"
                )
        elif len(outputs) == 1:
            chosen = outputs[0]
        else:
            chosen = next((o for o in outputs if len(o.shape) == 2), outputs[0])
        if len(chosen.shape) < 2:
            raise ConfigurationError(
                f"{where}: output {chosen.name!r} with shape {_describe_shape(chosen.shape)} "
                "is not one vector per image (expected N x D)"
            )
        if chosen.type not in _FLOAT_TYPES:
            raise ConfigurationError(
                f"{where}: output {chosen.name!r} has type {chosen.type}; expected float or float16"
            )
        return chosen.name

    def _probe(self, where: str) -> int:
        """Run blank images through the model now, to learn D and to fail at start-up, not in screening.

        With a dynamic batch dimension, two images are fed: some exports declare
        the batch dynamic but bake 1 into a reshape, and then we fall back to
        feeding one image at a time rather than failing every batched call.
        """
        height, width = self.input_size
        count = self._static_batch or min(2, self._batch_size)
        while True:
            blank = np.zeros((count, 3, height, width), dtype=self._input_dtype)
            try:
                rows = self._run(blank)
                if rows.shape[0] != count:
                    raise ValueError(f"{rows.shape[0]} output rows for {count} images")
                if rows.shape[1] == 0:
                    raise ValueError("empty embedding")
                return int(rows.shape[1])
            except Exception as exc:
                if self._static_batch is None and count > 1:
                    log.warning(
                        "%s: batched probe failed (%s: %s); encoding one image at a time",
                        where,
                        type(exc).__name__,
                        exc,
                    )
                    self._batch_size = count = 1
                    continue
                raise ConfigurationError(
                    f"{where}: a probe run on a blank {height}x{width} image failed: "
                    f"{type(exc).__name__}: {str(exc).strip()[:500]}"
                    + ("" if self.config.input_size else "; if the model needs another size, set input_size")
                ) from exc

    # -- encoding ------------------------------------------------------------------------------------

    def _run(self, batch: np.ndarray) -> np.ndarray:
        (out,) = self._session.run([self._output_name], {self._input_name: batch})
        out = np.asarray(out)
        return out.reshape(out.shape[0], -1).astype(np.float32, copy=False)

    def preprocess(self, images: Sequence[Image.Image]) -> np.ndarray:
        """The exact tensor the model is fed: (N, 3, H, W), in the model's float type."""
        height, width = self.input_size
        batch = np.empty((len(images), 3, height, width), dtype=np.float32)
        for i, image in enumerate(images):
            rgb = _to_rgb(image, i)
            if rgb.size != (width, height):
                rgb = rgb.resize((width, height), Image.Resampling.BILINEAR)
            pixels = np.asarray(rgb, dtype=np.float32)  # (H, W, 3), 0..255
            batch[i] = (pixels * self._scale - self._offset).transpose(2, 0, 1)
        return batch.astype(self._input_dtype, copy=False)

    def encode(self, images: Sequence[Image.Image]) -> np.ndarray:
        images = list(images)
        out = np.empty((len(images), self.dim), dtype=np.float32)
        for start in range(0, len(images), self._batch_size):
            chunk = self.preprocess(images[start : start + self._batch_size])
            count = chunk.shape[0]
            if self._static_batch is not None and count < self._static_batch:  # a fixed batch: pad, then drop
                padding = np.zeros((self._static_batch - count, *chunk.shape[1:]), dtype=chunk.dtype)
                chunk = np.concatenate([chunk, padding])
            try:
                rows = self._run(chunk)[:count]
            except Exception as exc:
                raise ScreeningUnavailable(
                    f"image encoder {self.name!r} failed: {type(exc).__name__}: {str(exc).strip()[:500]}",
                    encoder=self.name,
                ) from exc
            if rows.shape != (count, self.dim) or not np.isfinite(rows).all():
                raise ScreeningUnavailable(
                    f"image encoder {self.name!r} gave unusable output (shape {rows.shape}, "
                    f"expected {(count, self.dim)}, or non-finite values)",
                    encoder=self.name,
                )
            out[start : start + count] = _l2_normalise(rows)
        return out


def _to_rgb(image: Image.Image, index: int) -> Image.Image:
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


def load_encoder(path_or_config: str | os.PathLike[str] | EncoderConfig) -> OnnxImageEncoder:
    """Load an ONNX image encoder from a path (default settings) or a full EncoderConfig."""
    config = path_or_config if isinstance(path_or_config, EncoderConfig) else EncoderConfig(path_or_config)
    return OnnxImageEncoder(config)


def encoder_from_settings(settings: Settings) -> OnnxImageEncoder | None:
    """The configured encoder, or None when `settings.image_encoder` is unset: the guard uses PDQ alone."""
    path = settings.image_encoder
    if path is None or not path.strip():
        return None
    return load_encoder(path.strip())


# -- exact search over reference embeddings ---------------------------------------------------------


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
        matrix = _l2_normalise(matrix)
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
        return _l2_normalise(queries)

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
