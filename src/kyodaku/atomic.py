"""Writing files so that readers see the old content or the new, never half of it.

One helper for every output kyodaku writes whole (scan state and summaries, signed manifests, batch
decisions, marked outputs): the bytes go to a uniquely named temporary file in a folder on the
same file system (so the rename is atomic), are flushed and fsynced, renamed over the target with
`os.replace`, and the folder is fsynced so the rename itself survives a crash. On any error the
temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def fsync_dir(folder: Path) -> None:
    """Make renames and creations in `folder` durable (POSIX); a no-op where folders cannot be
    opened (Windows) or fsynced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_writer(
    target: Path, *, text: bool = False, temp_dir: Path | None = None, mode: int = 0o644
) -> Iterator[IO[Any]]:
    """A file handle whose content replaces `target` when the block ends without an error.
    `temp_dir` must be on the target's file system (default: the target's folder)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=temp_dir or target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def write_atomic(target: Path, data: bytes, *, temp_dir: Path | None = None) -> None:
    """Replace `target` with `data` atomically and durably (see the module docstring)."""
    with atomic_writer(target, temp_dir=temp_dir) as fh:
        fh.write(data)
