"""The scan's state in `--out/.scan/`: which scan this folder holds, and which shards are done.

Why a folder per shard renamed into place: a worker writes everything a shard produces (its kept
samples, its kept and excluded lists, its summary) into `parts/<shard id>.tmp/` and, only when all
of it is written and flushed, renames that folder to `parts/<shard id>/`. A rename is atomic, so a
shard is either done, with every file whole, or not done at all; a killed scan leaves at most
`.tmp` folders, which a resumed scan deletes and redoes. Nothing is lost and nothing is counted
twice, because the final outputs are only assembled from whole shard folders, in shard order.

Why a fingerprint: `--out` may already hold a scan. The same scan (same input plan, same settings,
same registry) resumes; a different one is refused with what differs, never overwritten, and a
folder that holds anything else is refused too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kyodaku.atomic import fsync_dir, write_atomic
from kyodaku.domain.errors import Conflict

STATE_DIR = ".scan"
STATE_FILE = "state.json"
STATE_FORMAT = "kyodaku-scan-state/1"
PARTS = "parts"
SHARD_SUMMARY = "shard.json"


def canonical(data: Any) -> bytes:
    """The one JSON serialization used for hashing and for outputs: sorted keys, UTF-8, no spaces."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class ScanIdentity:
    """Everything that makes two scans the same scan."""

    dataset: str
    layout: str
    shards: list[dict[str, Any]]
    settings: dict[str, Any]
    registry: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "layout": self.layout,
            "shards": self.shards,
            "settings": self.settings,
            "registry": self.registry,
        }

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(canonical(self.to_dict())).hexdigest()


class ScanState:
    """The `.scan` folder of one output folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.dir = out / STATE_DIR
        self.parts = self.dir / PARTS

    # -- which scan --------------------------------------------------------------------------------
    def recorded(self) -> dict[str, Any] | None:
        """The state a previous run left, or None for a new or empty folder. A folder with other
        content and no state is refused: it is not ours to write into."""
        state = self.dir / STATE_FILE
        if state.is_file():
            try:
                data = json.loads(state.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise Conflict(
                    f"{state} is unreadable ({exc}); remove {self.out} or choose another --out"
                ) from exc
            if data.get("format") != STATE_FORMAT:
                raise Conflict(f"{state} is not a kyodaku scan state; choose another --out")
            return data
        if self.out.exists():
            if not self.out.is_dir():
                raise Conflict(f"--out {self.out} is a file, not a folder")
            if any(self.out.iterdir()):
                raise Conflict(
                    f"--out {self.out} is not empty and holds no kyodaku scan; "
                    "choose an empty or new folder (nothing was written)"
                )
        return None

    def claim(self, identity: ScanIdentity) -> bool:
        """Make this folder hold `identity`'s scan. Returns True when it resumes an earlier run of the
        same scan; raises Conflict, naming what differs, when the folder holds another scan."""
        recorded = self.recorded()
        if recorded is not None:
            if recorded.get("fingerprint") != identity.fingerprint:
                raise Conflict(
                    f"--out {self.out} holds another scan "
                    f"({_differences(recorded.get('identity', {}), identity.to_dict())}); "
                    "choose another folder, or remove it to start over",
                    out=str(self.out),
                )
            self._clean_unfinished()
            return True
        self.parts.mkdir(parents=True, exist_ok=True)
        state = {
            "format": STATE_FORMAT,
            "fingerprint": identity.fingerprint,
            "identity": identity.to_dict(),
            "complete": False,
        }
        write_atomic(self.dir / STATE_FILE, canonical(state))
        return False

    def mark_complete(self) -> None:
        data = self.recorded() or {}
        data["complete"] = True
        write_atomic(self.dir / STATE_FILE, canonical(data))

    @property
    def complete(self) -> bool:
        data = self.recorded()
        return bool(data and data.get("complete"))

    # -- shards ------------------------------------------------------------------------------------
    def part(self, shard_id: str) -> Path:
        return self.parts / shard_id

    def is_done(self, shard_id: str) -> bool:
        return (self.part(shard_id) / SHARD_SUMMARY).is_file()

    def begin(self, shard_id: str) -> Path:
        """A fresh, empty temporary folder for one shard's outputs."""
        tmp = self.parts / f"{shard_id}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        return tmp

    def commit(self, shard_id: str, tmp: Path) -> Path:
        """Rename a shard's finished temporary folder into place: the shard's completion marker."""
        final = self.part(shard_id)
        if final.exists():  # a duplicate run of a done shard (a retried Ray task): keep the first
            shutil.rmtree(tmp)
            return final
        fsync_dir(tmp)
        os.rename(tmp, final)
        fsync_dir(self.parts)
        return final

    def _clean_unfinished(self) -> None:
        if not self.parts.exists():
            self.parts.mkdir(parents=True)
            return
        for child in self.parts.iterdir():
            if child.name.endswith(".tmp"):
                shutil.rmtree(child, ignore_errors=True)

    def drop_parts(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)


def _differences(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Which parts of two scans' identities differ, for the refusal message."""
    changed = [key for key in ("dataset", "layout", "shards", "registry") if old.get(key) != new.get(key)]
    old_settings, new_settings = old.get("settings", {}), new.get("settings", {})
    changed += [
        f"settings.{key}" for key in sorted(set(old_settings) | set(new_settings))
        if old_settings.get(key) != new_settings.get(key)
    ]  # fmt: skip
    return "different " + ", ".join(changed) if changed else "a different scan"
