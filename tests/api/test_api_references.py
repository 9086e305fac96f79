"""Reference routes over HTTP: streamed multipart uploads, the refusals, and the guard seeing the change."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from helpers.pictures import png_bomb
from kyodaku.api.app import create_app
from kyodaku.media.hashing import hash_media
from kyodaku.media.refstore import ReferenceStore
from kyodaku.refs.ingest import hash_options
from kyodaku.screening import GuardOptions

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"
LIMIT = 60_000


def image_file(path: Path, seed: int) -> Path:
    """Coloured rectangles on white, different per seed (enough structure for PDQ)."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (96, 96), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = (int(v) for v in rng.integers(0, 88, 2))
        w, h = (int(v) for v in rng.integers(8, 48, 2))
        draw.rectangle([x, y, x + w, y + h], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path)
    return path


@pytest.fixture()
def api(tmp_path, monkeypatch):
    monkeypatch.setenv("KYODAKU_REFERENCE_STORE", str(tmp_path / "store"))
    app = create_app(
        f"sqlite:///{tmp_path / 'registry.db'}",
        GuardOptions(semantic=False, themes=False),
        catalog=MINI,
        max_upload_bytes=LIMIT,
    )
    store = app.state.store
    keys = {
        "admin": store.create_key("admin").secret,
        "operator": store.create_key("operator").secret,
        "pokemon": store.create_key("rightsholder", rightsholder="pokemon-company").secret,
        "dc": store.create_key("rightsholder", rightsholder="dc").secret,
    }
    with TestClient(app) as client:
        yield client, keys, ReferenceStore(tmp_path / "store")


def _h(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _png(tmp_path: Path, seed: int, name: str = "pika.png") -> tuple[str, bytes, str]:
    return (name, image_file(tmp_path / "files" / name, seed).read_bytes(), "image/png")


def _upload(client, entity, files, secret=None):
    headers = _h(secret) if secret else {}
    return client.post(
        f"/v1/entities/{entity}/references", files=[("file", f) for f in files], headers=headers
    )


def _nothing_stored(refstore: ReferenceStore) -> bool:
    return refstore.blobs() == [] and refstore.leftovers() == []


def test_when_a_rightsholder_uploads_files_then_201_lists_them_and_the_guard_serves_that_version(
    api, tmp_path
):
    client, keys, refstore = api
    files = [_png(tmp_path, 1, "a.png"), _png(tmp_path, 2, "b.png")]
    r = _upload(client, "pikachu", files, keys["pokemon"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert [x["filename"] for x in body["references"]] == ["a.png", "b.png"]
    expected = [len(hash_media(data, hash_options()).frames) for _, data, _ in files]
    assert [x["hashes"] for x in body["references"]] == expected
    assert all(x["new"] and x["media_type"] == "image" for x in body["references"])
    assert client.get("/healthz").json()["registry_version"] == body["registry_version"]
    assert len(refstore.blobs()) == 2 and refstore.leftovers() == []
    listed = client.get("/v1/entities/pikachu/references", headers=_h(keys["pokemon"])).json()["items"]
    assert [x["id"] for x in listed] == [x["id"] for x in body["references"]]
    screened = client.post("/v1/screen/image", files={"file": files[0]}, headers=_h(keys["operator"])).json()
    cited = {f["evidence"]["media"]["reference"]["id"] for f in screened["findings"] if f["matcher"] == "pdq"}
    assert body["references"][0]["id"] in cited  # the very next screening request knows the reference


def test_when_the_same_file_is_uploaded_again_then_200_and_nothing_new(api, tmp_path):
    client, keys, _ = api
    file = _png(tmp_path, 1)
    first = _upload(client, "pikachu", [file], keys["pokemon"]).json()
    r = _upload(client, "pikachu", [file], keys["pokemon"])
    assert r.status_code == 200
    assert r.json()["references"][0]["new"] is False
    assert r.json()["registry_version"] == first["registry_version"]


@pytest.mark.parametrize(
    ("key", "entity", "status"),
    [
        (None, "pikachu", 401),
        ("dc", "pikachu", 403),
        ("operator", "pikachu", 403),
        ("pokemon", "nobody", 404),
    ],
)
def test_when_the_caller_may_not_add_then_4xx_and_nothing_is_stored(api, tmp_path, key, entity, status):
    client, keys, refstore = api
    r = _upload(client, entity, [_png(tmp_path, 1)], keys[key] if key else None)
    assert r.status_code == status
    assert r.json()["detail"]
    assert _nothing_stored(refstore)


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("cut.png", "truncated", 422, "truncated or corrupt"),
        ("words.png", b"plain text, not an image\n" * 20, 415, "neither an image nor a video"),
        ("bomb.png", png_bomb(), 413, "decompression bomb"),
    ],
)
def test_when_one_file_is_bad_then_4xx_names_it_and_no_file_of_the_request_is_attached(
    api, tmp_path, name, data, status, words
):
    client, keys, refstore = api
    if data == "truncated":
        data = _png(tmp_path, 7)[1][:250]
    r = _upload(
        client, "pikachu", [_png(tmp_path, 1, "good.png"), (name, data, "image/png")], keys["pokemon"]
    )
    assert r.status_code == status, r.text
    assert name in r.json()["detail"] and words in r.json()["detail"]
    assert client.get("/v1/entities/pikachu/references", headers=_h(keys["pokemon"])).json()["items"] == []
    assert _nothing_stored(refstore)


def test_when_an_upload_is_over_the_limit_then_413_before_it_is_read(api):
    client, keys, refstore = api
    r = _upload(client, "pikachu", [("huge.mp4", b"\0" * (LIMIT + 1), "video/mp4")], keys["pokemon"])
    assert r.status_code == 413
    assert f"{LIMIT:,}" in r.json()["detail"]
    assert _nothing_stored(refstore)


def test_when_a_chunked_upload_passes_the_limit_while_streaming_then_413_and_nothing_is_left(api):
    client, keys, refstore = api
    boundary = "kyodaku-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="endless.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()

    def body():  # no Content-Length: the limit can only be enforced while the bytes arrive
        yield head
        for _ in range(LIMIT // 4096 + 4):
            yield b"\0" * 4096

    r = client.post(
        "/v1/entities/pikachu/references",
        content=body(),
        headers={**_h(keys["pokemon"]), "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"
    assert _nothing_stored(refstore)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"json": {"file": "pika.png"}}, "multipart/form-data"),
        (
            {"data": {"note": "no file here"}, "files": {"other": ("x.txt", io.BytesIO(b"x"), "text/plain")}},
            "'other'",
        ),
        ({"data": {"note": "no file here"}}, "multipart/form-data"),
    ],
)
def test_when_the_body_holds_no_file_part_then_422_says_how_to_send_one(api, kwargs, words):
    client, keys, refstore = api
    r = client.post("/v1/entities/pikachu/references", headers=_h(keys["pokemon"]), **kwargs)
    assert r.status_code == 422
    assert words in r.json()["detail"]
    assert _nothing_stored(refstore)


