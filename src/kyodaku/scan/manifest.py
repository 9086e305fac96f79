"""The scan output folder's signed audit manifest: what it records, how it is written, how it is checked.

A scan writes, under `--out DIR`:

    data/...          the kept samples, in the input's own layout
    kept.jsonl        {"id": ...} per kept sample, in scan order
    excluded.jsonl    {"id", "reasons", "evidence"} per excluded sample, in scan order
    summary.json, summary.md
    manifest.json     this module's manifest (canonical JSON, see `canonical_json`)
    manifest.sig      base64 Ed25519 signature of manifest.json's exact bytes, one line
    .scan/            the scanner's private state (parts, resume markers); never part of the output

Why a signed manifest: a trainer hands the folder to an auditor or a rightsholder and says "this is
what we trained on and this is what we left out, and why". The manifest pins every output file by
SHA-256 and size, and both id lists by an RFC 6962 Merkle root (so one sample's presence can later
be proven with a short inclusion proof, see `merkle.py`); the Ed25519 signature pins the manifest.
Changing one byte anywhere, adding or removing a file, or reordering ids then shows up in
`verify_output`, which names every such problem rather than stopping at the first.

The manifest is deterministic: the same outputs and the same arguments give the same bytes (no
wall clock unless the caller passes `created`), so two runs of a scan can be compared by hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from kyodaku.atomic import fsync_dir, write_atomic
from kyodaku.audit import signing
from kyodaku.audit.merkle import MerkleBuilder, MerkleRoot, leaf_hash
from kyodaku.domain.errors import ConfigurationError, IntegrityError, InvalidInput, NotFound

__all__ = [
    "EXCLUDED_NAME",
    "KEPT_NAME",
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "MERKLE_ALGORITHM",
    "SIGNATURE_NAME",
    "STATE_DIR",
    "FileDigest",
    "MerkleRoot",
    "VerifyProblem",
    "VerifyReport",
    "WrittenManifest",
    "build_manifest",
    "canonical_json",
    "hash_file",
    "ids_root",
    "raise_for",
    "verify_output",
    "write_signed",
]

MANIFEST_FORMAT = "kyodaku-scan-manifest/1"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
STATE_DIR = ".scan"
KEPT_NAME = "kept.jsonl"
EXCLUDED_NAME = "excluded.jsonl"
SIGNATURE_ALGORITHM = "Ed25519"
MERKLE_ALGORITHM = "RFC 6962 SHA-256 over UTF-8 sample ids in file order"

RESERVED_TOP_LEVEL = frozenset({MANIFEST_NAME, SIGNATURE_NAME, STATE_DIR})
"""Top-level names that are not outputs: the manifest and signature (they cannot list themselves)
and the scanner's private state folder."""

MAX_PROBLEMS_PER_KIND = 1000
"""A report lists at most this many problems of one kind, then one line counting the rest: a folder
where all 100,000 files changed needs the count and some examples, not a 100,000-line report."""

_CHUNK = 1024 * 1024
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class FileDigest:
    """SHA-256 and size of one file; `path` as recorded (POSIX, relative to the output folder)."""

    path: str
    sha256: str
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "bytes": self.bytes}


@dataclass(frozen=True)
class WrittenManifest:
    """What `write_signed` wrote: both files, the manifest's SHA-256 and the signing key's id."""

    manifest_path: Path
    signature_path: Path
    sha256: str
    key_id: str


@dataclass(frozen=True)
class VerifyProblem:
    """One way the folder differs from its manifest.

    `what` is one of: manifest (missing, unreadable, malformed), signature (missing, malformed, does
    not match), format, signer, changed, missing, added, unreadable (a file that cannot be read),
    merkle, count, jsonl (a line without a readable id), duplicate (an id repeated in one list),
    both (an id both kept and excluded). `path` is the file concerned, relative to the folder."""

    what: str
    path: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "path": self.path, "message": self.message}


@dataclass
class VerifyReport:
    """Everything `verify_output` found. `ok` is true only when nothing was found. `manifest` is the
    parsed manifest (empty when it could not be read); trust it only when `ok`."""

    out_dir: Path
    problems: list[VerifyProblem] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
        }


# --- hashing ---------------------------------------------------------------------------------------


