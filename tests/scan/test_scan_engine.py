"""The scan end to end: a folder dataset with planted positives, scanned, resumed, refused, verified.

The dataset is made here: drawn pictures (one a copy of a registered reference), captions that
name registered characters and ones that do not, a file that says no in its XMP, a truncated
image. The catalog is written here too, with a `train` permission for one licensee only.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kyodaku.domain.errors import ConfigurationError, Conflict, IntegrityError
from kyodaku.scan.engine import ScanHooks, ScanIncomplete, iter_scan, scan
from kyodaku.scan.layout import ReaderOptions
from kyodaku.scan.options import ScanOptions
from kyodaku_samples.synthetic import draw_image

CATALOG = """
version: 1
rightsholders:
  - {id: pokemon-company, name: {en: "The Pokémon Company"}, country: JP}
  - {id: dc, name: {en: "DC Comics"}, country: US}
works:
  - id: pokemon
    owner: pokemon-company
    names: {en: ["Pokémon"], ja: ["ポケモン"]}
    description: {en: "A franchise of collectible creatures caught in capsule balls by young trainers"}
characters:
  - id: pikachu
    work: pokemon
    names: {en: ["Pikachu"], ja: ["ピカチュウ"]}
    description: {en: "A small yellow electric mouse creature with red cheeks and a lightning-bolt tail"}
    references: ["refs/pikachu.png"]
  - id: superman
    owner: dc
    names: {en: ["Superman"], ja: ["スーパーマン"]}
    description: {en: "A superhero in a blue suit with a red cape and an S shield on his chest"}
permissions:
  - id: dc-train-acme
    owner: dc
    subject: superman
    uses: [train]
    licensees: [acme]
    effect: allow
    valid_from: 2026-01-01