def test_when_a_reference_is_read_then_its_metadata_has_the_hash_count_and_others_get_404(api, tmp_path):
    client, keys, _ = api
    ref = _upload(client, "pikachu", [_png(tmp_path, 1)], keys["pokemon"]).json()["references"][0]
    for who in ("pokemon", "operator", "admin"):
        r = client.get(f"/v1/references/{ref['id']}", headers=_h(keys[who]))
        assert r.status_code == 200
        got = r.json()
        assert (got["hashes"], got["sha256"], got["entity"]) == (ref["hashes"], ref["sha256"], "pikachu")
    assert client.get(f"/v1/references/{ref['id']}", headers=_h(keys["dc"])).status_code == 404
    assert client.get("/v1/entities/pikachu/references", headers=_h(keys["dc"])).status_code == 404
    assert client.get("/v1/references/ref_0000000000000000", headers=_h(keys["admin"])).status_code == 404


def test_when_the_owner_deletes_a_reference_then_it_is_gone_and_the_guard_moves_on(api, tmp_path):
    client, keys, refstore = api
    ref = _upload(client, "pikachu", [_png(tmp_path, 1)], keys["pokemon"]).json()["references"][0]
    assert client.delete(f"/v1/references/{ref['id']}", headers=_h(keys["dc"])).status_code == 404
    assert client.delete(f"/v1/references/{ref['id']}", headers=_h(keys["operator"])).status_code == 403
    r = client.delete(f"/v1/references/{ref['id']}", headers=_h(keys["pokemon"]))
    assert r.status_code == 200 and r.json()["removed"] is True
    assert r.json()["registry_version"] == ref["registry_version"] + 1
    assert client.get("/healthz").json()["registry_version"] == r.json()["registry_version"]
    assert client.get(f"/v1/references/{ref['id']}", headers=_h(keys["pokemon"])).status_code == 404
    assert refstore.blobs() == [ref["sha256"]]  # the file stays for the history


@pytest.mark.parametrize("body", [b"--B False--B--", b"garbage", b"--B\r\nno headers end"])
def test_when_a_multipart_body_cannot_be_parsed_then_400_and_nothing_is_stored(api, body):
    client, keys, refstore = api
    headers = {**_h(keys["pokemon"]), "Content-Type": "multipart/form-data; boundary=B"}
    r = client.post("/v1/entities/pikachu/references", content=body, headers=headers)
    assert 400 <= r.status_code < 500 and r.headers["content-type"] == "application/problem+json"
    assert _nothing_stored(refstore)
