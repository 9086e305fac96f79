"""The `webdataset` layout: tar shards whose members are grouped into samples by key.

`000123.jpg`, `000123.txt`, `000123.tdmrep.json` are one sample, key `000123` (the member path up
to the first dot of its base name), id `<tar path>/000123`. The dataset is one `.tar` (or `.tar.gz`,
`.tgz`), a folder of them (recursive, sorted) or a brace pattern `shard-{000000..000009}.tar`.
One shard per tar.

Why the tar is read as a stream and member by member: a shard may be gigabytes, so only the
current sample's members are in memory, and tarfile's own member list is emptied as we go.
Why truncation is detected by hand: tarfile's reader silently ends a tar at a bad or missing header
once past the first member, which would pass a truncated download off as a short shard. We record
how each header read ended and call anything but the end-of-archive block a break: the samples
read before it are yielded (the last one flagged, it may have lost sidecars such as its opt-out),
then a `<shard id>/!broken` sample carries the `shard` problem. A compressed tar is read to its
very end so that its checksum is verified (tarfile never checks gzip's CRC); a mismatch found there
still breaks the shard, after its samples have been yielded.

Members that are not regular files (symlinks, hard links, devices) or whose names are absolute or
climb with `..` are problems of their sample and are never followed. Directory entries carry no
data and are skipped.

The writer writes a new tar holding the kept samples' members with their original names and bytes,
in input order, in PAX format with each member's original mode, mtime, uid, gid, uname and gname
(and nothing else: no atime/ctime), so the same input gives a byte-identical output. A shard with
no kept sample still gets an empty (valid) tar, so the output has the same shard list as the input
and a training job's shard list needs no change. A gzip-compressed input gives a gzip output with
the gzip timestamp fixed at 0.
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import re
import tarfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, ClassVar

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import InputFile, ReaderOptions, Shard, WrittenShard
from kyodaku.scan.model import Location, Member, Problem, Sample
from kyodaku.scan.readers import files
from kyodaku.scan.readers.sidecars import read_members, split_key_ext

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_BRACE = re.compile(r"\{([^{}]*)\}")


def is_tar_name(name: str) -> bool:
    return name.lower().endswith(TAR_SUFFIXES) and not name.startswith(".")


def expand_braces(pattern: str) -> list[str]:
    """Expand `{000..009}` (zero padding kept from the wider bound) and `{a,b}` groups, the
    WebDataset shard-list notation; several groups give their product in order."""
    pieces: list[list[str]] = []
    last = 0
    for match in _BRACE.finditer(pattern):
        pieces.append([pattern[last : match.start()]])
        body = match.group(1)
        numeric = re.fullmatch(r"(\d+)\.\.(\d+)", body)
        if numeric:
            lo, hi = numeric.groups()
            width = max(len(lo), len(hi)) if lo.startswith("0") or hi.startswith("0") else 0
            step = 1 if int(hi) >= int(lo) else -1
            pieces.append([f"{n:0{width}d}" for n in range(int(lo), int(hi) + step, step)])
        else:
            pieces.append(body.split(","))
        last = match.end()
    pieces.append([pattern[last:]])
    return ["".join(combo) for combo in itertools.product(*pieces)]


def find_tars(folder: Path) -> list[str]:
    """The tar files under `folder` (recursive, hidden folders skipped), sorted relative paths."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = Path(dirpath).relative_to(folder)
        found.extend((base / n).as_posix() for n in filenames if is_tar_name(n))
    return sorted(found)


def _shard_id(index: int, rel: str, width: int) -> str:
    """`t000003-shard-000003`: the index makes it unique and sort in order; the tar's name, made
    filesystem-safe and capped, lets a person match a part folder to its tar."""
    stem = rel
    for suffix in TAR_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:60]
    return f"t{index:0{width}d}-{safe}" if safe else f"t{index:0{width}d}"


class _Recording(tarfile.TarInfo):
    """A TarInfo that records, on the tar, how its last header read failed, so the end of the
    member loop can tell the end-of-archive block from a truncated or corrupt header."""

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        try:
            info = super().fromtarfile(tarfile_)
        except tarfile.HeaderError as exc:
            tarfile_._kyodaku_end = exc  # type: ignore[attr-defined]
            raise
        tarfile_._kyodaku_end = None  # type: ignore[attr-defined]
        return info


