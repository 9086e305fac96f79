"""The `folder` layout: a folder (recursive) of images and videos with sidecars sharing their stem.

`a/b/img001.jpg` is one sample; `a/b/img001.txt` (caption) or `a/b/img001.json` (with a `caption`
field), `a/b/img001.tdmrep.json`, `a/b/img001.html` (the saved page) and `a/b/img001.headers.json`
or `a/b/img001.headers` (saved HTTP response headers) are its sidecars. A file named exactly
`tdmrep.json` in the root or in any folder above a sample is that folder's TDMRep policy and is
attached to every sample below it: a rightsholder's opt-out for a whole folder must reach each
file in it.

The sample id is the media file's path relative to the root, extension included (`a/b/img001.jpg`):
it is unique even where `img001.jpg` and `img001.png` sit side by side (they then share sidecars),
and stable across runs. A sample's members are its media file, then its own sidecars in the order
of `SIDECAR_EXTS`, then the folder policies from the nearest folder up to the root (so the most
specific `tdmrep.json` comes first). Hidden folders (`.git`, `.scan`) are not read; a file that is not read is
never written to the output either, so skipping it cannot leak it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import ClassVar

from kyodaku.domain.errors import InvalidInput
from kyodaku.scan.layout import InputFile, ReaderOptions, Shard, WrittenShard
from kyodaku.scan.model import MEDIA_EXTS, Location, Member, Problem, Sample
from kyodaku.scan.readers import files
from kyodaku.scan.readers.sidecars import FOLDER_TDMREP, SIDECAR_EXTS, read_members


def media_ext(name: str) -> str:
    """A media file's extension: its last suffix, lower-cased (`IMG.v2.JPG` -> `jpg`)."""
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base.lstrip(".") else ""


def stem_of(name: str) -> str:
    """The name its sidecars share: the media path without its last suffix."""
    ext = media_ext(name)
    return name[: -len(ext) - 1] if ext else name


def _walk_media(root: Path) -> Iterator[str]:
    """Media files under `root` as POSIX paths relative to it (unsorted), hidden folders skipped,
    symlinked folders not followed (they could loop, or lead outside the dataset)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
        for name in filenames:
            if media_ext(name) in MEDIA_EXTS and not name.startswith("."):
                yield (base / name).as_posix()


class FileReader:
    """Reads a sample's files beside its media file. It remembers, for one read pass, which folders
    hold a `tdmrep.json` (and its bytes), so a folder's policy is read once, not once per sample.
    `contain_links` refuses symlinks leading outside the root (a folder dataset is the root; a
    manifest may deliberately point into a shared store, so it does not)."""

    def __init__(self, root: Path, limit: int, *, contain_links: bool = True) -> None:
        self.root = root
        self.contain_links = contain_links
        self.real_root = root.resolve()
        self.limit = limit
        self._policies: dict[str, tuple[Member, ...]] = {}
        self._policy_problems: dict[str, tuple[Problem, ...]] = {}

    def read(
        self, rel: str, ext: str, location: Location, *, required: bool
    ) -> tuple[Member | None, Problem | None]:
        """One file as a member. A missing optional sidecar is None; a missing required file (the
        media) is a member without bytes and a problem. A symlink leading outside the dataset is
        refused, not followed."""
        path = Path(rel) if os.path.isabs(rel) else self.root / rel
        if not required and not os.path.lexists(path):
            return None, None
        where = Location(location.shard, location.key, location.row, rel)
        if self.contain_links and os.path.islink(path) and not os.path.isabs(rel):
            target = path.resolve()
            if not target.is_relative_to(self.real_root):
                return Member(rel, ext, None), Problem(
                    "member", f"{rel} is a symlink leading outside the dataset: not followed", where
                )
        data, why = files.read_bounded(path, self.limit)
        if why is not None:
            return Member(rel, ext, None), Problem("member", f"{rel} {why}", where)
        return Member(rel, ext, data), None

    def sidecars(
        self, stem: str, exts: Sequence[str], location: Location
    ) -> tuple[list[Member], list[Problem]]:
        members: list[Member] = []
        problems: list[Problem] = []
        for ext in exts:
            member, problem = self.read(f"{stem}.{ext}", ext, location, required=False)
            if member is not None:
                members.append(member)
            if problem is not None:
                problems.append(problem)
        return members, problems

    def folder_policies(
        self, rel: str, location: Location, top: str = ""
    ) -> tuple[list[Member], list[Problem]]:
        """The `tdmrep.json` files of every folder from the media file's own folder up to `top`
        (a folder relative to the root; "" is the root), nearest first, so the most specific policy
        comes first and `Sample.member("tdmrep.json")` finds the sample's own sidecar before any."""
        members: list[Member] = []
        problems: list[Problem] = []
        folder = PurePosixPath(rel).parent
        while True:
            key = folder.as_posix()
            key = "" if key == "." else key
            if key not in self._policies:
                name = f"{key}/{FOLDER_TDMREP}" if key else FOLDER_TDMREP
                member, problem = self.read(name, "tdmrep.json", location, required=False)
                self._policies[key] = (member,) if member is not None else ()
                self._policy_problems[key] = (problem,) if problem is not None else ()
            members.extend(self._policies[key])
            problems.extend(self._policy_problems[key])
            if key == top or folder == folder.parent or key.startswith(".."):
                break
            folder = folder.parent
        return members, problems


