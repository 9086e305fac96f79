"""`kyodaku screen-media` as a user runs it: a catalog with `references:` globs, real image and video
files, a folder batch with a broken file in it, exit codes (in process: the `cli` fixture)."""

import json
from pathlib import Path

import pytest
from PIL import ImageOps

from kyodaku_samples.synthetic import draw_frames, draw_image, encode_video

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    """The mini catalog plus reference files: two Pikachu images and a Superman clip."""
    root = tmp_path_factory.mktemp("catalog")
    (root / "refs" / "pikachu").mkdir(parents=True)
    for seed in (1, 2):
        draw_image("character", seed).save(root / "refs" / "pikachu" / f"pikachu-{seed}.png")
    encode_video(root / "refs" / "superman.mp4", draw_frames(5, seconds=5, fps=12), fps=12)
    text = MINI.read_text(encoding="utf-8")
    text = text.replace(
        '    names: {en: ["Pikachu"], ja: ["ピカチュウ"], zh: ["皮卡丘"], ko: ["피카츄"]}\n',
        '    names: {en: ["Pikachu"], ja: ["ピカチュウ"], zh: ["皮卡丘"], ko: ["피카츄"]}\n'
        '    references: ["refs/pikachu/*.png"]\n',
    )
    text = text.replace(
        '    names: {en: ["Superman", "Man of Steel"], ja: ["スーパーマン"]}\n',
        '    names: {en: ["Superman", "Man of Steel"], ja: ["スーパーマン"]}\n'
        '    references: ["refs/superman.mp4"]\n',
    )
    assert text.count("references:") == 2
    (root / "catalog.yaml").write_text(text, encoding="utf-8")
    return root / "catalog.yaml"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """A folder of generated outputs: a mirrored copy, an unrelated image, an excerpt of the clip,
    and a file that only pretends to be an image."""
    folder = tmp_path_factory.mktemp("outputs")
    ImageOps.mirror(draw_image("character", 2)).convert("RGB").save(folder / "a-copy.jpg", quality=70)
    draw_image("scene", 77).save(folder / "b-unrelated.png")
    encode_video(folder / "c-excerpt.mp4", list(draw_frames(5, seconds=5, fps=12))[12:48], fps=12, crf=32)
    (folder / "d-broken.png").write_bytes(b"this is not a picture\n" * 10)
    return folder


def test_when_an_output_copies_a_catalog_reference_then_json_names_the_reference_file(cli, catalog, outputs):
    r = cli("screen-media", "--catalog", str(catalog), "--json", str(outputs / "a-copy.jpg"))
    assert r.code == 0, r.stderr
    decision = json.loads(r.stdout)
    assert decision["verdict"] == "block"
    finding = decision["findings"][0]
    assert finding["entity"] == "pikachu" and finding["matcher"] == "pdq"
    assert finding["evidence"]["media"]["reference"]["filename"] == "pikachu-2.png"
    assert finding["evidence"]["media"]["transform"] == "mirror"


def test_when_a_folder_is_screened_then_each_file_gets_a_decision_and_the_broken_one_is_listed(
    cli, catalog, outputs, tmp_path
):
    result = tmp_path / "decisions.jsonl"
    r = cli("screen-media", "--catalog", str(catalog), str(outputs), "--output", str(result))
    assert r.code == 2
    assert "d-broken.png" in r.stderr and "3 of 4" in r.stderr
    records = {Path(rec["file"]).name: rec for rec in map(json.loads, result.read_text().splitlines())}
    assert records["a-copy.jpg"]["verdict"] == "block"
    assert records["b-unrelated.png"]["verdict"] == "allow"
    assert records["c-excerpt.mp4"]["entities"][0]["entity"] == "superman"
    assert records["d-broken.png"]["error"] == "unsupported_media"


def test_when_a_prompt_comes_with_the_output_then_one_decision_covers_both(cli, catalog, outputs):
    r = cli(
        "screen-media", "--catalog", str(catalog), "--no-semantic", "--json",
        "--prompt", "Superman over the city", str(outputs / "a-copy.jpg"),
    )  # fmt: skip
    assert r.code == 0, r.stderr
    decision = json.loads(r.stdout)
    assert {e["entity"] for e in decision["entities"]} == {"pikachu", "superman"}
    assert {f["matcher"] for f in decision["findings"]} == {"alias", "pdq"}


def test_when_a_catalog_glob_matches_nothing_then_the_error_names_entity_and_pattern(cli, tmp_path, outputs):
    (tmp_path / "c.yaml").write_text(
        MINI.read_text(encoding="utf-8").replace(
            '    names: {en: ["Pikachu"], ja: ["ピカチュウ"], zh: ["皮卡丘"], ko: ["피카츄"]}\n',
            '    names: {en: ["Pikachu"], ja: ["ピカチュウ"], zh: ["皮卡丘"], ko: ["피카츄"]}\n'
            '    references: ["missing/*.png"]\n',
        ),
        encoding="utf-8",
    )
    r = cli("screen-media", "--catalog", str(tmp_path / "c.yaml"), str(outputs / "a-copy.jpg"))
    assert r.code != 0
    assert "pikachu" in r.stderr and "missing/*.png" in r.stderr


def test_when_a_single_file_is_not_media_then_exit_code_2_names_it(cli, catalog, outputs):
    r = cli("screen-media", "--catalog", str(catalog), str(outputs / "d-broken.png"))
    assert r.code == 2
    assert "d-broken.png" in r.stderr