def _decompressed(raw: IO[bytes]) -> IO[bytes]:
    """The tar stream of a file: gzip is unpacked here by `gzip.GzipFile` rather than by tarfile,
    because tarfile's stream reader never checks the gzip CRC, so flipped bytes inside a `.tar.gz`
    would pass unnoticed; GzipFile raises once the stream is read to its end. Other compressions
    (bz2, xz, which check their own integrity) are left to tarfile's `r|*`."""
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


class _Group:
    """The members of the sample being read (consecutive members with the same key)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.members: list[Member] = []
        self.infos: list[tarfile.TarInfo | None] = []
        self.problems: list[Problem] = []


class WebDatasetLayout:
    name: ClassVar[str] = "webdataset"

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        self.options = options
        if path.is_dir():
            self.root = path
            self._tars = find_tars(path)
            if not self._tars:
                raise InvalidInput(f"{path} holds no .tar files: not a WebDataset", path=str(path))
        elif "{" in path.name:
            self.root = path.parent
            self._tars = expand_braces(path.name)
            missing = [t for t in self._tars if not (self.root / t).is_file()]
            if missing:
                raise InvalidInput(
                    f"{len(missing)} of the {len(self._tars)} shards of {path} do not exist, "
                    f"first {missing[0]}",
                    path=str(path),
                )
        elif path.is_file():
            self.root = path.parent
            self._tars = [path.name]
        else:
            raise InvalidInput(f"{path} does not exist", path=str(path))

    def shards(self) -> list[Shard]:
        width = max(6, len(str(max(len(self._tars) - 1, 0))))
        return [
            Shard(id=_shard_id(i, rel, width), name=rel, index=i, source=(rel,))
            for i, rel in enumerate(self._tars)
        ]

    def read(self, shard: Shard) -> Iterator[Sample]:
        rel = shard.source[0]
        limit = self.options.max_member_bytes
        group: _Group | None = None
        seen: set[str] = set()  # keys only (not bytes), to catch a key split across the tar
        position = "at its start"
        try:
            with open(self.root / rel, "rb") as raw:
                stream = _decompressed(raw)
                try:
                    tar = tarfile.open(fileobj=stream, mode="r|*", tarinfo=_Recording)  # noqa: SIM115
                except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
                    yield self._broken(shard, f"{rel} is not a readable tar ({position}): {exc}")
                    return
                with tar:
                    while True:
                        info = tar.next()
                        tar.members.clear()
                        if info is None:
                            break
                        position = f"at byte {info.offset} of the tar stream, member {info.name!r}"
                        if info.isdir():
                            continue
                        key, ext = split_key_ext(info.name)
                        if group is None or key != group.key:
                            if group is not None:
                                yield self._sample(shard, rel, group)
                            group = _Group(key)
                            if key in seen:
                                group.problems.append(
                                    Problem(
                                        "member",
                                        f"key {key} appears again after other keys: "
                                        "its members are not together",
                                        Location(rel, key=key, member=info.name),
                                    )
                                )
                            seen.add(key)
                        self._add(tar, info, ext, group, rel, limit)
                    end = getattr(tar, "_kyodaku_end", None)
                    if end is not None and not isinstance(end, tarfile.EOFHeaderError):
                        after = f"after byte {tar.offset} of the tar stream"
                        raise tarfile.ReadError(f"no end-of-archive block {after}: {end or 'truncated'}")
                    position = f"after the end-of-archive block at byte {tar.offset}"
                    while tar.fileobj.read(files.CHUNK):  # to the end: gzip, bz2, xz check integrity there
                        pass
        except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
            if group is not None:
                group.problems.append(
                    Problem(
                        "shard",
                        f"the shard breaks after this sample's members ({position}): it may be incomplete",
                        Location(rel, key=group.key),
                    )
                )
                yield self._sample(shard, rel, group)
            yield self._broken(shard, f"{rel} breaks {position}: {exc}")
            return
        if group is not None:
            yield self._sample(shard, rel, group)

    def _add(
        self, tar: tarfile.TarFile, info: tarfile.TarInfo, ext: str, group: _Group, rel: str, limit: int
    ) -> None:
        where = Location(rel, key=group.key, member=info.name)
        group.infos.append(info)
        if not files.is_safe_relative(info.name):
            group.members.append(Member(info.name, ext, None))
            group.problems.append(
                Problem("member", f"member {info.name!r} has an unsafe path: not read", where)
            )
            return
        if not info.isfile():
            kind = "a symlink" if info.issym() else "a hard link" if info.islnk() else "not a regular file"
            group.members.append(Member(info.name, ext, None))
            group.problems.append(Problem("member", f"member {info.name} is {kind}: not followed", where))
            return
        if info.size > limit:
            group.members.append(Member(info.name, ext, None))
            group.problems.append(
                Problem(
                    "member",
                    f"member {info.name} is {info.size} bytes, over the {limit}-byte limit: not read",
                    where,
                )
            )
            return
        if any(m.name == info.name for m in group.members):
            group.problems.append(Problem("member", f"member {info.name} appears twice", where))
        handle = tar.extractfile(info)
        data = handle.read() if handle is not None else b""
        group.members.append(Member(info.name, ext, data))

    def _sample(self, shard: Shard, rel: str, group: _Group) -> Sample:
        location = Location(rel, key=group.key)
        members = tuple(group.members)
        caption, headers, problems = read_members(members, location)
        return Sample(
            id=f"{rel}/{group.key}",
            location=location,
            members=members,
            caption=caption,
            headers=headers,
            record=tuple(group.infos),
            problems=(*group.problems, *problems),
        )

    @staticmethod
    def _broken(shard: Shard, message: str) -> Sample:
        location = Location(shard.name)
        return Sample(
            id=f"{shard.id}/!broken", location=location, problems=(Problem("shard", message, location),)
        )

    def input_files(self, shard: Shard, seen: Mapping[str, InputFile] | None = None) -> list[InputFile]:
        # The tar as a whole is the input (its members' hashes would not let an auditor check it).
        return files.input_files(self.root, shard.source)

    def writer(self, shard: Shard, part_dir: Path) -> TarWriter:
        rel = shard.source[0]
        return TarWriter(self.root / rel, part_dir, rel)

    def merge(self, parts: Sequence[tuple[Shard, Path]], data_dir: Path) -> list[str]:
        return files.mirror_parts(parts, data_dir)


class TarWriter:
    """Writes the kept samples of one tar to `part_dir/<the tar's relative path>`."""

    def __init__(self, source: Path, part_dir: Path, rel: str) -> None:
        self.source = source
        self.rel = rel
        self.path = part_dir / rel
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._raw: IO[bytes] = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._gzip: gzip.GzipFile | None = None
        out: IO[bytes] = self._raw
        if rel.lower().endswith((".tar.gz", ".tgz")):
            self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
            out = self._gzip  # type: ignore[assignment]
        self._tar = tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self._samples = 0

    def write(self, sample: Sample) -> None:
        for member, original in zip(sample.members, sample.record or (), strict=False):
            if original is None or not original.isfile() or not files.is_safe_relative(member.name):
                continue
            info = tarfile.TarInfo(original.name)
            info.size = original.size
            info.mtime = original.mtime
            info.mode = original.mode
            info.uid, info.gid = original.uid, original.gid
            info.uname, info.gname = original.uname, original.gname
            info.type = tarfile.REGTYPE
            if member.data is not None:
                self._tar.addfile(info, io.BytesIO(member.data))
            else:
                self._copy_from_source(info, original)
        self._samples += 1

    def _copy_from_source(self, info: tarfile.TarInfo, original: tarfile.TarInfo) -> None:
        """A member the reader refused for its size (kept by `--report-only`): its bytes are copied
        from the input tar by offset, streamed. A compressed input cannot be read by offset; such a
        member is left out (its sample is reported with the problem either way)."""
        if self.source.name.lower().endswith((".tar.gz", ".tgz")):
            return
        with open(self.source, "rb") as src:
            src.seek(original.offset_data)
            self._tar.addfile(info, _Limited(src, original.size))

    def close(self) -> WrittenShard:
        self._tar.close()
        if self._gzip is not None:
            self._gzip.close()
        self._raw.close()
        return WrittenShard(files=[self.rel], samples=self._samples)


class _Limited:
    def __init__(self, handle: IO[bytes], size: int) -> None:
        self._handle = handle
        self._left = size

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        chunk = self._handle.read(size)
        self._left -= len(chunk)
        return chunk
