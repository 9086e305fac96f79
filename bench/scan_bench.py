"""Scanner benchmark: planted positives caught, throughput against decode-only, scaling, Ray, resume.

    .venv/bin/python bench/scan_bench.py [--samples 480] [--size photo|small] [--ray] [--resume]
    .venv/bin/python bench/scan_bench.py --memory 100000

Makes a folder dataset in a temporary folder: pictures with captions, and planted, known positives
(one of each kind in every 26 samples): a caption naming a registered character (en/ja/ko), a
resized copy of a registered reference, a 10%-per-side crop of it, a copy with a caption bar, the
copy pillarboxed into 16:9, the copy at half the width of a plain page (a screenshot), an
XMP `plus:DataMining` prohibition, a C2PA training-mining `notAllowed` assertion, a TDMRep sidecar
reserving mining, an `X-Robots-Tag: noai` headers sidecar, and a truncated image. `--size photo`
(default) makes photograph-like JPEGs of 768 to 1280 px (drawn scenes with sensor-like noise, so
they decode and compress like photographs); `--size small` makes 256 px ones (img2dataset's default resize),
where decoding is so cheap that any hashing is many times the floor. `--photos DIR` takes the
unplanted pictures from real photographs instead (every JPEG under DIR, e.g. /usr/share/wallpapers
after `make bench-media-data`, cut into tiles of 768 to 1280 px and saved at quality 90).

Prints recall per planted kind and the unplanted samples excluded, for `--media full` (the default)
and `--media pdq`; samples/s with 1 worker beside decode-only (full RGB decode of the same files in
one process: what a data loader does, the floor a scan cannot beat per core); 2 workers against 1.
The rates divide by the time spent checking and writing shards (the report's `scan_seconds`);
building the guard is printed apart. Each rate is given twice: by wall time, and by CPU time (the
scan's shards' process time against the decode loop's): on a machine that something else is also
using, wall-time ratios swing by +-10 points from run to run, CPU-time ratios much less; the target
(>= 50% of decode-only per core) is judged on both. `--repeat K` runs each tier K times (the floor
measured again before each) and prints the median and the range. `--ray` also runs the Ray executor
on a local Ray instance with 2 CPUs (started beforehand; its start-up printed apart) against local
with 2 workers. `--resume` kills a `kyodaku scan` process with SIGKILL at a random point, runs it
again, and compares every output file with the uninterrupted run's, byte for byte.

`--memory N` makes a WebDataset of N samples (captions and 24 px JPEGs, two of each 100 naming a
registered character) and scans it in one process with the caption and signal checks (the
memory-relevant parts: reading, writing and merging stream; the media check's memory does not
depend on the dataset's length), printing the resident memory every tenth of the way.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

import _common  # noqa: F401  (puts samples/ on sys.path)
from kyodaku_samples.optout import image_with_xmp, sign_image, tdmrep_json, xmp_packet
from kyodaku_samples.synthetic import draw_image

CATALOG = """
version: 1
rightsholders:
  - {id: pokemon-company, name: {en: "The Pokémon Company"}, country: JP}
  - {id: dc, name: {en: "DC Comics"}, country: US}
works:
  - {id: pokemon, owner: pokemon-company, names: {en: ["Pokémon"], ja: ["ポケモン"]}}
characters:
  - id: pikachu
    work: pokemon
    names: {en: ["Pikachu"], ja: ["ピカチュウ"], ko: ["피카츄"]}
    description: {en: "A small yellow electric mouse creature with red cheeks"}
    references: ["refs/pikachu.png"]
  - id: superman
    owner: dc
    names: {en: ["Superman"], ja: ["スーパーマン"]}
    description: {en: "A superhero in a blue suit with a red cape"}
