"""The `jsonl` and `parquet` layouts: a LAION-style manifest, one row per sample, naming a local
media file and its caption.

A row gives the caption (`caption_column`), the media path (`path_column`, relative to
`media_root`, by default the manifest's own folder, or absolute) and optionally an id (`id_column`,
else the row number). The sample id is `<manifest file name>:<row id>`; its location names the
manifest and the row number (0-based; for JSONL the line number minus one, blank lines counted and
skipped). Sidecars beside the media file (`img.tdmrep.json`, `img.html`, `img.headers.json`,
`img.headers`), `tdmrep.json` files in the media's folders up to `media_root`, and a `headers`
column (an object or a JSON string) are read as for folders.

Shards are row ranges of `shard_size`. JSONL is planned in one streaming pass that records the
byte offset where each shard starts, so a shard is read by seeking there and streaming its lines;
Parquet is read by row groups and batches. Either way memory does not grow with the manifest.

The writer writes the *manifest* only: kept JSONL lines byte for byte (a line is given a final
newline if the input's last line had none, so parts concatenate), kept Parquet rows with the input
schema. The media files are not copied: the filtered manifest names the same files as the input, and
a row the scan excluded is simply gone from it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import InputFile, ReaderOptions, Shard, WrittenShard
from kyodaku.scan.model import Location, Member, Problem, Sample
from kyodaku.scan.readers import files
from kyodaku.scan.readers.folder import FileReader, media_ext, stem_of
from kyodaku.scan.readers.sidecars import (
    MANIFEST_SIDECAR_EXTS,
    headers_from_object,
    merge_headers,
    read_members,
)

HEADERS_COLUMN = "headers"
MAX_ROW_BYTES = 16 * 1024 * 1024
"""A JSONL line longer than this is a problem, not a row read into memory (real rows are a few KB)."""

_MISSING = object()


def parse_jsonl_row(
    line: bytes, row: int, options: ReaderOptions, location: Location
) -> tuple[dict | None, list[Problem]]:
    """One JSONL line as a row object, or None and why not: not UTF-8, not JSON, not an object, or
    without the caption or path column. Never raises, whatever the bytes."""
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem("row", f"row {row} is not UTF-8 at byte {exc.start}", location)]
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return None, [Problem("row", f"row {row} is not JSON: {exc}", location)]
    if not isinstance(value, dict):
        return None, [Problem("row", f"row {row} is a JSON {type(value).__name__}, not an object", location)]
    missing = [c for c in (options.caption_column, options.path_column) if c not in value]
    if missing:
        return value, [
            Problem("row", f"row {row} has no {' or '.join(repr(c) for c in missing)} column", location)
        ]
    return value, []


class _Rows:
    """What the two manifest layouts share: turning a row's values into a sample, hashing, planning."""

    name: ClassVar[str]
    kind: ClassVar[str]

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file", path=str(path))
        self.path = path
        self.root = path.parent
        self.options = options
        self.manifest = path.name
        self.media_root = options.media_root or path.parent

    def _row_sample(
        self,
        reader: FileReader,
        row: int,
        values: Mapping[str, Any] | None,
        record: Any,
        problems: list[Problem],
    ) -> Sample:
        """A sample from a row's values (None: the row could not be read; its problems say why)."""
        options = self.options
        values = values or {}
        row_id: str = str(row)
        if options.id_column is not None:
            given = values.get(options.id_column)
            if given is None or given == "":
                problems.append(
                    Problem(
                        "row",
                        f"row {row} has no id in column {options.id_column!r}",
                        Location(self.manifest, row=row),
                    )
                )
            else:
                row_id = str(given)
        location = Location(self.manifest, row=row)
        members: list[Member] = []
        caption: str | None = None
        headers: dict[str, str] = {}
        raw_caption = values.get(options.caption_column)
        if isinstance(raw_caption, str):
            caption = raw_caption.strip()
        elif raw_caption is not None:
            problems.append(
                Problem(
                    "caption", f"row {row}: caption is a {type(raw_caption).__name__}, not text", location
                )
            )
        target = values.get(options.path_column, _MISSING)
        if target is _MISSING:
            pass  # the row's problem already says so
        elif not isinstance(target, str) or not target.strip():
            problems.append(
                Problem("row", f"row {row} names no file in column {options.path_column!r}", location)
            )
        elif "://" in target:
            members.append(Member(target, media_ext(target), None))
            problems.append(Problem("member", f"row {row} names {target}, not a local file", location))
        else:
            members, more = self._files(reader, row, target, location)
            problems.extend(more)
        if values.get(HEADERS_COLUMN) is not None:
            found, problem = headers_from_object(values[HEADERS_COLUMN], location)
            headers.update(found)
            if problem is not None:
                problems.append(problem)
        _, saved, more = read_members(members, location)
        merge_headers(headers, saved)
        problems.extend(more)
        return Sample(
            id=f"{self.manifest}:{row_id}",
            location=location,
            members=tuple(members),
            caption=caption,
            headers=headers,
            record=record,
            problems=tuple(problems),
        )

    def _files(
        self, reader: FileReader, row: int, target: str, location: Location
    ) -> tuple[list[Member], list[Problem]]:
        problems: list[Problem] = []
        path = Path(target) if os.path.isabs(target) else self.media_root / target
        where = Location(location.shard, row=row, member=target)
        data, why = files.read_bounded(path, self.options.max_member_bytes)
        if why == "does not exist":
            problems.append(Problem("member", f"file named by row {row} does not exist: {path}", where))
        elif why is not None:
            problems.append(Problem("member", f"file named by row {row} {why}: {path}", where))
        members = [Member(target, media_ext(target), data)]
        sidecars, more = reader.sidecars(stem_of(target), MANIFEST_SIDECAR_EXTS, location)
        members.extend(sidecars)
        problems.extend(more)
        if files.is_safe_relative(target):
            policies, more = reader.folder_policies(target, location)
            members.extend(policies)
            problems.extend(more)
        return members, problems

    def _reader(self) -> FileReader:
        return FileReader(self.media_root, self.options.max_member_bytes, contain_links=False)

    def _plan(self, total: int, offsets: Sequence[int] | None = None) -> list[Shard]:
        size = max(1, self.options.shard_size)
        count = (total + size - 1) // size
        width = max(6, len(str(max(count - 1, 0))))
        return [
            Shard(
                id=f"r{i:0{width}d}",
                name=f"rows {i * size}-{min(total, (i + 1) * size) - 1} of {self.manifest}",
                index=i,
                source=(self.manifest,),
                start=i * size,
                stop=min(total, (i + 1) * size),
                offset=offsets[i] if offsets is not None else 0,
            )
            for i in range(count)
        ]

    def input_files(self, shard: Shard, seen: Mapping[str, InputFile] | None = None) -> list[InputFile]:
        """The media files and sidecars the shard's rows name (paths as the rows write them), and,
        for the first shard only, the manifest itself: hashing a large manifest once per shard
        would cost as many reads of it as there are shards, and the audit needs its hash once."""
        if seen is not None:  # what the scan read: no second pass over the shard's rows and files
            names = [name for name in seen if "://" not in name]
        else:
            names = []
            for sample in self.read(shard):
                names.extend(m.name for m in sample.members if m.data is not None and "://" not in m.name)
        out = files.input_files(self.media_root, names, seen)
        if shard.index == 0:
            out.extend(files.input_files(self.root, [self.manifest]))
            out.sort(key=lambda f: f.path)
        return out

    def read(self, shard: Shard) -> Iterator[Sample]:  # pragma: no cover - defined by subclasses
        raise NotImplementedError


