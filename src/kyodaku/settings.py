"""Runtime settings, from the environment (prefix KYODAKU_) or arguments.

Typed and validated once at start-up, so a bad value stops the process with a
clear message instead of surfacing later as an odd decision. Defaults are the
safe ones: the guard fails closed and screens semantically unless told not to.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYODAKU_", extra="ignore")

    database_url: str = "sqlite:///kyodaku.db"
    """Registry database: `sqlite:///path.db` (relative to the working directory) or
    `postgresql+psycopg://user:password@host/dbname`."""

    max_prompt_chars: int = Field(20_000, gt=0, le=1_000_000)
    """Longer prompts are refused (PayloadTooLarge) rather than screened partly."""

    semantic: bool = True
    """Also match descriptions by meaning (multilingual sentence embeddings), not only names."""

    fail_closed: bool = True
    """When the guard cannot decide (a model or the snapshot failed), block instead of allowing."""

    snapshot_poll_seconds: float = Field(0.5, gt=0, le=3600)
    """How often a server checks the registry for a new version to compile and swap in."""

    ledger: bool = True
    """`kyodaku serve` appends every screening decision to the generation ledger (provenance)."""

    ledger_prompt_text: bool = False
    """Keep prompts' text in the ledger; by default only their SHA-256 (prompts can be personal)."""

    ledger_key: str | None = None
    """Ed25519 private key (PEM) with which `GET /v1/ledger/head` signs a new tree head when the
    ledger has grown since the last one; without it, the latest head signed offline is served."""

    reference_store: str = "kyodaku-references"
    """Folder of the content-addressed reference store (reference images and clips, by SHA-256)."""

    max_image_pixels: int = Field(64_000_000, gt=0, le=1_000_000_000)
    """Images that claim more pixels are refused before decoding (decompression bombs)."""

    max_upload_bytes: int = Field(512 * 1024 * 1024, gt=0)
    rate_limit: str = "1200/minute"
    """Requests per API key (or per address without one) to /v1/, per worker: e.g. `600/minute`; `off`."""
    signin_rate_limit: str = "20/minute"
    """Portal sign-in attempts per address, per worker (where keys would be guessed)."""
    """Uploads (references, media to screen) larger than this are refused with 413."""

    video_sample_fps: float = Field(1.0, gt=0, le=60)
    """Frames hashed per second of a video being screened (vPDQ's customary rate is 1/s)."""

    reference_video_fps: float = Field(8.0, gt=0, le=60)
    """Frames hashed per second of a reference clip (near-duplicate frames dropped): a copy's
    samples fall anywhere between two reference samples, so references are sampled densely."""

    pdq_threshold: int = Field(31, ge=0, le=128)
    """Hamming distance (of 256 bits) at or under which two PDQ hashes match (PDQ's customary 31)."""

    local_features: bool = True
    """Also match images by ORB keypoints with a geometric check: finds crops, which PDQ cannot."""

    pdq_min_quality: int = Field(50, ge=0, le=100)
    """Frames whose PDQ quality is lower (flat, featureless) are not trusted to match, as PDQ advises."""

    image_encoder: str | None = None
    """Optional local ONNX image encoder (SSCD, CLIP-like): path to the .onnx file. Never downloaded."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment plus `overrides`; a bad value is a ConfigurationError naming it."""
    from pydantic import ValidationError

    from kyodaku.domain.errors import ConfigurationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        names = ("KYODAKU_" + "_".join(map(str, e["loc"])).upper() for e in exc.errors())
        problems = "; ".join(f"{name}: {e['msg']}" for name, e in zip(names, exc.errors(), strict=True))
        raise ConfigurationError(f"invalid settings: {problems}") from None
