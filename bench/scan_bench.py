"""Scanner benchmark: planted positives caught, throughput against decode-only, 1 vs 2 workers.

    .venv/bin/python bench/scan_bench.py [--samples 300]

Makes a folder dataset in a temporary folder: drawn pictures with captions; planted and known
positives (captions naming registered characters in three languages, resized copies of a
registered reference, files whose XMP says DMI-PROHIBITED, truncated images). Scans it with the
text guard's lexical matchers (semantic off: the caption model is measured in bench/speed.py)
and prints recall and precision per planted kind, samples/s with 1 and 2 workers, and the
decode-only rate of the same images in one process (the floor a scan cannot beat).
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

from PIL import Image

import _common  # noqa: F401  (puts samples/ on sys.path)
from kyodaku_samples.optout import image_with_xmp, xmp_packet
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


def _jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    draw_image("scene", seed, (256, 256)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def make(root: Path, n: int) -> dict[str, str]:
    (root / "refs").mkdir(parents=True)
    ref = draw_image("character", 7, (512, 512))
    ref.save(root / "refs" / "pikachu.png")
    (root / "catalog.yaml").write_text(CATALOG, "utf-8")
    data = root / "data"
    data.mkdir()
    planted: dict[str, str] = {}
    for i in range(n):
        key, kind = f"{i:06d}", ["benign"] * 16 + ["caption", "reference", "iptc", "broken"]
        kind = kind[i % 20]
        image, ext, caption = _jpeg(i), "jpg", BENIGN[i % len(BENIGN)]
        if kind == "caption":
            caption = NAMED[i % len(NAMED)]
        elif kind == "reference":
            buf = io.BytesIO()
            ref.resize((200 + i % 100, 200 + i % 100)).save(buf, "PNG")
            image, ext = buf.getvalue(), "png"
        elif kind == "iptc":
            image = image_with_xmp("jpeg", xmp_packet("DMI-PROHIBITED-AIMLTRAINING"))
        elif kind == "broken":
            image = image[: len(image) // 3]
        (data / f"{key}.{ext}").write_bytes(image)
        (data / f"{key}.txt").write_text(caption, "utf-8")
        if kind != "benign":
            planted[f"{key}.{ext}"] = kind
    return planted


def decode_only(data: Path) -> float:
    files = sorted(p for p in data.iterdir() if p.suffix in (".jpg", ".png"))
    began = time.perf_counter()
    for p in files:
        try:
            with Image.open(p) as im:
                im.load()
        except OSError:
            pass
    return len(files) / (time.perf_counter() - began)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=300)
    args = ap.parse_args()
    from kyodaku.scan import ReaderOptions, ScanOptions, scan
    from kyodaku.scan.signing import generate_keypair

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        planted = make(root, args.samples)
        generate_keypair(root / "k", root / "k.pub")
        rates = {}
        for workers in (1, 2):
            options = ScanOptions(
                root / "data", licensee="bench-lab", out=root / f"out{workers}",
                catalog=root / "catalog.yaml",
                signing_key=root / "k", semantic=False, workers=workers, progress=False,
                reader=ReaderOptions(shard_size=25),
            )  # fmt: skip
            began = time.perf_counter()
            report = scan(options)
            rates[workers] = report.counts["samples"] / (time.perf_counter() - began)
        excluded = {
            json.loads(line)["id"]: json.loads(line)["reasons"]
            for line in (root / "out1" / "excluded.jsonl").read_text("utf-8").splitlines()
        }
        expect = {
            "caption": "registry:",
            "reference": "registry:",
            "iptc": "optout:iptc",
            "broken": "unreadable:",
        }
        for kind, prefix in expect.items():
            ids = [i for i, k in planted.items() if k == kind]
            caught = sum(any(r.startswith(prefix) for r in excluded.get(i, [])) for i in ids)
            print(f"{kind:10s} recall {caught}/{len(ids)}")
        false = [i for i in excluded if i not in planted]
        print(f"unplanted samples excluded: {len(false)} of {args.samples - len(planted)}")
        floor = decode_only(root / "data")
        print(f"decode-only, one process: {floor:,.0f} images/s")
        share = rates[1] / floor
        print(f"scan, 1 worker: {rates[1]:,.0f} samples/s ({share:.0%} of decode-only), whole command")
        print(f"scan, 2 workers: {rates[2]:,.0f} samples/s ({rates[2] / rates[1]:.2f}x one worker)")


if __name__ == "__main__":
    main()