class JsonlLayout(_Rows):
    name: ClassVar[str] = "jsonl"

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        super().__init__(path, options)
        with open(path, "rb") as handle:
            head = handle.read(4096).lstrip()
        if not head:
            raise InvalidInput(f"{path} is empty: nothing to scan", path=str(path))
        if head.startswith(b"["):
            raise InvalidInput(
                f"{path} is a JSON array, not JSON lines (one object per line)", path=str(path)
            )

    def shards(self) -> list[Shard]:
        """One streaming pass counting lines and recording where each shard's first line starts."""
        size = max(1, self.options.shard_size)
        offsets = [0]
        lines = 0
        position = 0
        next_cut = size
        last = b"\n"
        with open(self.path, "rb") as handle:
            while chunk := handle.read(files.CHUNK):
                if lines + chunk.count(b"\n") >= next_cut:
                    start = 0
                    while (newline := chunk.find(b"\n", start)) >= 0:
                        lines += 1
                        start = newline + 1
                        if lines == next_cut:
                            offsets.append(position + start)
                            next_cut += size
                else:
                    lines += chunk.count(b"\n")
                position += len(chunk)
                last = chunk[-1:]
        total = lines + (0 if last == b"\n" else 1)
        return self._plan(total, offsets)

    def _lines(self, shard: Shard) -> Iterator[tuple[int, bytes | None]]:
        """The shard's lines with their row numbers; None for a line over MAX_ROW_BYTES (skipped
        to its end without holding it)."""
        with open(self.path, "rb") as handle:
            handle.seek(shard.offset)
            for row in range(shard.start, shard.stop if shard.stop is not None else shard.start):
                line = handle.readline(MAX_ROW_BYTES + 1)
                if not line:
                    return
                if len(line) > MAX_ROW_BYTES and not line.endswith(b"\n"):
                    while (rest := handle.readline(files.CHUNK)) and not rest.endswith(b"\n"):
                        pass
                    yield row, None
                    continue
                yield row, line

    def read(self, shard: Shard) -> Iterator[Sample]:
        reader = self._reader()
        for row, line in self._lines(shard):
            location = Location(self.manifest, row=row)
            if line is None:
                problem = Problem("row", f"row {row} is over {MAX_ROW_BYTES} bytes: not read", location)
                yield Sample(id=f"{self.manifest}:{row}", location=location, problems=(problem,))
                continue
            if not line.strip():
                continue
            values, problems = parse_jsonl_row(line, row, self.options, location)
            yield self._row_sample(reader, row, values, line, problems)

    def writer(self, shard: Shard, part_dir: Path) -> JsonlWriter:
        return JsonlWriter(part_dir / self.manifest, self.manifest)

    def merge(self, parts: Sequence[tuple[Shard, Path]], data_dir: Path) -> list[str]:
        """The parts' bytes concatenated in shard order into `data_dir/<manifest name>`."""
        dst = data_dir / self.manifest
        tmp = files.temp_name(dst)
        dst.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as out:
            for _shard, part_dir in sorted(parts, key=lambda p: p[0].index):
                part = part_dir / self.manifest
                if part.is_file():
                    with open(part, "rb") as src:
                        while chunk := src.read(files.CHUNK):
                            out.write(chunk)
        os.replace(tmp, dst)
        return [self.manifest]


