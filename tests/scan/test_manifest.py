"""The signed scan manifest: what it records, its canonical bytes, and every tampering it catches."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from kyodaku.audit.merkle import merkle_root
from kyodaku.audit.signing import key_id
from kyodaku.domain.errors import ConfigurationError, IntegrityError, InvalidInput, NotFound
from kyodaku.scan import manifest as manifest_mod
from kyodaku.scan.manifest import (
    MANIFEST_FORMAT,
    MERKLE_ALGORITHM,
    FileDigest,
    MerkleRoot,
    build_manifest,
    canonical_json,
    hash_file,
    ids_root,
    raise_for,
    verify_output,
    write_signed,
)

KEPT = ["shard-000/0001", "shard-000/0003", "shard-001/ピカチュウ"]
EXCLUDED = ["shard-000/0002", "shard-001/0007"]


def _jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _make_outputs(out: Path, kept: list[str] = KEPT, excluded: list[str] = EXCLUDED) -> None:
    (out / "data" / "sub").mkdir(parents=True)
    (out / "data" / "shard-000.tar").write_bytes(bytes(range(256)) * 4)
    (out / "data" / "sub" / "b.txt").write_text("a caption\n")
    _jsonl(out / "kept.jsonl", [{"id": i} for i in kept])
    _jsonl(
        out / "excluded.jsonl",
        [{"id": i, "reasons": ["optout:tdmrep"], "evidence": [{"signal": "tdmrep"}]} for i in excluded],
    )
    (out / "summary.json").write_text('{"kept": 3}\n')
    (out / "summary.md").write_text("# Scan\n")
    (out / ".scan" / "parts").mkdir(parents=True)
    (out / ".scan" / "parts" / "done").write_text("state, not output\n")


def _sign(out: Path, private: ed25519.Ed25519PrivateKey, **overrides) -> dict:
    args = {
        "input": {"path": "/datasets/laion-mini", "layout": "webdataset"},
        "registry": {"version": 7},
        "settings": {"report_only": False},
        "counts": {"kept": 3, "excluded": 2},
        "tool": {"name": "kyodaku", "version": "0.1.0"},
        **overrides,
    }
    manifest = build_manifest(out, public_key=private.public_key(), **args)
    write_signed(out, manifest, private)
    return manifest


@pytest.fixture
def key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture
def out(tmp_path, key) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    _make_outputs(out)
    _sign(out, key)
    return out


def _problems(report) -> list[tuple[str, str | None]]:
    return [(p.what, p.path) for p in report.problems]


# --- building --------------------------------------------------------------------------------------


def test_when_a_folder_is_signed_then_the_manifest_records_format_roots_outputs_and_signer(out, key):
    manifest = json.loads((out / "manifest.json").read_bytes())
    assert manifest["format"] == MANIFEST_FORMAT == "kyodaku-scan-manifest/1"
    assert sorted(manifest) == [
        "counts", "format", "input", "merkle", "outputs", "registry", "settings", "signer", "tool",
    ]  # fmt: skip
    assert manifest["merkle"] == {
        "algorithm": MERKLE_ALGORITHM,
        "kept": {"root": merkle_root(i.encode() for i in KEPT).hex(), "count": 3},
        "excluded": {"root": merkle_root(i.encode() for i in EXCLUDED).hex(), "count": 2},
    }
    assert [o["path"] for o in manifest["outputs"]] == [
        "data/shard-000.tar", "data/sub/b.txt", "excluded.jsonl", "kept.jsonl", "summary.json", "summary.md",
    ]  # fmt: skip
    tar = manifest["outputs"][0]
    assert tar == {
        "path": "data/shard-000.tar",
        "sha256": hashlib.sha256(bytes(range(256)) * 4).hexdigest(),
        "bytes": 1024,
    }
    assert manifest["signer"] == {"algorithm": "Ed25519", "key_id": key_id(key.public_key())}
    assert manifest["input"] == {"path": "/datasets/laion-mini", "layout": "webdataset"}
    assert "created" not in manifest


def test_when_a_folder_is_signed_then_manifest_json_is_canonical_and_the_sig_is_base64_of_its_signature(
    out, key
):
    data = (out / "manifest.json").read_bytes()
    assert data == canonical_json(json.loads(data))
    assert data.endswith(b"}\n")
    assert b'"format":"kyodaku-scan-manifest/1"' in data
    assert "ピカチュウ".encode() not in data  # ids are in the roots, not the manifest
    sig_text = (out / "manifest.sig").read_bytes()
    assert sig_text.endswith(b"\n")
    signature = base64.b64decode(sig_text.strip(), validate=True)
    key.public_key().verify(signature, data)  # raises if not over exactly these bytes
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_when_the_same_outputs_are_signed_twice_then_the_manifest_bytes_are_identical(out, key):
    first = (out / "manifest.json").read_bytes()
    _sign(out, key)
    assert (out / "manifest.json").read_bytes() == first


def test_when_canonical_json_is_given_unicode_and_nested_keys_then_it_sorts_and_keeps_utf8():
    assert (
        canonical_json({"b": 1, "a": {"z": "é", "y": [1, 2]}}) == '{"a":{"y":[1,2],"z":"é"},"b":1}\n'.encode()
    )
    with pytest.raises(InvalidInput, match="canonical JSON"):
        canonical_json({"x": float("nan")})


def test_when_created_is_given_then_it_is_recorded(tmp_path, key):
    out = tmp_path / "o"
    out.mkdir()
    _make_outputs(out)
    manifest = build_manifest(
        out, input={}, registry={}, settings={}, counts={}, tool={}, public_key=key.public_key(),
        created="2026-03-01T00:00:00Z",
    )  # fmt: skip
    assert manifest["created"] == "2026-03-01T00:00:00Z"


def test_when_counts_disagree_with_the_id_lists_then_building_raises_integrity_error(tmp_path, key):
    out = tmp_path / "o"
    out.mkdir()
    _make_outputs(out)
    with pytest.raises(IntegrityError, match=r"counts say 4 kept samples but kept\.jsonl has 3 ids"):
        _sign(out, key, counts={"kept": 4, "excluded": 2})


def test_when_the_manifest_names_another_signer_then_write_signed_refuses(tmp_path, key):
    out = tmp_path / "o"
    out.mkdir()
    _make_outputs(out)
    other = ed25519.Ed25519PrivateKey.generate()
    manifest = build_manifest(
        out, input={}, registry={}, settings={}, counts={}, tool={}, public_key=other.public_key()
    )
    with pytest.raises(ConfigurationError, match="names signer key"):
        write_signed(out, manifest, key)
    assert not (out / "manifest.json").exists()


def test_when_an_output_is_a_symlink_then_building_refuses(tmp_path, key):
    out = tmp_path / "o"
    out.mkdir()
    _make_outputs(out)
    (out / "data" / "link").symlink_to(out / "summary.md")
    with pytest.raises(InvalidInput, match="link is a symbolic link"):
        _sign(out, key)


def test_when_a_file_is_hashed_then_sha256_and_size_are_right(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * (3 * 1024 * 1024 + 5))
    assert hash_file(path, name="data/f.bin") == FileDigest(
        "data/f.bin", hashlib.sha256(b"x" * (3 * 1024 * 1024 + 5)).hexdigest(), 3 * 1024 * 1024 + 5
    )
    with pytest.raises(NotFound):
        hash_file(tmp_path / "missing")


def test_when_ids_root_reads_a_jsonl_then_leaves_are_the_utf8_ids_in_file_order(tmp_path):
    path = tmp_path / "kept.jsonl"
    _jsonl(path, [{"id": "b"}, {"id": "a", "extra": 1}, {"id": "ü"}])
    assert ids_root(path) == MerkleRoot(merkle_root([b"b", b"a", "ü".encode()]).hex(), 3)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert ids_root(empty) == MerkleRoot(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0
    )


def test_when_a_jsonl_line_has_no_id_then_ids_root_names_the_line(tmp_path):
    path = tmp_path / "kept.jsonl"
    path.write_text('{"id": "a"}\n{"name": "b"}\n')
    with pytest.raises(InvalidInput, match=r"kept.jsonl line 2 has no \"id\" string"):
        ids_root(path)
    path.write_text('{"id": "a"}\n{broken\n')
    with pytest.raises(InvalidInput, match=r"kept\.jsonl line 2 not valid JSON"):
        ids_root(path)
    with pytest.raises(NotFound):
        ids_root(tmp_path / "nope.jsonl")


# --- verifying -------------------------------------------------------------------------------------


def test_when_the_folder_is_untouched_then_it_verifies(out, key):
    report = verify_output(out, key.public_key())
    assert report.ok
    assert report.problems == []
    assert report.manifest["counts"] == {"kept": 3, "excluded": 2}
    assert raise_for(report) is None


def test_when_the_state_folder_changes_then_it_still_verifies(out, key):
    (out / ".scan" / "parts" / "more").write_text("resume marker\n")
    assert verify_output(out, key.public_key()).ok


def test_when_one_byte_of_a_data_file_flips_then_the_file_is_named_with_both_hashes(out, key):
    path = out / "data" / "shard-000.tar"
    recorded = hashlib.sha256(path.read_bytes()).hexdigest()
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("changed", "data/shard-000.tar")]
    assert report.problems[0].message == (
        f"data/shard-000.tar changed: sha256 {hashlib.sha256(data).hexdigest()} != recorded {recorded}"
    )


def test_when_a_file_is_truncated_then_the_size_is_named(out, key):
    with (out / "data" / "sub" / "b.txt").open("ab") as fh:
        fh.write(b"more")
    report = verify_output(out, key.public_key())
    assert [p.message for p in report.problems] == ["data/sub/b.txt changed: 14 bytes != recorded 10"]


def test_when_a_file_is_removed_then_it_is_named_missing(out, key):
    (out / "summary.md").unlink()
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("missing", "summary.md")]
    assert report.problems[0].message == "summary.md is listed in the manifest but missing"


def test_when_a_file_is_added_then_it_is_named(out, key):
    (out / "data" / "sub" / "extra.jpg").write_bytes(b"\xff\xd8")
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("added", "data/sub/extra.jpg")]
    assert report.problems[0].message == "data/sub/extra.jpg is not in the manifest (added after signing)"


def test_when_an_excluded_line_is_edited_then_its_hash_and_root_fail(out, key):
    path = out / "excluded.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("shard-001/0007", "shard-001/0008")
    path.write_text("".join(lines))
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("changed", "excluded.jsonl"), ("merkle", "excluded.jsonl")]
    new_root = merkle_root([b"shard-000/0002", b"shard-001/0008"]).hex()
    old_root = merkle_root(i.encode() for i in EXCLUDED).hex()
    assert report.problems[1].message == (
        f"excluded.jsonl Merkle root {new_root} != recorded {old_root}: "
        "ids were changed, added, removed or reordered"
    )


def test_when_kept_lines_are_reordered_then_the_root_fails_though_the_size_is_the_same(out, key):
    path = out / "kept.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([lines[1], lines[0], lines[2]]))
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("changed", "kept.jsonl"), ("merkle", "kept.jsonl")]
    assert "sha256" in report.problems[0].message


def test_when_a_kept_line_is_removed_then_the_count_is_named_too(out, key):
    path = out / "kept.jsonl"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:2]))
    report = verify_output(out, key.public_key())
    assert _problems(report) == [
        ("changed", "kept.jsonl"), ("merkle", "kept.jsonl"), ("count", "kept.jsonl"), ("count", "kept.jsonl"),
    ]  # fmt: skip
    assert [p.message for p in report.problems[2:]] == [
        "kept.jsonl has 2 ids != recorded 3",
        "counts.kept is 3 but kept.jsonl has 2 ids",
    ]


def test_when_a_manifest_field_is_changed_then_the_signature_fails_as_an_edit(out, key):
    path = out / "manifest.json"
    manifest = json.loads(path.read_bytes())
    manifest["counts"]["excluded"] = 0
    path.write_bytes(canonical_json(manifest))
    report = verify_output(out, key.public_key())
    assert ("signature", "manifest.json") in _problems(report)
    message = next(p.message for p in report.problems if p.what == "signature")
    assert message.startswith("signature does not match: the manifest was changed or signed with another key")
    assert "so the manifest was edited" in message
    assert ("count", "excluded.jsonl") in _problems(report)


def test_when_a_wrong_public_key_is_given_then_the_signature_problem_names_both_keys(out, key):
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    report = verify_output(out, other)
    assert _problems(report) == [("signature", "manifest.json")]
    assert (
        f"the manifest names signer key {key_id(key.public_key())}, the public key given is {key_id(other)}"
        in report.problems[0].message
    )


def test_when_the_signature_file_is_missing_or_garbled_then_it_is_named(out, key):
    sig = out / "manifest.sig"
    sig.write_text("not base64 !!\n")
    assert [p.message for p in verify_output(out, key.public_key()).problems] == [
        "manifest.sig is not base64"
    ]
    sig.write_bytes(base64.b64encode(b"short") + b"\n")
    assert [p.message for p in verify_output(out, key.public_key()).problems] == [
        "manifest.sig holds 5 bytes, not a 64-byte Ed25519 signature"
    ]
    sig.unlink()
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("signature", "manifest.sig")]


def test_when_signing_is_killed_before_the_signature_then_the_folder_reads_as_unsigned(out, key, monkeypatch):
    real = manifest_mod.write_atomic

    def die_on_signature(target, data, temp_dir=None):
        if target.name == "manifest.sig":
            raise KeyboardInterrupt
        real(target, data, temp_dir=temp_dir)

    monkeypatch.setattr(manifest_mod, "write_atomic", die_on_signature)
    (out / "summary.md").write_text("# Scan, rewritten\n")
    with pytest.raises(KeyboardInterrupt):
        _sign(out, key)
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("signature", "manifest.sig")]
    assert "not signed" in report.problems[0].message


def test_when_the_manifest_is_missing_then_that_is_the_one_problem(out, key):
    (out / "manifest.json").unlink()
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("manifest", "manifest.json")]
    assert report.manifest == {}


def test_when_the_format_is_unknown_then_it_is_named(tmp_path, key, monkeypatch):
    out = tmp_path / "o"
    out.mkdir()
    _make_outputs(out)
    manifest = build_manifest(
        out, input={}, registry={}, settings={}, counts={}, tool={}, public_key=key.public_key()
    )
    manifest["format"] = "kyodaku-scan-manifest/99"
    write_signed(out, manifest, key)
    report = verify_output(out, key.public_key())
    assert [p.message for p in report.problems] == [
        "format 'kyodaku-scan-manifest/99' is not 'kyodaku-scan-manifest/1'"
    ]


def test_when_ids_repeat_or_are_both_kept_and_excluded_then_each_is_named(tmp_path, key):
    out = tmp_path / "o"
    out.mkdir()
    _make_outputs(out, kept=["a", "b", "a"], excluded=["c", "b"])
    _sign(out, key, counts={})
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("duplicate", "kept.jsonl"), ("both", "excluded.jsonl")]
    assert [p.message for p in report.problems] == [
        "id 'a' appears more than once in kept.jsonl (line 3)",
        "id 'b' is both kept and excluded (excluded.jsonl line 2)",
    ]


def test_when_many_things_change_then_every_problem_is_reported_and_raise_for_names_them(out, key):
    (out / "summary.md").unlink()
    (out / "summary.json").write_text('{"kept": 300}\n')
    (out / "new.txt").write_text("x")
    (out / "kept.jsonl").write_text('{"id": "shard-000/0001"}\nnot json\n')
    report = verify_output(out, key.public_key())
    assert not report.ok
    assert sorted(_problems(report)) == sorted(
        [
            ("changed", "kept.jsonl"),
            ("added", "new.txt"),
            ("changed", "summary.json"),
            ("missing", "summary.md"),
            ("jsonl", "kept.jsonl"),
            ("merkle", "kept.jsonl"),
            ("count", "kept.jsonl"),
            ("count", "kept.jsonl"),
        ]
    )
    with pytest.raises(IntegrityError) as err:
        raise_for(report)
    assert err.value.exit_code == 9
    assert err.value.message.startswith(f"{out} does not match its signed manifest: ")
    assert err.value.message.endswith(f"(and {len(report.problems) - 3} more)")
    assert report.problems[0].message in err.value.message
    assert err.value.details["problems"] == [p.to_dict() for p in report.problems]


def test_when_one_kind_of_problem_floods_then_the_report_lists_some_and_counts_the_rest(
    out, key, monkeypatch
):
    monkeypatch.setattr(manifest_mod, "MAX_PROBLEMS_PER_KIND", 2)
    for i in range(5):
        (out / f"added-{i}.txt").write_text(str(i))
    report = verify_output(out, key.public_key())
    assert _problems(report) == [("added", "added-0.txt"), ("added", "added-1.txt"), ("added", None)]
    assert report.problems[-1].message == "... and 3 more 'added' problems not listed"


def test_when_a_symlink_replaces_a_file_then_it_is_named_changed(out, key):
    target = out / "data" / "sub" / "b.txt"
    real = out.parent / "elsewhere.txt"
    real.write_bytes(target.read_bytes())
    target.unlink()
    os.symlink(real, target)
    report = verify_output(out, key.public_key())
    assert [p.message for p in report.problems] == ["data/sub/b.txt changed: it is now a symbolic link"]
