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

Modules: `config` (the ImageEncoder protocol and EncoderConfig), `preprocess` (what an image
becomes before the model and what its output becomes after), `onnx_model` (OnnxImageEncoder:
loading and checking the file, then encoding; `load_encoder`, `encoder_from_settings`), `search`
(EmbeddingIndex, the exact cosine search over reference embeddings). Import from the package.
"""

from kyodaku.media.encoders.config import (
    DEFAULT_INPUT_SIZE,
    IMAGENET_MEAN,
    IMAGENET_STD,
    INSTALL_HINT,
    EncoderConfig,
    ImageEncoder,
)
from kyodaku.media.encoders.onnx_model import OnnxImageEncoder, encoder_from_settings, load_encoder
from kyodaku.media.encoders.search import EmbeddingHit, EmbeddingIndex

__all__ = [
    "DEFAULT_INPUT_SIZE",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "INSTALL_HINT",
    "EmbeddingHit",
    "EmbeddingIndex",
    "EncoderConfig",
    "ImageEncoder",
    "OnnxImageEncoder",
    "encoder_from_settings",
    "load_encoder",
]