class JsonlWriter:
    def __init__(self, path: Path, name: str) -> None:
        self.name = name
        self._handle = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._samples = 0

    def write(self, sample: Sample) -> None:
        """A sample without a record (a row over MAX_ROW_BYTES, a broken-shard marker) has no line
        to write: with `--report-only` it is reported, not copied."""
        line: bytes | None = sample.record
        if line is None:
            return
        self._handle.write(line if line.endswith(b"\n") else line + b"\n")
        self._samples += 1

    def close(self) -> WrittenShard:
        self._handle.close()
        return WrittenShard(files=[self.name], samples=self._samples)


class ParquetLayout(_Rows):
    name: ClassVar[str] = "parquet"
    BATCH = 1024

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        super().__init__(path, options)
        import pyarrow.parquet as pq

        try:
            meta = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise InvalidInput(f"{path} is not a readable Parquet file: {exc}", path=str(path)) from exc
        names = meta.schema_arrow.names
        needed = [
            c for c in (options.caption_column, options.path_column, options.id_column) if c is not None
        ]
        absent = [c for c in needed if c not in names]
        if absent:
            raise InvalidInput(
                f"{path} has no column {', '.join(repr(c) for c in absent)}; its columns: {', '.join(names)}",
                path=str(path),
            )
        if meta.metadata.num_rows == 0:
            raise InvalidInput(f"{path} has no rows: nothing to scan", path=str(path))
        self.schema = meta.schema_arrow
        self._group_rows = [meta.metadata.row_group(i).num_rows for i in range(meta.num_row_groups)]

    def shards(self) -> list[Shard]:
        return self._plan(sum(self._group_rows))

    def _batches(self, shard: Shard) -> Iterator[tuple[int, Any]]:
        """(first row number, batch) for the rows of the shard, reading only the row groups that
        hold them, a batch at a time."""
        import pyarrow.parquet as pq

        stop = shard.stop if shard.stop is not None else shard.start
        groups: list[int] = []
        first = None
        row = 0
        for index, count in enumerate(self._group_rows):
            if row < stop and row + count > shard.start:
                groups.append(index)
                first = row if first is None else first
            row += count
        if not groups or first is None:
            return
        row = first
        parquet = pq.ParquetFile(self.path)
        for batch in parquet.iter_batches(batch_size=self.BATCH, row_groups=groups):
            lo = max(shard.start - row, 0)
            hi = min(stop - row, batch.num_rows)
            if hi > lo:
                yield row + lo, batch.slice(lo, hi - lo)
            row += batch.num_rows
            if row >= stop:
                return

    def read(self, shard: Shard) -> Iterator[Sample]:
        reader = self._reader()
        options = self.options
        wanted = [
            c
            for c in (options.caption_column, options.path_column, options.id_column, HEADERS_COLUMN)
            if c is not None and c in self.schema.names
        ]
        batches = self._batches(shard)
        row = shard.start
        while True:
            try:
                found = next(batches, None)
            except Exception as exc:  # a corrupt page or row group: the shard breaks here
                location = Location(self.manifest, row=row)
                problem = Problem("shard", f"{self.manifest} breaks at row {row}: {exc}", location)
                yield Sample(id=f"{shard.id}/!broken", location=location, problems=(problem,))
                return
            if found is None:
                return
            first, batch = found
            columns = {name: batch.column(name).to_pylist() for name in wanted}
            for i in range(batch.num_rows):
                row = first + i
                values = {name: column[i] for name, column in columns.items()}
                yield self._row_sample(reader, row, values, batch.slice(i, 1), [])
            row = first + batch.num_rows

    def writer(self, shard: Shard, part_dir: Path) -> ParquetWriter:
        return ParquetWriter(part_dir / self.manifest, self.manifest, self.schema)

    def merge(self, parts: Sequence[tuple[Shard, Path]], data_dir: Path) -> list[str]:
        """One Parquet file with the input schema, the parts' row groups in shard order."""
        import pyarrow.parquet as pq

        dst = data_dir / self.manifest
        tmp = files.temp_name(dst)
        dst.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(tmp, self.schema) as out:
            for _shard, part_dir in sorted(parts, key=lambda p: p[0].index):
                part = part_dir / self.manifest
                if not part.is_file():
                    continue
                source = pq.ParquetFile(part)
                for group in range(source.num_row_groups):
                    table = source.read_row_group(group)
                    if table.num_rows:
                        out.write_table(table.cast(self.schema))
        os.replace(tmp, dst)
        return [self.manifest]


class ParquetWriter:
    """Kept rows (one-row batches from the reader) written with the input schema; buffered and
    flushed every `BATCH` rows so a shard's kept rows are never all in memory at once."""

    BATCH = 1024

    def __init__(self, path: Path, name: str, schema: Any) -> None:
        import pyarrow.parquet as pq

        self.name = name
        self.schema = schema
        self._writer = pq.ParquetWriter(path, schema)
        self._buffer: list[Any] = []
        self._samples = 0

    def write(self, sample: Sample) -> None:
        if sample.record is None:  # a broken-shard marker: no row to write
            return
        self._buffer.append(sample.record)
        self._samples += 1
        if len(self._buffer) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._buffer:
            table = pa.Table.from_batches(self._buffer).cast(self.schema)
            self._writer.write_table(table)
            self._buffer = []

    def close(self) -> WrittenShard:
        self._flush()
        self._writer.close()
        return WrittenShard(files=[self.name], samples=self._samples)
