"""POST /v1/screen/image and /v1/screen/video: multipart uploads, one decision format, the refusals."""

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kyodaku.api.app import create_app
from kyodaku.media.hashing import hash_media
from kyodaku.refs.ingest import new_reference
from kyodaku.screening import GuardOptions
from kyodaku_samples.synthetic import draw_frames, draw_image, encode_video

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return encode_video(tmp_path_factory.mktemp("v") / "ref.mp4", draw_frames(3, seconds=4, fps=12), fps=12)


@pytest.fixture()
def api(tmp_path, clip):
    options = GuardOptions(semantic=False, themes=False)
    app = create_app(f"sqlite:///{tmp_path / 'r.db'}", options, catalog=MINI, max_upload_bytes=2_000_000)
    store = app.state.store
    reference = hash_media(_png(draw_image("character", 11)), options.hash_options(query=False))
    store.add_reference(new_reference("pikachu", reference, "pikachu-11.png"), "test")
    clip_hashes = hash_media(clip, options.hash_options(query=False))
    store.add_reference(new_reference("superman", clip_hashes, "ref.mp4"), "test")
    app.state.refresher.refresh()
    keys = {
        "operator": store.create_key("operator").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
    }
    with TestClient(app) as client:
        yield client, keys


def _h(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_when_an_uploaded_image_copies_a_reference_then_the_decision_blocks_with_the_reference(api):
    client, keys = api
    files = {"file": ("out.png", _png(draw_image("character", 11)), "image/png")}
    r = client.post("/v1/screen/image", files=files, headers=_h(keys["operator"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "block"
    assert body["findings"][0]["evidence"]["media"]["reference"]["filename"] == "pikachu-11.png"
    assert body["media"][0]["name"] == "out.png"


def test_when_a_prompt_field_comes_with_the_image_then_one_decision_covers_both(api):
    client, keys = api
    files = {"file": ("out.png", _png(draw_image("scene", 12)), "image/png")}
    form = {"prompt": "Superman"}
    r = client.post("/v1/screen/image", files=files, data=form, headers=_h(keys["operator"]))
    assert r.status_code == 200
    assert [e["entity"] for e in r.json()["entities"]] == ["superman"]


def test_when_an_uploaded_video_reuses_the_reference_clip_then_ranges_are_returned(api, clip):
    client, keys = api
    files = {"file": ("gen.mp4", clip.read_bytes(), "video/mp4")}
    r = client.post("/v1/screen/video", files=files, headers=_h(keys["operator"]))
    assert r.status_code == 200, r.text
    media = r.json()["findings"][0]["evidence"]["media"]
    assert media["query_share"] == 1.0 and media["ranges"]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (b"not an image at all\n" * 20, 415, "unsupported_media"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, 415, "unsupported_media"),
        (b"", 422, "invalid_input"),
    ],
)
def test_when_the_upload_is_not_a_readable_image_then_4xx_names_the_file(api, payload, status, code):
    client, keys = api
    r = client.post(
        "/v1/screen/image", files={"file": ("x.png", payload, "image/png")}, headers=_h(keys["operator"])
    )
    assert r.status_code == status
    assert r.json()["code"] == code and "x.png" in r.json()["detail"]


def test_when_the_upload_is_over_the_limit_then_413_before_screening(api):
    client, keys = api
    big = b"\0" * 2_500_000
    r = client.post("/v1/screen/image", files={"file": ("big.png", big)}, headers=_h(keys["operator"]))
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


def test_when_a_video_is_sent_to_the_image_endpoint_then_422(api, clip):
    client, keys = api
    files = {"file": ("gen.mp4", clip.read_bytes(), "video/mp4")}
    r = client.post("/v1/screen/image", files=files, headers=_h(keys["operator"]))
    assert r.status_code == 422 and "expected an image" in r.json()["detail"]


def test_when_a_rightsholder_key_screens_media_then_403_and_without_key_401(api):
    client, keys = api
    files = {"file": ("out.png", _png(draw_image("character", 11)), "image/png")}
    assert client.post("/v1/screen/image", files=files, headers=_h(keys["pokemon"])).status_code == 403
    assert client.post("/v1/screen/image", files=files).status_code == 401


def test_when_a_chunked_upload_without_length_runs_over_the_limit_then_413(api):
    client, keys = api

    def body():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\n\r\n'
        for _ in range(40):
            yield b"\0" * 100_000

    headers = {**_h(keys["operator"]), "content-type": "multipart/form-data; boundary=b"}
    r = client.post("/v1/screen/image", content=body(), headers=headers)
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


def test_when_a_crop_of_a_registered_reference_is_uploaded_then_local_features_from_the_registry_match(api):
    client, keys = api
    crop = draw_image("character", 11).crop((40, 10, 40 + 460, 10 + 460))
    files = {"file": ("crop.png", _png(crop), "image/png")}
    r = client.post("/v1/screen/image", files=files, headers=_h(keys["operator"]))
    assert r.status_code == 200
    finding = r.json()["findings"][0]
    assert finding["matcher"] == "local"
    assert finding["evidence"]["media"]["reference"]["filename"] == "pikachu-11.png"