"""
BENIGN = [
    "a lighthouse at dusk",
    "a bowl of ramen on a wooden table",
    "a mountain road in autumn",
    "a red bicycle against a brick wall",
    "children flying kites on a beach",
]
NAMED = [
    "Pikachu in a field of sunflowers",
    "ピカチュウのぬいぐるみ",
    "피카츄 스티커",
    "Superman over the city",
]
KINDS = ["benign"] * 15 + [
    "caption",
    "reference",
    "crop",
    "captioned",
    "letterbox",
    "framed",
    "iptc",
    "c2pa",
    "tdmrep",
    "noai",
    "broken",
]
EXPECT = {
    "caption": "registry:",
    "reference": "registry:",
    "crop": "registry:",
    "captioned": "registry:",
    "letterbox": "registry:",
    "framed": "registry:",
    "iptc": "optout:iptc",
    "c2pa": "optout:c2pa",
    "tdmrep": "optout:tdmrep",
    "noai": "optout:noai",
    "broken": "unreadable:",
}
AT = datetime(2026, 12, 1, tzinfo=UTC)


PHOTOS: list[Path] = []
"""Real photographs to cut the unplanted pictures from (`--photos`); empty: drawn scenes."""


def _photo(rng: np.random.Generator, seed: int) -> Image.Image:
    with Image.open(PHOTOS[seed % len(PHOTOS)]) as im:
        im = im.convert("RGB")
    side = int(rng.integers(768, 1281))
    w, h = (side, side * 3 // 4) if seed % 2 else (side * 3 // 4, side)
    scale = max(w / im.width, h / im.height, 1.0)
    if scale > 1:
        im = im.resize((round(im.width * scale) + 1, round(im.height * scale) + 1))
    x, y = int(rng.integers(0, im.width - w + 1)), int(rng.integers(0, im.height - h + 1))
    return im.crop((x, y, x + w, y + h))


def _picture(seed: int, size: str) -> Image.Image:
    rng = np.random.default_rng(seed)
    if PHOTOS and size == "photo":
        return _photo(rng, seed)
    if size == "small":
        return draw_image("scene", seed, (256, 256))
    side = int(rng.integers(768, 1281))
    shape = (side, side * 3 // 4) if seed % 2 else (side * 3 // 4, side)
    base = np.asarray(draw_image("scene", seed, shape).convert("RGB"), np.float32)
    noise = rng.normal(0, 9, base.shape[:2])[..., None]  # luma noise, as a sensor adds
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def make(root: Path, n: int, size: str = "photo") -> dict[str, str]:
    """The dataset in root/data, the catalog and its reference in root; returns {id: planted kind}."""
    (root / "refs").mkdir(parents=True)
    ref = draw_image("character", 7, (512, 512)).convert("RGB")
    ref.save(root / "refs" / "pikachu.png")
    (root / "catalog.yaml").write_text(CATALOG, "utf-8")
    data = root / "data"
    data.mkdir()
    planted: dict[str, str] = {}
    for i in range(n):
        key, kind = f"{i:06d}", KINDS[i % len(KINDS)]
        caption = NAMED[i % len(NAMED)] if kind == "caption" else BENIGN[i % len(BENIGN)]
        copied = kind in ("reference", "crop", "captioned", "letterbox", "framed")
        image = b"" if copied else _jpeg(_picture(i, size))
        side = 300 + i % 200
        if kind == "reference":
            image = _jpeg(ref.resize((side, side)))
        elif kind == "crop":
            cut = 512 // 10  # a tenth off every side: PDQ alone no longer follows it
            image = _jpeg(ref.crop((cut, cut, 512 - cut, 512 - cut)).resize((side, side)))
        elif kind == "captioned":  # a caption bar over the bottom sixth, as a meme or a post adds
            captioned = ref.copy()
            ImageDraw.Draw(captioned).rectangle((0, 512 * 5 // 6, 512, 512), fill=(250, 250, 250))
            image = _jpeg(captioned.resize((side, side)))
        elif kind == "letterbox":  # the square picture pillarboxed into a 16:9 video frame
            frame = Image.new("RGB", (side * 16 // 9, side), (0, 0, 0))
            frame.paste(ref.resize((side, side)), ((side * 16 // 9 - side) // 2, 0))
            image = _jpeg(frame)
        elif kind == "framed":  # shown at half a page's width on a plain page, as a screenshot shows it
            page = Image.new("RGB", (side * 2, side * 3 // 2), (236, 236, 232))
            page.paste(ref.resize((side, side)), (side // 2, side // 4))
            image = _jpeg(page)
        elif kind == "iptc":
            image = image_with_xmp("jpeg", xmp_packet("DMI-PROHIBITED-AIMLTRAINING"))
        elif kind == "c2pa":
            image = sign_image("jpeg", {"c2pa.ai_generative_training": {"use": "notAllowed"}}, image=image)
        elif kind == "tdmrep":
            (data / f"{key}.tdmrep.json").write_bytes(tdmrep_json({"tdm-reservation": 1}))
        elif kind == "noai":
            (data / f"{key}.headers.json").write_text(json.dumps({"X-Robots-Tag": "noai"}), "utf-8")
        elif kind == "broken":
            image = image[: len(image) // 3]
        (data / f"{key}.jpg").write_bytes(image)
        (data / f"{key}.txt").write_text(caption, "utf-8")
        if kind != "benign":
            planted[f"{key}.jpg"] = kind
    return planted


@dataclass(frozen=True)
class Rate:
    """Items per second by wall time and by CPU time (this process's, all threads)."""

    wall: float
    cpu: float


def decode_only(data: Path) -> Rate:
    """Images/s of a full RGB decode of every image, one process: the per-core floor."""
    files = sorted(p for p in data.iterdir() if p.suffix == ".jpg")
    began, cpu = time.perf_counter(), time.process_time()
    for p in files:
        try:
            with Image.open(p) as im:
                im.convert("RGB")
        except OSError:
            pass
    return Rate(len(files) / (time.perf_counter() - began), len(files) / (time.process_time() - cpu))


def options(root: Path, out: str, **kw):
    from kyodaku.scan import ReaderOptions, ScanOptions

    return ScanOptions(
        root / "data", licensee="bench-lab", out=root / out, catalog=root / "catalog.yaml",
        signing_key=root / "k", semantic=False, progress=False, at=AT,
        reader=ReaderOptions(shard_size=24), **kw,
    )  # fmt: skip


def recall(root: Path, out: str, planted: dict[str, str], total: int) -> None:
    excluded = {
        json.loads(line)["id"]: json.loads(line)["reasons"]
        for line in (root / out / "excluded.jsonl").read_text("utf-8").splitlines()
    }
    row = []
    for kind, prefix in EXPECT.items():
        ids = [i for i, k in planted.items() if k == kind]
        caught = sum(any(r.startswith(prefix) for r in excluded.get(i, [])) for i in ids)
        row.append(f"{kind} {caught}/{len(ids)}")
    false = [i for i in excluded if i not in planted]
    print("  recall: " + ", ".join(row))
    print(f"  unplanted samples excluded: {len(false)} of {total - len(planted)}")


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def kill_and_resume(root: Path, reference: str) -> None:
    """SIGKILL a CLI scan once some shards are committed, run it again, compare with `reference`."""
    out = root / "killed"
    cmd = [
        sys.executable, "-m", "kyodaku", "scan", str(root / "data"), "--licensee", "bench-lab",
        "--catalog", str(root / "catalog.yaml"), "--out", str(out), "--signing-key", str(root / "k"),
        "--no-semantic", "--workers", "1", "--shard-size", "24", "--at", AT.isoformat(),
    ]  # fmt: skip
    rng = random.Random(os.getpid())
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    from kyodaku.scan.state import PARTS, STATE_DIR

    parts = out / STATE_DIR / PARTS
    target = rng.randint(1, 6)
    while time.monotonic() < deadline and proc.poll() is None:
        done = len(list(parts.glob("*/shard.json"))) if parts.is_dir() else 0
        if done >= target:
            time.sleep(rng.uniform(0, 0.3))  # somewhere inside the next shard
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        print(f"  resume: the scan finished before the kill (target {target} shards); no figure")
        return
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = len(list(parts.glob("*/shard.json")))
    began = time.perf_counter()
    rerun = subprocess.run(cmd, capture_output=True, text=True)
    if rerun.returncode != 0:
        print(f"  resume: the second run failed ({rerun.returncode}): {rerun.stderr[-500:]}")
        return
    got, want = files_of(out), files_of(root / reference)
    same = [k for k in want if got.get(k) == want[k]]
    extra = sorted(set(got) - set(want))
    print(
        f"  resume: killed with {killed_at} shards committed; the second run took "
        f"{time.perf_counter() - began:.1f} s; {len(same)} of {len(want)} output files byte-identical "
        f"to the uninterrupted run ({sum(len(v) for v in want.values()):,} bytes), {len(extra)} extra"
    )
    summary = json.loads((out / "summary.json").read_text("utf-8"))["counts"]
    print(f"  resume: counts {summary}")


def throughput(args: argparse.Namespace) -> None:
    from kyodaku.audit.signing import generate_keypair
    from kyodaku.scan import scan

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        planted = make(root, args.samples, args.size)
        generate_keypair(root / "k", root / "k.pub")
        floor = decode_only(root / "data")
        where = f"photographs from {args.photos}" if PHOTOS else "drawn scenes"
        print(
            f"dataset: {args.samples} samples, --size {args.size} ({where}); decode-only "
            f"{floor.wall:,.0f} images/s ({floor.cpu:,.0f} per CPU second)"
        )
        for media in () if args.only_ray else ("full", "pdq"):
            walls, cpus = [], []
            for k in range(args.repeat):  # the floor again before each run: the machine's load drifts
                floor = decode_only(root / "data") if k else floor
                out = f"out-{media}-1" + (f"-{k}" if k else "")
                report = scan(options(root, out, media=media, workers=1))
                walls.append(report.samples_per_second / floor.wall)
                cpus.append(report.samples_per_cpu_second / floor.cpu)
            rate = report.samples_per_second
            print(
                f"--media {media}: 1 worker {rate:,.0f} samples/s = {statistics.median(walls):.0%} of "
                f"decode-only by wall time, {statistics.median(cpus):.0%} by CPU time"
                + (f" (median of {args.repeat}; wall {min(walls):.0%}-{max(walls):.0%}, CPU "
                   f"{min(cpus):.0%}-{max(cpus):.0%})" if args.repeat > 1 else "")
                + f" (guard built in {report.setup_seconds:.1f} s)"
            )  # fmt: skip
            recall(root, f"out-{media}-1", planted, args.samples)
            two = scan(options(root, f"out-{media}-2", media=media, workers=2))
            twice = two.samples_per_second
            print(f"  2 workers {twice:,.0f} samples/s = {twice / rate:.2f}x")
            same = files_of(root / f"out-{media}-1") == files_of(root / f"out-{media}-2")
            print(f"  2 workers' outputs byte-identical to 1 worker's: {same}")
        if args.ray or args.only_ray:
            import ray

            began = time.perf_counter()
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
            started = time.perf_counter() - began
            try:
                from kyodaku.scan import worker

                worker._WORKERS.clear()  # local builds its guard again, as Ray's workers must
                local = scan(options(root, "out-local-2b", workers=2))
                rayed = scan(options(root, "out-ray-2", workers=2, executor="ray"))
            finally:
                ray.shutdown()
            # Whole scans: local builds its guard once before forking, each Ray worker builds its own
            # (in parallel); both costs are fixed per scan, so the ratio nears 1 as datasets grow.
            ratio = local.seconds / rayed.seconds
            print(
                f"Ray, 2 CPUs: {args.samples} samples in {rayed.seconds:.1f} s vs local 2 workers "
                f"{local.seconds:.1f} s (whole scans, guard builds included) = {ratio:.2f}x local's speed; "
                f"Ray start-up {started:.1f} s apart; outputs identical: "
                f"{files_of(root / 'out-ray-2') == files_of(root / 'out-local-2b')}"
            )
        if args.resume and not args.only_ray:
            kill_and_resume(root, "out-full-1")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(n: int) -> None:
    from kyodaku.audit.signing import generate_keypair
    from kyodaku.scan import ScanHooks, ScanOptions, scan

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        catalog = CATALOG.replace('    references: ["refs/pikachu.png"]\n', "")
        (root / "catalog.yaml").write_text(catalog, "utf-8")
        generate_keypair(root / "k", root / "k.pub")
        pic = _jpeg(draw_image("scene", 1, (24, 24)).convert("RGB"))
        per_tar = 10_000
        (root / "wds").mkdir()
        for t in range(0, n, per_tar):
            with tarfile.open(root / "wds" / f"shard-{t // per_tar:05d}.tar", "w") as tar:
                for i in range(t, min(n, t + per_tar)):
                    caption = NAMED[i % 4] if i % 100 < 2 else BENIGN[i % len(BENIGN)]
                    for ext, data in (("jpg", pic), ("txt", caption.encode())):
                        info = tarfile.TarInfo(f"{i:08d}.{ext}")
                        info.size = len(data)
                        tar.addfile(info, io.BytesIO(data))
        seen = {"n": 0, "next": 0}
        marks: list[tuple[int, float]] = []

        def samples(k: int) -> None:
            seen["n"] += k
            if seen["n"] >= seen["next"]:
                marks.append((seen["n"], _rss_mb()))
                seen["next"] += n // 10

        opts = ScanOptions(
            root / "wds", licensee="bench-lab", out=root / "out", catalog=root / "catalog.yaml",
            signing_key=root / "k", semantic=False, progress=False, at=AT, workers=1,
            checks=("caption", "signals"),
        )  # fmt: skip
        began = time.perf_counter()
        report = scan(opts, ScanHooks(samples=samples))
        marks.append((report.samples_scanned, _rss_mb()))
        print(
            f"memory: {report.samples_scanned:,} samples in {time.perf_counter() - began:.0f} s "
            f"({report.samples_per_second:,.0f} samples/s, caption+signals, 1 worker); "
            f"excluded {report.counts.get('excluded', 0):,}"
        )
        print("  resident MB after n samples: " + ", ".join(f"{k:,}: {mb:.0f}" for k, mb in marks))
        first = next(mb for k, mb in marks if k >= n // 10)
        print(f"  growth from the first tenth to the end: {marks[-1][1] - first:+.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=480)
    ap.add_argument("--size", choices=("photo", "small"), default="photo")
    ap.add_argument("--photos", type=Path, help="cut the unplanted pictures from the JPEGs under this folder")
    ap.add_argument("--repeat", type=int, default=1, help="1-worker runs per tier (median printed)")
    ap.add_argument("--ray", action="store_true", help="also time the Ray executor")
    ap.add_argument("--only-ray", action="store_true", help="only Ray against local (implies --ray)")
    ap.add_argument("--resume", action="store_true", help="also kill a scan and resume it")
    ap.add_argument("--memory", type=int, default=0, metavar="N", help="only the memory run, N samples")
    args = ap.parse_args()
    if args.photos:
        PHOTOS.extend(sorted(p for p in args.photos.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg")))
        if not PHOTOS:
            ap.error(f"--photos {args.photos}: no JPEG files under it (make bench-media-data installs some)")
    if args.memory:
        memory(args.memory)
    else:
        throughput(args)


if __name__ == "__main__":
    main()
