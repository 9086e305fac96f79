"""Media guard speed, one core: images per second for hash-and-match including decode, beside decode
alone (the floor: the same reduced-size decode the hasher does); video frames per second; the
reference bank's memory per million hashes.

    .venv/bin/python bench/media_speed.py [--images 200] [--bank 1000,1000000] [--video-seconds 30]

The index alone (query time at 1M and 10M hashes against brute force) is bench/media_index.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from _common import machine_line, percentile
from kyodaku.media.bank import BankReference, ReferenceBank, ReferenceHashes
from kyodaku.media.hashing import DRAFT_SIDE, HashOptions, hash_media
from kyodaku_samples.synthetic import KINDS, draw_frames, draw_image, encode_video


def _pin_one_core() -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def make_images(count: int, size: int, fmt: str) -> list[bytes]:
    """Generated-looking outputs: drawn scenes at `size` with film grain (grain makes decoding work
    as hard as on a photo; flat drawings would flatter every figure)."""
    rng = np.random.default_rng(7)
    out = []
    for n in range(count):
        image = draw_image(KINDS[n % len(KINDS)], 10_000 + n, (size, size))
        arr = np.asarray(image.convert("RGB"), np.int16) + rng.integers(-12, 13, (size, size, 3))
        buf = io.BytesIO()
        Image.fromarray(arr.clip(0, 255).astype(np.uint8)).save(
            buf, fmt, **({"quality": 90} if fmt == "JPEG" else {})
        )
        out.append(buf.getvalue())
    return out


def decode_floor(data: bytes) -> None:
    """Decode alone, as cheaply as the format allows at the size the hash needs (JPEG: draft mode
    straight to luma at >= 256 px; PNG: a full decode, the format has no reduced decode)."""
    im = Image.open(io.BytesIO(data))
    if im.format == "JPEG":
        im.draft("L", (DRAFT_SIDE, DRAFT_SIDE))
    im.load()


def timed(fn, items, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for item in items:
            t0 = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - t0)
    return times


def random_bank(size: int, planted: list[bytes]) -> ReferenceBank:
    """A bank of `size` reference hashes: random codes plus the real references of the test images."""
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    items = [
        ReferenceHashes(
            BankReference("bulk", "bulk", "0" * 64, "video", "bulk.mp4", size),
            codes,
            np.full(size, 100, np.int16),
            np.arange(size, dtype=np.int32),
            np.zeros(size, np.float32),
            ("full",) * size,
        )
    ]
    for n, data in enumerate(planted):
        media = hash_media(data, HashOptions(local_features=True))
        items.append(
            ReferenceHashes.from_media(BankReference(f"r{n}", "e", media.sha256, "image", "x"), media)
        )
    return ReferenceBank.build(items)


def interleaved(steps: dict, items, repeat: int) -> dict[str, list[float]]:
    """Time every step on each item in turn, so machine noise hits all steps alike (ratios hold)."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for item in items:
            for name, fn in steps.items():
                t0 = time.perf_counter()
                fn(item)
                times[name].append(time.perf_counter() - t0)
    return times


def bench_images(args) -> None:
    from dataclasses import replace

    from kyodaku.screening import GuardOptions

    pdq_only = replace(GuardOptions().hash_options(query=True), local_features=False)
    with_local = replace(pdq_only, local_features=True)
    for fmt in ("JPEG", "PNG"):
        images = make_images(args.images, args.size, fmt)
        banks = {size: random_bank(size, images[:20]) for size in args.bank}
        steps = {
            "decode alone (floor)": decode_floor,
            "decode + PDQ (4 hashes + 7 variants)": lambda d: hash_media(d, pdq_only),
        }
        for size, bank in banks.items():
            steps[f"hash + match, bank {size:,}"] = lambda d, b=bank: b.match_image(hash_media(d, pdq_only))
        for size, bank in banks.items():

            def both(d, b=bank):
                h = hash_media(d, with_local)
                b.match_local(h, {m.reference.id for m in b.match_image(h)})

            steps[f"+ local features, bank {size:,}"] = both
        times = interleaved(steps, images, args.repeat)
        print(f"\n{fmt} {args.size}x{args.size}, {len(images)} images x {args.repeat}:")
        print(f"  {'step':38} {'img/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs decode':>9}")
        base_times = times["decode alone (floor)"]
        base = len(base_times) / sum(base_times)
        for name, values in times.items():
            rate = len(values) / sum(values)
            p50, p99 = percentile(values, 50) * 1e3, percentile(values, 99) * 1e3
            print(f"  {name:38} {rate:8.0f} {p50:8.2f} {p99:8.2f} {rate / base:9.0%}")
        for size, bank in banks.items():
            found = sum(bool(bank.match_image(hash_media(d, pdq_only))) for d in images[:20])
            print(
                f"  bank {size:,}: planted references found {found}/20; "
                f"{bank.index.nbytes / size:.1f} B/hash in the index + {_meta_bytes(bank) / size:.1f} B/hash "
                "of row metadata"
            )


def _meta_bytes(bank: ReferenceBank) -> int:
    return bank.ref_row.nbytes + bank.frame.nbytes + bank.t.nbytes + bank.region.nbytes


def bench_video(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        w, h = args.video_size
        encode_video(path, draw_frames(3, seconds=args.video_seconds, fps=24, size=(w, h)), fps=24, crf=23)
        import av

        t0 = time.perf_counter()
        with av.open(str(path)) as c:
            frames = sum(1 for _ in c.decode(c.streams.video[0]))
        decode = time.perf_counter() - t0
        for fps in (1.0, 5.0):
            t0 = time.perf_counter()
            media = hash_media(path, HashOptions(video_fps=fps))
            took = time.perf_counter() - t0
            print(
                f"  {w}x{h} H.264, {args.video_seconds} s, {frames} frames: "
                f"decode alone {frames / decode:6.0f} "
                f"frames/s; hash at {fps:g}/s {frames / took:6.0f} frames/s of video "
                f"({media.frame_count} hashed, {took:.2f} s, {args.video_seconds / took:.0f}x real time, "
                f"{decode / took:.0%} of decode-alone speed)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--bank", default="1000,1000000", help="reference bank sizes (hashes)")
    parser.add_argument("--video-seconds", type=int, default=30)
    parser.add_argument("--video-size", default="1280x720")
    args = parser.parse_args()
    args.bank = [int(x) for x in args.bank.split(",") if x]
    args.video_size = tuple(int(x) for x in args.video_size.split("x"))
    _pin_one_core()
    print(f"command: {' '.join([sys.executable.split('/')[-1], *sys.argv])}")
    print(machine_line())
    bench_images(args)
    print("\nvideo:")
    bench_video(args)


if __name__ == "__main__":
    main()