def hash_file(path: str | Path, *, name: str | None = None) -> FileDigest:
    """SHA-256 and size of a file, read in 1 MiB chunks (never whole). `name` is the path to record
    (default: `path` as given)."""
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    buf = bytearray(_CHUNK)
    view = memoryview(buf)
    try:
        with path.open("rb") as fh:
            while n := fh.readinto(buf):
                digest.update(view[:n])
                size += n
    except FileNotFoundError:
        raise NotFound(f"{path} does not exist", path=str(path)) from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a file", path=str(path)) from None
    return FileDigest(
        path=name if name is not None else path.as_posix(), sha256=digest.hexdigest(), bytes=size
    )


def _iter_ids(path: Path) -> Iterator[tuple[int, str | None, bytes | None, str | None]]:
    """(line number, id, id as UTF-8, None) per line with an id; (line, None, None, why) per line
    without one. Streams the file; blank lines are skipped (they name no sample)."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:  # includes invalid UTF-8
                yield number, None, None, f"not valid JSON ({exc})"
                continue
            ident = record.get("id") if isinstance(record, dict) else None
            if not isinstance(ident, str) or not ident:
                yield number, None, None, 'has no "id" string'
                continue
            try:
                encoded = ident.encode("utf-8")
            except UnicodeEncodeError:
                yield number, None, None, "has an id that is not valid Unicode (a lone surrogate escape)"
                continue
            yield number, ident, encoded, None


def ids_root(path: str | Path) -> MerkleRoot:
    """The RFC 6962 Merkle root over a JSONL file's sample ids.

    The leaves are the `id` values, encoded as UTF-8, in file order (one leaf per non-blank line):
    the ids, not the whole lines, so that an inclusion proof for a sample needs only its id, and
    the reasons or evidence of an excluded line can be re-rendered without changing the root (the
    file's own SHA-256 in the manifest pins those bytes). Streams the file: memory is O(log n).
    Raises NotFound for a missing file and InvalidInput naming the first line without an id.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"{path} does not exist", path=str(path))
    builder = MerkleBuilder()
    for number, _ident, encoded, error in _iter_ids(path):
        if error is not None or encoded is None:
            raise InvalidInput(f"{path} line {number} {error}", path=str(path), line=number)
        builder.add(encoded)
    return builder.result()


# --- walking the output folder -----------------------------------------------------------------------


