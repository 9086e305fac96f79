"""OnnxImageEncoder: an ONNX image encoder loaded (and checked) from a local file, run on CPU."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from kyodaku.domain.errors import ConfigurationError, ScreeningUnavailable
from kyodaku.media.encoders.config import DEFAULT_INPUT_SIZE, INSTALL_HINT, EncoderConfig
from kyodaku.media.encoders.preprocess import image_batch, l2_normalise, normalisation

if TYPE_CHECKING:
    from kyodaku.settings import Settings

log = logging.getLogger(__name__)

_FLOAT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


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
        self._scale, self._offset = normalisation(config.mean, config.std)
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
        return image_batch(images, self.input_size, self._scale, self._offset, self._input_dtype)

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
            out[start : start + count] = l2_normalise(rows)
        return out


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