def _shard_ids(count: int, prefix: str) -> list[str]:
    """Zero-padded shard ids that sort in dataset order, one width for the whole dataset."""
    width = max(6, len(str(max(count - 1, 0))))
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


class FolderLayout:
    name: ClassVar[str] = "folder"

    def __init__(self, root: Path, options: ReaderOptions) -> None:
        if not root.is_dir():
            raise InvalidInput(f"{root} is not a folder", path=str(root))
        self.root = root
        self.options = options
        if next(_walk_media(root), None) is None:
            exts = ", ".join(sorted(MEDIA_EXTS))
            raise InvalidInput(
                f"{root} holds no image or video files ({exts}): nothing to scan", path=str(root)
            )

    def shards(self) -> list[Shard]:
        """Media files sorted by relative path and cut every `shard_size` files; each shard carries
        its own file list in `source`, so a worker reads it without listing the folder again."""
        paths = sorted(_walk_media(self.root))
        size = max(1, self.options.shard_size)
        starts = range(0, len(paths), size)
        ids = _shard_ids(len(starts), "f")
        return [
            Shard(
                id=ids[i],
                name=f"files {start}-{min(start + size, len(paths)) - 1} of {self.root.name or self.root}",
                index=i,
                source=tuple(paths[start : start + size]),
                start=start,
                stop=min(start + size, len(paths)),
            )
            for i, start in enumerate(starts)
        ]

    def read(self, shard: Shard) -> Iterator[Sample]:
        reader = FileReader(self.root, self.options.max_member_bytes)
        for rel in shard.source:
            yield self._sample(reader, shard, rel)

    def _sample(self, reader: FileReader, shard: Shard, rel: str) -> Sample:
        location = Location(shard.id, key=rel)
        problems: list[Problem] = []
        media, problem = reader.read(rel, media_ext(rel), location, required=True)
        assert media is not None
        if problem is not None:
            problems.append(problem)
        sidecars, more = reader.sidecars(stem_of(rel), SIDECAR_EXTS, location)
        problems.extend(more)
        policies, more = reader.folder_policies(rel, location)
        problems.extend(more)
        members = (media, *sidecars, *policies)
        caption, headers, more = read_members(members, location)
        problems.extend(more)
        return Sample(
            id=rel,
            location=location,
            members=members,
            caption=caption,
            headers=headers,
            record=tuple(m.name for m in members),
            problems=tuple(problems),
        )

    def input_files(self, shard: Shard, seen: Mapping[str, InputFile] | None = None) -> list[InputFile]:
        """Every file the shard reads: its media files, their sidecars and the folder policies."""
        reader = FileReader(self.root, self.options.max_member_bytes)
        names: list[str] = []
        for rel in shard.source:
            names.append(rel)
            location = Location(shard.id, key=rel)
            for ext in SIDECAR_EXTS:
                if os.path.lexists(self.root / f"{stem_of(rel)}.{ext}"):
                    names.append(f"{stem_of(rel)}.{ext}")
            names.extend(m.name for m in reader.folder_policies(rel, location)[0])
        return files.input_files(self.root, names, seen)

    def writer(self, shard: Shard, part_dir: Path) -> FolderWriter:
        return FolderWriter(self.root, part_dir)

    def merge(self, parts: Sequence[tuple[Shard, Path]], data_dir: Path) -> list[str]:
        return files.mirror_parts(parts, data_dir)


class FolderWriter:
    """Links (or copies) each kept sample's files, media and sidecars and folder policies, under the
    part folder at their relative paths. A folder policy shared by several samples is written once."""

    def __init__(self, root: Path, part_dir: Path) -> None:
        self.root = root
        self.part_dir = part_dir
        self.written = WrittenShard()
        self._seen: set[str] = set()

    def write(self, sample: Sample) -> None:
        for rel in sample.record or ():
            if rel in self._seen or not files.is_safe_relative(rel):
                continue
            src = self.root / rel
            if not src.is_file():
                continue
            files.link_or_copy(src, self.part_dir / rel)
            self._seen.add(rel)
            self.written.files.append(rel)
        self.written.samples += 1

    def close(self) -> WrittenShard:
        self.written.files.sort()
        return self.written