"""

XMP_PROHIBITED = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" '
    b'plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"/></rdf:RDF></x:xmpmeta>'
)


def _jpeg(seed: int, xmp: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    extra = {"xmp": xmp} if xmp else {}
    draw_image("scene", seed, (256, 256)).save(buf, "JPEG", quality=90, **extra)
    return buf.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scan")
    (root / "refs").mkdir()
    reference = draw_image("character", 7, (512, 512))
    reference.save(root / "refs" / "pikachu.png")
    (root / "catalog.yaml").write_text(CATALOG, "utf-8")
    data = root / "dataset"
    data.mkdir()
    samples = {
        "0001": (_jpeg(1), "a watercolour of a lighthouse at dusk"),
        "0002": (_jpeg(2), "Pikachu in a field of sunflowers"),
        "0004": (_jpeg(4, XMP_PROHIBITED), "a quiet harbour in the morning"),
        "0005": (_jpeg(5)[:700], "a mountain road in autumn"),
        "0006": (_jpeg(6), "Superman flying over the city at night"),
    }
    for key, (image, caption) in samples.items():
        (data / f"{key}.jpg").write_bytes(image)
        (data / f"{key}.txt").write_text(caption, "utf-8")
    copy = io.BytesIO()
    reference.resize((300, 300)).save(copy, "PNG")
    (data / "0003.png").write_bytes(copy.getvalue())
    (data / "0003.txt").write_text("a cute drawing for a sticker sheet", "utf-8")
    from kyodaku.audit.signing import generate_keypair

    generate_keypair(root / "scan.key", root / "scan.pub")
    return {
        "root": root,
        "data": data,
        "catalog": root / "catalog.yaml",
        "key": root / "scan.key",
        "pub": root / "scan.pub",
    }


def _options(world, out: Path, **kw) -> ScanOptions:
    base = dict(
        dataset=world["data"], licensee="other-lab", out=out, catalog=world["catalog"],
        signing_key=world["key"],
        reader=ReaderOptions(shard_size=2), semantic=False, workers=1, progress=False,
    )  # fmt: skip
    base.update(kw)
    return ScanOptions(**base)


def _excluded(out: Path) -> dict[str, list[str]]:
    lines = (out / "excluded.jsonl").read_text("utf-8").splitlines()
    return {json.loads(line)["id"]: json.loads(line)["reasons"] for line in lines}


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _id(world, key: str, ext: str) -> str:
    return f"{key}.{ext}"


def test_when_a_dataset_is_scanned_then_every_planted_positive_is_excluded_with_its_reason(world, tmp_path):
    report = scan(_options(world, tmp_path / "out"))
    excluded = _excluded(tmp_path / "out")
    reasons = {key.split(".")[0]: sorted(r) for key, r in excluded.items()}
    assert reasons == {
        "0002": ["registry:pikachu"],
        "0003": ["registry:pikachu"],
        "0004": ["optout:iptc"],
        "0005": ["unreadable:image"],
        "0006": ["registry:superman"],
    }
    assert report.counts == {"shards": 3, "samples": 6, "kept": 1, "excluded": 5, "kept_with_warnings": 0}
    kept = [
        json.loads(line)["id"] for line in (tmp_path / "out" / "kept.jsonl").read_text("utf-8").splitlines()
    ]
    assert [k.split(".")[0] for k in kept] == ["0001"]
    assert sorted(p.name for p in (tmp_path / "out" / "data").rglob("*") if p.is_file()) == [
        "0001.jpg",
        "0001.txt",
    ]
    assert (tmp_path / "out" / "data" / "0001.jpg").read_bytes() == (world["data"] / "0001.jpg").read_bytes()


def test_when_the_licensee_holds_a_train_permission_then_its_entry_is_kept(world, tmp_path):
    scan(_options(world, tmp_path / "out", licensee="acme"))
    reasons = {key.split(".")[0] for key in _excluded(tmp_path / "out")}
    assert "0006" not in reasons
    assert {"0002", "0003", "0004", "0005"} <= reasons


def test_when_a_scan_is_finished_then_its_manifest_verifies_and_a_changed_file_is_named(world, tmp_path):
    from kyodaku.audit.signing import load_public_key
    from kyodaku.scan.manifest import raise_for, verify_output

    out = tmp_path / "out"
    scan(_options(world, out))
    public = load_public_key(world["pub"])
    assert verify_output(out, public).ok
    kept = out / "data" / "0001.txt"
    kept.write_text("a changed caption", "utf-8")
    report = verify_output(out, public)
    assert not report.ok
    assert any("data/0001.txt" in (p.path or "") for p in report.problems)
    with pytest.raises(IntegrityError):
        raise_for(report)


def test_when_a_scan_is_killed_then_the_rerun_resumes_and_gives_the_same_bytes(world, tmp_path):
    whole = tmp_path / "whole"
    scan(_options(world, whole))

    class Killed(Exception):
        pass

    def die_after_first(n: int) -> None:
        raise Killed

    killed = tmp_path / "killed"
    with pytest.raises(Killed):
        scan(_options(world, killed, at=_at(whole)), ScanHooks(shard_done=die_after_first))
    assert not (killed / "manifest.json").exists()
    report = scan(_options(world, killed, at=_at(whole)))
    assert (report.resumed_shards, report.scanned_shards) == (1, 2)
    assert _files(killed) == _files(whole)


def _at(out: Path):
    from datetime import datetime

    return datetime.fromisoformat(json.loads((out / "summary.json").read_text("utf-8"))["settings"]["at"])


def test_when_two_workers_scan_then_the_outputs_equal_one_workers(world, tmp_path):
    one = tmp_path / "one"
    scan(_options(world, one))
    two = tmp_path / "two"
    scan(_options(world, two, workers=2, at=_at(one)))
    assert _files(two) == _files(one)


def test_when_the_out_folder_holds_another_scan_then_it_is_refused_and_left_alone(world, tmp_path):
    out = tmp_path / "out"
    scan(_options(world, out))
    before = _files(out)
    with pytest.raises(Conflict, match=r"settings\.licensee"):
        scan(_options(world, out, licensee="acme"))
    assert _files(out) == before


def test_when_the_out_folder_holds_other_files_then_the_scan_is_refused(world, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(Conflict, match="not empty"):
        scan(_options(world, out))
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_when_a_finished_scan_is_run_again_then_nothing_is_redone(world, tmp_path):
    out = tmp_path / "out"
    first = scan(_options(world, out))
    again = scan(_options(world, out, at=_at(out)))
    assert again.already_complete
    assert again.counts == first.counts


def test_when_no_signing_key_is_given_then_the_scan_stops_before_writing(world, tmp_path):
    with pytest.raises(ConfigurationError, match="signing-key"):
        scan(_options(world, tmp_path / "out", signing_key=None))
    assert not (tmp_path / "out").exists()


def test_when_a_shard_raises_then_the_others_are_done_and_the_scan_says_so(world, tmp_path, monkeypatch):
    from kyodaku.scan import checks

    original = checks.SampleChecker.check

    def broken(self, samples):
        if any(s.id.startswith("0003") for s in samples):
            raise RuntimeError("disk on fire")
        return original(self, samples)

    monkeypatch.setattr(checks.SampleChecker, "check", broken)
    out = tmp_path / "out"
    with pytest.raises(ScanIncomplete, match="1 of 3 shards failed"):
        scan(_options(world, out))
    monkeypatch.setattr(checks.SampleChecker, "check", original)
    report = scan(_options(world, out, at=_at_state(out)))
    assert (report.resumed_shards, report.scanned_shards) == (2, 1)
    assert report.counts["samples"] == 6


def _at_state(out: Path):
    from datetime import datetime

    state = json.loads((out / ".scan" / "state.json").read_text("utf-8"))
    return datetime.fromisoformat(state["identity"]["settings"]["at"])


def test_when_a_data_loader_iterates_then_it_gets_only_the_kept_samples(world):
    options = _options(world, None)
    kept = [c.sample.id for c in iter_scan(options, kept_only=True)]
    assert [k.split(".")[0] for k in kept] == ["0001"]
    everything = list(iter_scan(options))
    assert len(everything) == 6
    assert sum(c.kept for c in everything) == 1


def test_when_ray_runs_the_shards_then_the_outputs_equal_the_local_executors(world, tmp_path):
    pytest.importorskip("ray")
    local = tmp_path / "local"
    scan(_options(world, local))
    on_ray = tmp_path / "ray"
    report = scan(_options(world, on_ray, executor="ray", workers=2, at=_at(local)))
    assert report.scanned_shards == 3
    assert _files(on_ray) == _files(local)


def test_when_the_out_folder_is_inside_the_dataset_then_the_scan_is_refused(world):
    from kyodaku.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="inside the dataset"):
        scan(_options(world, world["data"] / "clean"))
    assert not (world["data"] / "clean").exists()


def test_when_a_scan_runs_on_a_terminal_then_its_bar_counts_shards_and_samples(world, tmp_path):
    from rich.console import Console

    from kyodaku.scan.progress import progress_bar

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with progress_bar(console) as hooks:
        report = scan(_options(world, tmp_path / "out", media="pdq"), hooks)

    drawn = screen.getvalue()
    assert "scanning shards" in drawn
    assert f"{report.shards}/{report.shards}" in drawn
    assert f"{report.samples_scanned} samples" in drawn
    assert report.samples_per_cpu_second > 0


def test_when_the_output_is_not_a_terminal_then_no_bar_is_drawn(world, tmp_path):
    from rich.console import Console

    from kyodaku.scan.progress import progress_bar

    screen = io.StringIO()
    with progress_bar(Console(file=screen, force_terminal=False)) as hooks:
        scan(_options(world, tmp_path / "out", media="pdq"), hooks)

    assert screen.getvalue() == ""