def _walk(root: Path, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every non-folder entry under `root` as (POSIX relative path, entry), skipping the reserved
    top-level names. Folder symlinks are not followed (they are yielded as entries, to be refused)."""
    with os.scandir(root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        if not prefix and entry.name in RESERVED_TOP_LEVEL:
            continue
        rel = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), rel + "/")
        else:
            yield rel, entry


def _entry_kind(entry: os.DirEntry[str]) -> str | None:
    """None for a regular file; otherwise what it is, for the message."""
    if entry.is_symlink():
        return "a symbolic link"
    if not entry.is_file(follow_symlinks=False):
        return "not a regular file"
    return None


def _is_encodable(rel: str) -> bool:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _output_digests(out_dir: Path) -> list[FileDigest]:
    digests = []
    for rel, entry in _walk(out_dir):
        kind = _entry_kind(entry)
        if kind is not None:
            raise InvalidInput(f"{out_dir / rel} is {kind}; a scan output holds regular files only", path=rel)
        if not _is_encodable(rel):
            raise InvalidInput(f"{out_dir / rel}: the file name is not valid UTF-8", path=rel)
        digests.append(hash_file(entry.path, name=rel))
    digests.sort(key=lambda d: d.path)
    return digests


# --- building and writing ------------------------------------------------------------------------------


def build_manifest(
    out_dir: str | Path,
    *,
    input: Mapping[str, Any],
    registry: Mapping[str, Any],
    settings: Mapping[str, Any],
    counts: Mapping[str, Any],
    tool: Mapping[str, Any],
    public_key: ed25519.Ed25519PublicKey,
    created: str | None = None,
) -> dict[str, Any]:
    """The manifest of a finished output folder (call it after every output file is in place).

    Hashes every file under `out_dir` except manifest.json, manifest.sig and `.scan/` (a sorted
    list of {"path", "sha256", "bytes"}, POSIX paths relative to `out_dir`, in code point order),
    and computes the Merkle roots of kept.jsonl and excluded.jsonl. The caller's dicts are copied
    in as given; they must be JSON values (no floats that are NaN or infinite). `created` (an ISO
    8601 time) is recorded only when given, so that the manifest stays a pure function of the
    outputs. `public_key` is the key that will sign it (its id is recorded as the signer).

    Where `counts` has integer "kept" / "excluded" entries they must equal the lines in the two
    files: a disagreement means the outputs are not the ones the counts describe, and signing them
    would certify a contradiction (IntegrityError).
    """
    out = Path(out_dir)
    if not out.is_dir():
        raise NotFound(f"output folder {out} does not exist", path=str(out))
    roots = {
        name: ids_root(out / filename)
        for name, filename in (("kept", KEPT_NAME), ("excluded", EXCLUDED_NAME))
    }
    for name, root in roots.items():
        claimed = counts.get(name)
        if isinstance(claimed, int) and not isinstance(claimed, bool) and claimed != root.count:
            raise IntegrityError(
                f"counts say {claimed} {name} samples but {name}.jsonl has {root.count} ids",
                counted=claimed,
                listed=root.count,
            )
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "tool": dict(tool),
        "input": dict(input),
        "registry": dict(registry),
        "settings": dict(settings),
        "counts": dict(counts),
        "merkle": {
            "algorithm": MERKLE_ALGORITHM,
            "kept": roots["kept"].to_dict(),
            "excluded": roots["excluded"].to_dict(),
        },
        "outputs": [d.to_dict() for d in _output_digests(out)],
        "signer": {"algorithm": SIGNATURE_ALGORITHM, "key_id": signing.key_id(public_key)},
    }
    if created is not None:
        manifest["created"] = created
    return manifest


def canonical_json(manifest: Mapping[str, Any]) -> bytes:
    """The one byte form of a manifest: keys sorted at every level, compact separators (",", ":"),
    UTF-8 with non-ASCII characters written as themselves (`ensure_ascii=False`), no NaN or
    infinity, and one trailing newline. The signature covers exactly these bytes, and a verifier
    checks the file's bytes as they are, never a re-serialization of them."""
    try:
        text = json.dumps(
            manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
        return text.encode("utf-8") + b"\n"
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise InvalidInput(f"the manifest is not serializable as canonical JSON: {exc}") from None


def write_signed(
    out_dir: str | Path, manifest: Mapping[str, Any], private_key: ed25519.Ed25519PrivateKey
) -> WrittenManifest:
    """Write manifest.json (canonical bytes) and manifest.sig (base64 of the Ed25519 signature over
    exactly those bytes, newline-terminated), each atomically (temporary file, fsync, os.replace).

    Order, so that a kill at any point leaves a folder that reads as "not signed", never as signed
    with something it does not describe: (1) the signature is computed in memory first, so nothing
    is touched if the key or the manifest is unusable; (2) a previous manifest.sig is removed;
    (3) manifest.json is replaced; (4) manifest.sig is written last. A kill after (2) or (3) leaves
    a manifest without a signature ("missing signature", rerun the signing); only step (4)
    completes the folder, and a present signature always belongs to the present manifest. (Writing
    the signature first would leave a new signature over the old manifest: also rejected, but
    reported as a mismatch, which reads like tampering.)

    The temporary files are made in `.scan/` (same filesystem, and never listed as outputs), so a
    kill mid-write leaves no stray file that verification would report as added.
    """
    out = Path(out_dir)
    if not out.is_dir():
        raise NotFound(f"output folder {out} does not exist", path=str(out))
    signer_id = signing.key_id(private_key.public_key())
    recorded = (
        manifest.get("signer", {}).get("key_id") if isinstance(manifest.get("signer"), Mapping) else None
    )
    if recorded != signer_id:
        raise ConfigurationError(
            f"the manifest names signer key {recorded} but the private key given is {signer_id}; "
            "build the manifest with this key's public key",
            recorded=recorded,
            key_id=signer_id,
        )
    data = canonical_json(manifest)
    signature = signing.sign(private_key, data)
    sig_text = base64.b64encode(signature) + b"\n"

    temp_dir = _temp_dir(out)
    sig_path = out / SIGNATURE_NAME
    manifest_path = out / MANIFEST_NAME
    sig_path.unlink(missing_ok=True)
    fsync_dir(out)
    write_atomic(manifest_path, data, temp_dir=temp_dir)
    write_atomic(sig_path, sig_text, temp_dir=temp_dir)
    return WrittenManifest(manifest_path, sig_path, hashlib.sha256(data).hexdigest(), signer_id)


def _temp_dir(out: Path) -> Path:
    """`.scan/` when it is a real folder on the output's filesystem (os.replace is atomic only within
    one filesystem), else the output folder itself."""
    state = out / STATE_DIR
    if state.is_symlink():
        return out
    state.mkdir(exist_ok=True)
    return state if state.stat().st_dev == out.stat().st_dev else out


# --- verification ------------------------------------------------------------------------------------


class _Problems:
    """Collects problems, at most MAX_PROBLEMS_PER_KIND of each kind, counting the rest."""

    def __init__(self) -> None:
        self.items: list[VerifyProblem] = []
        self._per_kind: dict[str, int] = {}

    def add(self, what: str, path: str | None, message: str) -> None:
        n = self._per_kind.get(what, 0) + 1
        self._per_kind[what] = n
        if n <= MAX_PROBLEMS_PER_KIND:
            self.items.append(VerifyProblem(what, path, message))

    def finish(self) -> list[VerifyProblem]:
        for what, n in self._per_kind.items():
            if n > MAX_PROBLEMS_PER_KIND:
                more = n - MAX_PROBLEMS_PER_KIND
                self.items.append(
                    VerifyProblem(what, None, f"... and {more} more '{what}' problems not listed")
                )
        return self.items


def verify_output(out_dir: str | Path, public_key: ed25519.Ed25519PublicKey) -> VerifyReport:
    """Check a scan output folder against its signed manifest and report every difference.

    Checks: (a) manifest.sig is `public_key`'s signature of manifest.json's exact bytes (an edited
    manifest or another key fails here); (b) the format is MANIFEST_FORMAT; (c) every listed file
    exists with its recorded size and SHA-256; (d) no file is there that is not listed (except
    manifest.json, manifest.sig and `.scan/`); (e) the Merkle roots and counts of kept.jsonl and
    excluded.jsonl recompute; (f) no id is repeated within a list or both kept and excluded.

    The remaining checks run even when the signature fails, to name what changed; but then the
    manifest itself is untrusted, and the report is never ok.

    Memory: files are hashed in 1 MiB chunks, JSONL read line by line and Merkle roots built in
    O(log n). The manifest is read whole (Ed25519 signs the whole message; about 150 bytes per
    output file, so 15 MB for 100,000 files), and its listed paths are held in a dict. Check (f)
    keeps one 128-bit number per id (the first half of its RFC 6962 leaf hash, which is computed
    anyway): about 100 bytes per id whatever the id's length, so ~100 MB for a million ids. Two
    different ids share that number with probability ~n^2 / 2^129, negligible.
    """
    out = Path(out_dir)
    report = VerifyReport(out_dir=out)
    problems = _Problems()
    manifest = _check_signature(out, public_key, problems)
    if manifest is not None:
        report.manifest = manifest
        _check_format(manifest, public_key, problems)
        _check_files(out, manifest, problems)
        _check_ids(out, manifest, problems)
    report.problems = problems.finish()
    return report


def _check_signature(
    out: Path, public_key: ed25519.Ed25519PublicKey, problems: _Problems
) -> dict[str, Any] | None:
    """Check (a); returns the parsed manifest (None when there is none to check against)."""
    if not out.is_dir():
        problems.add("manifest", None, f"output folder {out} does not exist")
        return None
    manifest_path = out / MANIFEST_NAME
    if not manifest_path.is_file():
        problems.add("manifest", MANIFEST_NAME, f"{MANIFEST_NAME} is missing: the folder was never signed")
        return None
    data = manifest_path.read_bytes()
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        problems.add("manifest", MANIFEST_NAME, f"{MANIFEST_NAME} is not valid JSON: {exc}")
        manifest = None
    if manifest is not None and not isinstance(manifest, dict):
        problems.add("manifest", MANIFEST_NAME, f"{MANIFEST_NAME} is not a JSON object")
        manifest = None

    sig_path = out / SIGNATURE_NAME
    if not sig_path.is_file():
        problems.add(
            "signature",
            SIGNATURE_NAME,
            f"{SIGNATURE_NAME} is missing: the manifest is not signed (or signing was interrupted)",
        )
        return manifest
    try:
        signature = base64.b64decode(sig_path.read_bytes().strip(), validate=True)
    except (binascii.Error, ValueError):
        problems.add("signature", SIGNATURE_NAME, f"{SIGNATURE_NAME} is not base64")
        return manifest
    if len(signature) != 64:
        problems.add(
            "signature",
            SIGNATURE_NAME,
            f"{SIGNATURE_NAME} holds {len(signature)} bytes, not a 64-byte Ed25519 signature",
        )
        return manifest
    try:
        signing.verify(public_key, data, signature)
    except IntegrityError as exc:
        given = signing.key_id(public_key)
        signer = manifest.get("signer") if manifest else None
        recorded = signer.get("key_id") if isinstance(signer, dict) else None
        if isinstance(recorded, str) and recorded != given:
            hint = f"; the manifest names signer key {recorded}, the public key given is {given} (wrong key?)"
        else:
            hint = (
                f"; the public key given ({given}) is the one the manifest names, so the manifest was edited"
            )
        problems.add("signature", MANIFEST_NAME, exc.message + hint)
    return manifest


def _check_format(
    manifest: dict[str, Any], public_key: ed25519.Ed25519PublicKey, problems: _Problems
) -> None:
    """Check (b), and that the recorded algorithms and signer are the ones this code checks."""
    if manifest.get("format") != MANIFEST_FORMAT:
        problems.add("format", MANIFEST_NAME, f"format {manifest.get('format')!r} is not {MANIFEST_FORMAT!r}")
    merkle = manifest.get("merkle")
    if not isinstance(merkle, dict) or merkle.get("algorithm") != MERKLE_ALGORITHM:
        algorithm = merkle.get("algorithm") if isinstance(merkle, dict) else None
        problems.add("format", MANIFEST_NAME, f"Merkle algorithm {algorithm!r} is not {MERKLE_ALGORITHM!r}")
    signer = manifest.get("signer")
    if not isinstance(signer, dict) or signer.get("algorithm") != SIGNATURE_ALGORITHM:
        problems.add("signer", MANIFEST_NAME, f"the signer's algorithm is not {SIGNATURE_ALGORITHM}")


def _safe_relative(path: str) -> bool:
    pure = PurePosixPath(path)
    return (
        bool(path)
        and not pure.is_absolute()
        and ".." not in pure.parts
        and "\\" not in path
        and pure.as_posix() == path
        and pure.parts[0] not in RESERVED_TOP_LEVEL
    )


def _recorded_outputs(manifest: dict[str, Any], problems: _Problems) -> dict[str, tuple[str, int]]:
    recorded: dict[str, tuple[str, int]] = {}
    outputs = manifest.get("outputs")
    if not isinstance(outputs, list):
        problems.add("manifest", MANIFEST_NAME, f"{MANIFEST_NAME} has no 'outputs' list")
        return recorded
    for i, item in enumerate(outputs):
        ok = (
            isinstance(item, dict)
            and isinstance(item.get("path"), str)
            and isinstance(item.get("sha256"), str)
            and len(item["sha256"]) == 64
            and set(item["sha256"]) <= _HEX
            and isinstance(item.get("bytes"), int)
            and not isinstance(item["bytes"], bool)
            and item["bytes"] >= 0
        )
        if not ok:
            problems.add("manifest", MANIFEST_NAME, f"outputs[{i}] is not a {{path, sha256, bytes}} entry")
            continue
        path = item["path"]
        if not _safe_relative(path):
            problems.add(
                "manifest", MANIFEST_NAME, f"outputs[{i}] path {path!r} is not a relative path inside"
            )
            continue
        if path in recorded:
            problems.add("manifest", MANIFEST_NAME, f"outputs[{i}] lists {path} a second time")
            continue
        recorded[path] = (item["sha256"], item["bytes"])
    return recorded


def _check_files(out: Path, manifest: dict[str, Any], problems: _Problems) -> None:
    """Checks (c) and (d) in one walk: each file found is either listed (then checked) or added."""
    recorded = _recorded_outputs(manifest, problems)
    for rel, entry in _walk(out):
        expected = recorded.pop(rel, None)
        kind = _entry_kind(entry)
        if expected is None:
            what = f"{rel} is not in the manifest (added after signing)"
            problems.add("added", rel, what if kind is None else f"{what}; it is {kind}")
            continue
        if kind is not None:
            problems.add("changed", rel, f"{rel} changed: it is now {kind}")
            continue
        sha256, size = expected
        try:
            actual_size = entry.stat(follow_symlinks=False).st_size
            if actual_size != size:
                problems.add("changed", rel, f"{rel} changed: {actual_size} bytes != recorded {size}")
                continue
            actual = hash_file(entry.path, name=rel)
        except (OSError, NotFound, InvalidInput) as exc:
            problems.add("unreadable", rel, f"{rel} cannot be read: {exc}")
            continue
        if actual.sha256 != sha256:
            problems.add("changed", rel, f"{rel} changed: sha256 {actual.sha256} != recorded {sha256}")
        elif actual.bytes != size:  # grew or shrank while being read
            problems.add("changed", rel, f"{rel} changed: {actual.bytes} bytes != recorded {size}")
    for rel in recorded:
        problems.add("missing", rel, f"{rel} is listed in the manifest but missing")


def _check_ids(out: Path, manifest: dict[str, Any], problems: _Problems) -> None:
    """Checks (e) and (f): one streaming pass over each id list."""
    merkle = manifest.get("merkle") if isinstance(manifest.get("merkle"), dict) else {}
    counts = manifest.get("counts") if isinstance(manifest.get("counts"), dict) else {}
    kept_seen: set[int] = set()
    excluded_seen: set[int] = set()
    for name, filename, seen in (("kept", KEPT_NAME, kept_seen), ("excluded", EXCLUDED_NAME, excluded_seen)):
        entry = merkle.get(name)
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("root"), str)
            and isinstance(entry.get("count"), int)
        ):
            problems.add("manifest", MANIFEST_NAME, f"{MANIFEST_NAME} records no Merkle root for {filename}")
            entry = None
        path = out / filename
        if not path.is_file():
            problems.add("merkle", filename, f"{filename} is missing: its Merkle root cannot be recomputed")
            continue
        builder = MerkleBuilder()
        for number, ident, encoded, error in _iter_ids(path):
            if error is not None or encoded is None:
                problems.add("jsonl", filename, f"{filename} line {number} {error}")
                continue
            digest = leaf_hash(encoded)
            builder.add_leaf_hash(digest)
            key = int.from_bytes(digest[:16], "big")
            if key in seen:
                problems.add(
                    "duplicate",
                    filename,
                    f"id {ident!r} appears more than once in {filename} (line {number})",
                )
            elif name == "excluded" and key in kept_seen:
                problems.add(
                    "both", filename, f"id {ident!r} is both kept and excluded ({filename} line {number})"
                )
            seen.add(key)
        result = builder.result()
        if entry is not None:
            if result.root_hex != entry["root"]:
                problems.add(
                    "merkle",
                    filename,
                    f"{filename} Merkle root {result.root_hex} != recorded {entry['root']}: "
                    "ids were changed, added, removed or reordered",
                )
            if result.count != entry["count"]:
                problems.add(
                    "count", filename, f"{filename} has {result.count} ids != recorded {entry['count']}"
                )
        claimed = counts.get(name)
        if isinstance(claimed, int) and not isinstance(claimed, bool) and claimed != result.count:
            problems.add(
                "count", filename, f"counts.{name} is {claimed} but {filename} has {result.count} ids"
            )


def raise_for(report: VerifyReport) -> None:
    """Raise IntegrityError when the report found anything: the message names the first few
    problems and the count, `details["problems"]` lists them all (as reported)."""
    if report.ok:
        return
    n = len(report.problems)
    head = "; ".join(p.message for p in report.problems[:3])
    more = f" (and {n - 3} more)" if n > 3 else ""
    raise IntegrityError(
        f"{report.out_dir} does not match its signed manifest: {head}{more}",
        out_dir=str(report.out_dir),
        problems=[p.to_dict() for p in report.problems],
    )
