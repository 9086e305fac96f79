"""Dataset layouts for the training-data scanner, and `open_layout`, which picks one for a path.

Detection goes by what the path is, never by reading samples: a `.tar`/`.tar.gz`/`.tgz` file, a
brace pattern of them, or a folder holding tars is a WebDataset; a `.jsonl`/`.ndjson`/`.json` file a
JSONL manifest; a `.parquet` file a Parquet manifest; a folder of images or videos the `folder`
layout. A folder holding both tars and loose media is ambiguous and must be named, because reading
it the wrong way would silently scan (and write) only part of it.
"""

from __future__ import annotations

import os
from pathlib import Path

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import Layout, ReaderOptions
from kyodaku.scan.model import MEDIA_EXTS
from kyodaku.scan.readers.folder import FolderLayout, media_ext
from kyodaku.scan.readers.manifest import JsonlLayout, ParquetLayout
from kyodaku.scan.readers.webdataset import WebDatasetLayout, is_tar_name

LAYOUTS: dict[str, type] = {
    FolderLayout.name: FolderLayout,
    WebDatasetLayout.name: WebDatasetLayout,
    JsonlLayout.name: JsonlLayout,
    ParquetLayout.name: ParquetLayout,
}

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")

__all__ = [
    "LAYOUTS",
    "FolderLayout",
    "JsonlLayout",
    "ParquetLayout",
    "WebDatasetLayout",
    "detect",
    "open_layout",
]


def _folder_kind(path: Path) -> str:
    """What a folder holds: stops walking as soon as both kinds are seen."""
    tars = media = False
    for _dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            tars = tars or is_tar_name(name)
            media = media or (media_ext(name) in MEDIA_EXTS and not name.startswith("."))
        if tars and media:
            raise InvalidInput(
                f"{path} holds both .tar shards and loose media files: "
                "name the layout (webdataset or folder)",
                path=str(path),
            )
    if tars:
        return WebDatasetLayout.name
    if media:
        return FolderLayout.name
    raise InvalidInput(
        f"{path} holds no .tar shards and no image or video files: nothing to scan", path=str(path)
    )


def detect(path: Path) -> str:
    """The layout name for a dataset path (see the module docstring), or InvalidInput."""
    name = path.name.lower()
    if path.is_dir():
        return _folder_kind(path)
    if "{" in path.name and (".." in path.name or "," in path.name):
        return WebDatasetLayout.name
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", path=str(path))
    if is_tar_name(name):
        return WebDatasetLayout.name
    if name.endswith(JSONL_SUFFIXES):
        return JsonlLayout.name
    if name.endswith(".parquet"):
        return ParquetLayout.name
    raise InvalidInput(
        f"cannot tell the layout of {path}: expected a folder, a .tar, a .jsonl or a .parquet file",
        path=str(path),
    )


def open_layout(path: Path, options: ReaderOptions, layout: str | None = None) -> Layout:
    """Open `path` as the named layout, or the detected one. Unknown names, missing or empty
    inputs raise InvalidInput with a message a person can act on."""
    if layout is None:
        layout = detect(path)
    cls = LAYOUTS.get(layout)
    if cls is None:
        raise InvalidInput(
            f"unknown dataset layout {layout!r}; known: {', '.join(sorted(LAYOUTS))}", layout=layout
        )
    return cls(path, options)
