"""The contract between the scanner and a dataset layout (folder, WebDataset, JSONL or Parquet manifest).

A layout does four things and nothing else: it plans the dataset into shards, reads a shard as a
stream of samples, hashes a shard's input files (for the audit manifest), and writes the kept
samples of a shard back *in the same layout* (so training code needs no change), then merges the
shards' kept outputs into the final `data/` folder. It never judges a sample.

Why the writer works per shard into a private folder: a worker writes a shard's kept samples into
`<out>/.scan/parts/<shard id>.tmp/`, and only a completed shard is renamed into place and marked
done. A killed scan therefore leaves no half-written output to clean, and a resumed scan redoes
only the shards without a marker. `merge` runs once all shards are done; it builds the final files
by hard link or copy into a temporary name and renames each into place, so it too can be rerun.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from kyodaku.scan.model import Sample

DATA_DIR = "data"
"""Where the kept samples go under `--out`, in the input's own layout."""


@dataclass(frozen=True)
class ReaderOptions:
    """How to read a dataset. Column names matter for manifests only; `shard_size` is the number of
    samples (folder files or manifest rows) per shard where the layout has no shards of its own.
    `media_root` resolves a manifest's relative paths (default: the manifest's own folder).
    `max_member_bytes` refuses a single file larger than this (read as a problem, not into memory)."""

    caption_column: str = "caption"
    path_column: str = "path"
    id_column: str | None = None
    shard_size: int = 1000
    media_root: Path | None = None
    max_member_bytes: int = 512 * 1024 * 1024


@dataclass(frozen=True)
class Shard:
    """One unit of work. `id` is unique, filesystem-safe and sorts in dataset order (it names the
    shard's part folder); `name` is what a person reads (a tar's path, `rows 1000-1999 of x.parquet`);
    `source` the input file(s) relative to the dataset root; `start`/`stop` a row or file range
    where the layout slices; `offset` the byte offset of row `start` in the source, where the
    layout records one while planning (JSONL), so reading a late shard does not re-read the file."""

    id: str
    name: str
    index: int
    source: tuple[str, ...] = ()
    start: int = 0
    stop: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class InputFile:
    """One input file's content hash, for the manifest (path relative to the dataset root)."""

    path: str
    sha256: str
    bytes: int

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "sha256": self.sha256, "bytes": self.bytes}


@dataclass
class WrittenShard:
    """What a shard writer wrote into its part folder (paths relative to the part folder)."""

    files: list[str] = field(default_factory=list)
    samples: int = 0


class SampleWriter(Protocol):
    def write(self, sample: Sample) -> None:
        """Write one kept sample, unchanged, in the layout's own format."""
        ...

    def close(self) -> WrittenShard:
        """Finish the shard's files (flush, footers) and say what was written."""
        ...


class Layout(Protocol):
    """A dataset layout opened on one dataset path."""

    name: ClassVar[str]
    root: Path

    def shards(self) -> list[Shard]:
        """The whole dataset as shards, in a stable order (the same on every run of the same input)."""
        ...

    def read(self, shard: Shard) -> Iterator[Sample]:
        """The shard's samples, streamed, in a stable order. A sample that cannot be fully read is
        yielded with its `problems`; a shard that breaks midway (a truncated tar) yields what came
        before, then one sample with id `<shard id>/!broken` carrying a `shard` problem. Never raises
        for bad data inside the shard."""
        ...

    def input_files(self, shard: Shard, seen: Mapping[str, InputFile] | None = None) -> list[InputFile]:
        """SHA-256 and size of the input files this shard reads (a tar, a manifest, a folder's files).

        `seen`: the members the scan read from this shard, by name, hashed as they were read; a
        layout whose inputs are those members takes their hashes from here (the bytes judged) instead
        of reading every file a second time."""
        ...

    def writer(self, shard: Shard, part_dir: Path) -> SampleWriter:
        """A writer for the shard's kept samples under `part_dir` (which exists and is empty)."""
        ...

    def merge(self, parts: Sequence[tuple[Shard, Path]], data_dir: Path) -> list[str]:
        """Assemble the final kept output under `data_dir` from every shard's part folder (in shard
        order), each file written under a temporary name and renamed into place; returns the files
        written, relative to `data_dir`, sorted. Deterministic: the same parts give the same bytes."""
        ...
