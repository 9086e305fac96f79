"""The reference store: reference images and clips on disk, addressed by their SHA-256.

Why content-addressed: the same file attached twice (to one entity or to two)
is stored once, a blob never changes once written, and the registry only needs
the digest to name it. The original file name is kept in the registry, not here.

Layout: `root/ab/cd/abcd...` (the digest's first two and next two hex digits as
folders, the full digest as the file name, no extension) and `root/tmp/` for
uploads still being received. A blob path only ever holds a complete, fsynced
file: bytes are streamed into a temporary file inside the same root (so the
final rename is on one file system, hence atomic), hashed and counted while
streaming, fsynced, and only then renamed into place with `os.replace`.

A staged upload that is refused (too big, not media, not allowed) is removed
with `discard`; nothing of it stays in the store.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from kyodaku.atomic import fsync_dir
from kyodaku.domain.errors import InvalidInput, NotFound, PayloadTooLarge

CHUNK = 1 << 20
TMP = "tmp"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


Source = bytes | bytearray | memoryview | str | os.PathLike[str] | Readable | Iterable[bytes]
"""Bytes, a path, a binary file-like object, or an iterable of byte chunks (a streamed upload)."""


@dataclass(frozen=True)
class StagedFile:
    """An upload received whole into the store's tmp folder, not yet a blob."""

    path: Path
    sha256: str
    size: int
    name: str


class ReferenceStore:
    """Blobs under `root`, by SHA-256. Safe to share between processes: every write is a rename."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def tmp(self) -> Path:
        return self.root / TMP

    def path(self, sha256: str) -> Path:
        """Where the blob with this digest lives (whether or not it exists)."""
        if not _SHA256.fullmatch(sha256):
            raise InvalidInput(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """The blob, opened for reading; NotFound when the store does not hold it."""
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise NotFound(f"the reference store has no file {sha256}") from None

    def stage(self, source: Source, max_bytes: int | None = None, name: str | None = None) -> StagedFile:
        """Stream `source` into a temporary file in the store, hashing and counting it on the way.

        Over `max_bytes`: PayloadTooLarge naming the file and the limit, and the temporary file is
        gone. The bytes are fsynced before this returns.
        """
        label = name or (os.fspath(source) if isinstance(source, str | os.PathLike) else "<upload>")
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            if not path.is_file():
                raise InvalidInput(f"{label}: no such file", file=label)
            if max_bytes is not None and path.stat().st_size > max_bytes:
                raise _too_large(label, max_bytes)
            with path.open("rb") as handle:
                return self._receive(_chunks(handle), max_bytes, label)
        if isinstance(source, bytes | bytearray | memoryview):
            return self._receive([bytes(source)], max_bytes, label)
        if hasattr(source, "read"):
            return self._receive(_chunks(source), max_bytes, label)  # type: ignore[arg-type]
        return self._receive(source, max_bytes, label)  # type: ignore[arg-type]

    def _receive(self, chunks: Iterable[bytes], max_bytes: int | None, label: str) -> StagedFile:
        upload = self.begin(label, max_bytes)
        try:
            for chunk in chunks:
                upload.write(chunk)
            return upload.finish()
        except BaseException:
            upload.abort()
            raise

    def begin(self, name: str, max_bytes: int | None = None) -> Upload:
        """Start receiving a file chunk by chunk (a streamed HTTP upload); `stage` is built on it."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.tmp, prefix="upload-", suffix=".part")
        return Upload(os.fdopen(fd, "wb"), Path(tmp), name, max_bytes)

    def commit(self, staged: StagedFile) -> bool:
        """Move a staged file to its blob path. True when this created the blob; False when it was there.

        Either way the staged file is gone afterwards.
        """
        target = self.path(staged.sha256)
        if target.is_file():
            self.discard(staged)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged.path, 0o644)  # mkstemp makes it private; blobs are read by the server and CLI alike
        os.replace(staged.path, target)
        fsync_dir(target.parent)
        return True

    def discard(self, staged: StagedFile) -> None:
        """Forget a staged file (refused, or already stored). Safe to call twice."""
        staged.path.unlink(missing_ok=True)

    def remove(self, sha256: str) -> None:
        """Delete a blob. Only for undoing a blob this process just created for a write that failed:
        blobs are otherwise kept, since other references and the registry's history name them."""
        self.path(sha256).unlink(missing_ok=True)

    def leftovers(self) -> list[Path]:
        """Staged files still in tmp (from an interrupted upload); safe to delete when no upload runs."""
        return sorted(self.tmp.glob("*.part")) if self.tmp.is_dir() else []

    def blobs(self) -> list[str]:
        """The digests of every blob held (walks the store: for checks and tests, not request paths)."""
        return sorted(p.name for p in self.root.glob("??/??/*") if p.is_file() and _SHA256.fullmatch(p.name))


class Upload:
    """A file being received into the store's tmp folder: hashed and counted as it is written.

    `write` raises PayloadTooLarge (naming the file and the limit) as soon as the limit is
    passed, and removes what was received; `finish` fsyncs and gives the StagedFile; `abort`
    removes the temporary file. Not thread-safe: one upload, one writer.
    """

    def __init__(self, handle: BinaryIO, path: Path, name: str, max_bytes: int | None) -> None:
        self._handle = handle
        self.path = path
        self.name = name
        self.max_bytes = max_bytes
        self.size = 0
        self._digest = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            self.abort()
            raise _too_large(self.name, self.max_bytes)
        self._digest.update(chunk)
        self._handle.write(chunk)

    def finish(self) -> StagedFile:
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        except BaseException:
            self.abort()
            raise
        return StagedFile(self.path, self._digest.hexdigest(), self.size, self.name)

    def abort(self) -> None:
        """Drop what was received. Safe to call more than once."""
        self._handle.close()
        self.path.unlink(missing_ok=True)


def _chunks(handle: Readable) -> Iterable[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _too_large(label: str, max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{label}: larger than the upload limit of {max_bytes:,} bytes", file=label, limit=max_bytes
    )
