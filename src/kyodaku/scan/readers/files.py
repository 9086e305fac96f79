"""File helpers shared by the layouts: hashing, bounded reads, link-or-copy and atomic placement.

Why these live together: every layout writes kept samples by hard link where it can (a 100 GB
dataset filtered to 99 GB should not cost 99 GB more disk or the time to copy it) and falls back
to a copy across filesystems; and every final file is written under a temporary name and renamed
into place, so a killed merge never leaves a half-written file under its real name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from kyodaku.scan.layout import InputFile

CHUNK = 1024 * 1024


def sha256_file(path: Path) -> tuple[str, int]:
    """The SHA-256 and size of a file, read in chunks so memory does not grow with the file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def input_files(
    root: Path, relative: Iterable[str], seen: Mapping[str, InputFile] | None = None
) -> list[InputFile]:
    """Hash the named files (relative to `root`), sorted by path, each once; missing files are left
    out (the reader reports them as problems of their samples; there is nothing to hash). A file in
    `seen` (hashed when the scan read it) is taken from there, not read again."""
    out: list[InputFile] = []
    for rel in sorted(set(relative)):
        if seen is not None and rel in seen:
            out.append(seen[rel])
            continue
        path = Path(rel) if os.path.isabs(rel) else root / rel
        try:
            digest, size = sha256_file(path)
        except OSError:
            continue
        out.append(InputFile(path=rel, sha256=digest, bytes=size))
    return out


def read_bounded(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    """A file's bytes, or None and why not (missing, over `limit` bytes, unreadable).

    The size is checked before reading so an oversized file never reaches memory; the read itself
    is also capped in case the file grows between the check and the read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None, "does not exist"
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    if size > limit:
        return None, f"is {size} bytes, over the {limit}-byte limit: not read"
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    if len(data) > limit:
        return None, f"is over the {limit}-byte limit: not read"
    return data, None


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link `src` to `dst`, or copy it where a link is impossible (another filesystem, a
    filesystem without links). `dst` must not exist; its folder is created."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def temp_name(dst: Path) -> Path:
    """The temporary name a final file is built under, beside it (same filesystem, so the rename
    is atomic) and hidden, so a reader listing the folder never mistakes it for output."""
    return dst.with_name(f".{dst.name}.kyodaku-tmp")


def place(src: Path, dst: Path) -> None:
    """Put `src`'s content at `dst` atomically: link or copy to a temporary name, then rename."""
    tmp = temp_name(dst)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.unlink(missing_ok=True)
    link_or_copy(src, tmp)
    os.replace(tmp, dst)


def files_under(folder: Path) -> list[str]:
    """Every regular file under `folder`, as sorted POSIX paths relative to it."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        base = Path(dirpath).relative_to(folder)
        out.extend((base / name).as_posix() for name in filenames)
    return sorted(out)


def mirror_parts(parts: Sequence[tuple[object, Path]], data_dir: Path) -> list[str]:
    """Merge for layouts whose parts already hold the final files at their final relative paths
    (folder, WebDataset): each part's files are placed under `data_dir` at the same path, in shard
    order. A file present in several parts (a folder's shared `tdmrep.json`) has the same bytes in
    each, so the last placement wins harmlessly. Returns the files written, sorted."""
    written: set[str] = set()
    for _shard, part_dir in parts:
        for rel in files_under(part_dir):
            place(part_dir / rel, data_dir / rel)
            written.add(rel)
    return sorted(written)


def is_safe_relative(name: str) -> bool:
    """Whether a name from inside a dataset (a tar member) is a plain relative path: not absolute,
    no drive, no `..` component, no backslash tricks. Anything else is refused, never followed."""
    if not name or name.startswith(("/", "\\")) or "\x00" in name:
        return False
    if len(name) >= 2 and name[1] == ":":
        return False
    parts = name.replace("\\", "/").split("/")
    return ".." not in parts
