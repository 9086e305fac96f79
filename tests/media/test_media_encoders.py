"""Learned image encoders load from a local ONNX file, embed images as unit vectors, and search exactly.

Every model here is a tiny ONNX graph the tests build themselves (no weights
are downloaded): image [N, 3, 32, 32] -> AveragePool 8x8 -> Flatten (48) ->
MatMul with a seeded random 48 x 16 weight -> [N, 16]. Pooling keeps a coarse
4 x 4 colour layout, so like a real encoder it tells apart pictures whose
layout differs and keeps together pictures that differ only in brightness.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image, ImageDraw, ImageEnhance

from kyodaku.domain.errors import ConfigurationError, InvalidInput
from kyodaku.media.encoders import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    EmbeddingHit,
    EmbeddingIndex,
    EncoderConfig,
    ImageEncoder,
    OnnxImageEncoder,
    encoder_from_settings,
    load_encoder,
)
from kyodaku.settings import Settings

SIDE = 32
POOL = 8
FEATURES = 3 * (SIDE // POOL) ** 2  # 48
DIM = 16


def _weights(seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((FEATURES, DIM)).astype(np.float32)


def build_model(
    path: Path,
    *,
    batch: int | str = "N",
    side: int | str = SIDE,
    project: bool = True,
    seed: int = 7,
    weights: np.ndarray | None = None,
    reshape_to_one: bool = False,
) -> Path:
    """Write image -> AveragePool -> Flatten -> MatMul(W) -> embedding to `path`.

    `project=False` stops after pooling (a rank-4 output); `reshape_to_one` replaces Flatten by a
    Reshape to [1, 48], as careless exports do, so the graph only works one image at a time.
    """
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [batch, 3, side, side])
    pool = helper.make_node("AveragePool", ["image"], ["pooled"], kernel_shape=[POOL] * 2, strides=[POOL] * 2)
    nodes = [pool]
    initializers = []
    if project:
        if reshape_to_one:
            initializers.append(numpy_helper.from_array(np.array([1, FEATURES], dtype=np.int64), name="one"))
            nodes.append(helper.make_node("Reshape", ["pooled", "one"], ["flat"]))
        else:
            nodes.append(helper.make_node("Flatten", ["pooled"], ["flat"], axis=1))
        nodes.append(helper.make_node("MatMul", ["flat", "W"], ["embedding"]))
        w = _weights(seed) if weights is None else weights
        initializers.append(numpy_helper.from_array(w, name="W"))
        output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [batch, DIM])
    else:
        nodes.append(helper.make_node("Identity", ["pooled"], ["embedding"]))
        output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [batch, 3, None, None])
    graph = helper.make_graph(nodes, "tiny-encoder", [image], [output], initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def build_vector_model(path: Path) -> Path:
    """A model whose input is a rank-2 feature vector, not an image."""
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", FEATURES])
    output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", DIM])
    node = helper.make_node("MatMul", ["features", "W"], ["embedding"])
    weights = numpy_helper.from_array(_weights(), name="W")
    graph = helper.make_graph([node], "vector-model", [features], [output], initializer=[weights])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), str(path))
    return path


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    return build_model(tmp_path / "tiny-sscd.onnx")


@pytest.fixture
def encoder(model_path: Path) -> OnnxImageEncoder:
    return load_encoder(model_path)


def circle_on_white(size: int = 96) -> Image.Image:
    image = Image.new("RGB", (size, size), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.05, size * 0.05, size * 0.5, size * 0.5), fill=(200, 30, 40))
    draw.rectangle((size * 0.6, size * 0.1, size * 0.9, size * 0.3), fill=(40, 160, 60))
    return image


def bars_on_dark(size: int = 96) -> Image.Image:
    image = Image.new("RGB", (size, size), (20, 25, 60))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size * 0.5, size * 0.55, size * 0.95, size * 0.95), fill=(30, 90, 220))
    draw.polygon([(0, size), (size * 0.4, size * 0.6), (size * 0.3, size)], fill=(250, 220, 0))
    return image


def scene(seed: int, size: int = 64) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x0, y0 = (int(v) for v in rng.integers(0, size // 2, 2))
        x1, y1 = x0 + int(rng.integers(8, size // 2)), y0 + int(rng.integers(8, size // 2))
        draw.ellipse((x0, y0, x1, y1), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return image


# -- loading and encoding ------------------------------------------------------------------------------


def test_when_a_model_is_loaded_then_it_encodes_images_to_unit_vectors_of_its_output_size(
    encoder, model_path
):
    vectors = encoder.encode([circle_on_white(), bars_on_dark(), scene(1)])

    assert isinstance(encoder, ImageEncoder)
    assert (encoder.name, encoder.dim, encoder.input_size) == (model_path.stem, DIM, (SIDE, SIDE))
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert encoder.encode([]).shape == (0, DIM)


def test_when_an_image_is_encoded_then_the_vector_is_the_models_own_output_normalised(encoder):
    image = scene(3, size=SIDE)  # already the model's size: no resize, so the expectation is exact
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    normalised = ((pixels - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)).transpose(2, 0, 1)
    pooled = normalised.reshape(3, SIDE // POOL, POOL, SIDE // POOL, POOL).mean(axis=(2, 4)).reshape(-1)
    expected = pooled @ _weights()

    (vector,) = encoder.encode([image])

    np.testing.assert_allclose(vector, expected / np.linalg.norm(expected), atol=1e-5)


def test_when_the_same_image_is_encoded_twice_then_the_similarity_is_one(encoder):
    first, second = encoder.encode([circle_on_white(), circle_on_white()])

    assert float(first @ second) == pytest.approx(1.0, abs=1e-5)


def test_when_a_copy_is_only_brighter_then_it_scores_higher_than_an_unrelated_image(encoder):
    original = circle_on_white()
    brighter = ImageEnhance.Brightness(original).enhance(1.15)
    assert np.asarray(brighter).tobytes() != np.asarray(original).tobytes()

    original_v, brighter_v, unrelated_v = encoder.encode([original, brighter, bars_on_dark()])

    assert float(original_v @ brighter_v) > float(original_v @ unrelated_v)


def test_when_images_are_encoded_in_batches_then_the_vectors_equal_one_by_one_encoding(model_path):
    images = [scene(seed) for seed in range(7)]
    batched = load_encoder(EncoderConfig(model_path, batch_size=3)).encode(images)

    single = load_encoder(EncoderConfig(model_path, batch_size=1))
    one_by_one = np.vstack([single.encode([image]) for image in images])

    np.testing.assert_allclose(batched, one_by_one, atol=1e-6)


@pytest.mark.parametrize("static_batch", [1, 4])
def test_when_the_model_has_a_fixed_batch_then_any_number_of_images_still_encodes(
    tmp_path, encoder, static_batch
):
    fixed = load_encoder(build_model(tmp_path / f"fixed{static_batch}.onnx", batch=static_batch))
    images = [scene(seed) for seed in range(10, 15)]  # 5 images: not a multiple of 4, so padding is exercised

    np.testing.assert_allclose(fixed.encode(images), encoder.encode(images), atol=1e-6)


def test_when_a_dynamic_batch_model_only_takes_one_image_then_images_are_fed_one_at_a_time(tmp_path, encoder):
    careless = load_encoder(build_model(tmp_path / "careless.onnx", reshape_to_one=True))
    images = [scene(seed) for seed in range(40, 43)]

    np.testing.assert_allclose(careless.encode(images), encoder.encode(images), atol=1e-6)


def test_when_the_model_gives_a_zero_vector_then_the_row_is_zero_and_matches_nothing(tmp_path):
    dead = load_encoder(build_model(tmp_path / "dead.onnx", weights=np.zeros((FEATURES, DIM), np.float32)))

    vectors = dead.encode([circle_on_white(), bars_on_dark()])

    assert np.isfinite(vectors).all() and not vectors.any()
    assert EmbeddingIndex.build(vectors).search(vectors[0], min_similarity=0.01) == []


def test_when_the_output_has_more_than_two_dimensions_then_it_is_flattened(tmp_path):
    pooled_only = load_encoder(build_model(tmp_path / "pooled.onnx", project=False))

    vectors = pooled_only.encode([circle_on_white(), bars_on_dark()])

    assert pooled_only.dim == FEATURES and vectors.shape == (2, FEATURES)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_when_the_input_size_is_dynamic_then_the_configured_size_is_used(tmp_path):
    path = build_model(tmp_path / "dynamic.onnx", side="S", project=False)  # dim = 3 x (size / 8)^2

    default = load_encoder(path)
    configured = load_encoder(EncoderConfig(path, input_size=64))

    assert default.input_size == (224, 224) and default.dim == 3 * (224 // POOL) ** 2
    assert configured.input_size == (64, 64) and configured.dim == 3 * (64 // POOL) ** 2
    assert configured.encode([scene(4)]).shape == (1, configured.dim)


def test_when_an_image_has_transparency_then_it_is_seen_over_white(encoder):
    base = circle_on_white()
    transparent = base.convert("RGBA")
    transparent.putalpha(Image.new("L", base.size, 0))  # fully transparent: whatever the colours were
    white = Image.new("RGB", base.size, (255, 255, 255))

    seen, expected, original = encoder.encode([transparent, white, base])

    np.testing.assert_allclose(seen, expected, atol=1e-6)
    assert not np.allclose(seen, original, atol=1e-3)


def test_when_the_input_is_not_an_image_then_invalid_input(encoder):
    with pytest.raises(InvalidInput, match="image 1"):
        encoder.encode([circle_on_white(), np.zeros((SIDE, SIDE, 3))])  # type: ignore[list-item]


# -- refusing bad models -------------------------------------------------------------------------------


def test_when_the_model_file_is_missing_then_configuration_error_names_it(tmp_path):
    missing = tmp_path / "nowhere" / "sscd.onnx"

    with pytest.raises(ConfigurationError, match="not found") as caught:
        load_encoder(missing)
    assert str(missing) in caught.value.message


def test_when_the_file_is_random_bytes_then_configuration_error_names_it(tmp_path):
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())

    with pytest.raises(ConfigurationError, match="not a usable ONNX model") as caught:
        load_encoder(garbage)
    assert str(garbage) in caught.value.message


def test_when_the_model_input_is_not_an_image_then_configuration_error_names_the_file_and_input(tmp_path):
    path = build_vector_model(tmp_path / "vectors.onnx")

    with pytest.raises(ConfigurationError) as caught:
        load_encoder(path)
    message = caught.value.message
    assert str(path) in message and "'features'" in message and f"[N, {FEATURES}]" in message


def test_when_input_size_contradicts_a_fixed_model_size_then_configuration_error(model_path):
    with pytest.raises(ConfigurationError, match="contradicts"):
        load_encoder(EncoderConfig(model_path, input_size=SIDE * 2))


def test_when_onnxruntime_is_missing_then_configuration_error_says_how_to_install(model_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` raise ImportError

    with pytest.raises(ConfigurationError, match=r"kyodaku\[encoders\]"):
        load_encoder(model_path)


@pytest.mark.parametrize(
    "bad",
    [{"threshold": 1.5}, {"std": (0.2, 0.0, 0.2)}, {"threads": 0}, {"batch_size": 0}, {"input_size": 0}],
)
def test_when_a_config_value_is_out_of_range_then_configuration_error(model_path, bad):
    with pytest.raises(ConfigurationError, match=next(iter(bad))):
        EncoderConfig(model_path, **bad)


def test_when_the_model_file_changes_then_the_fingerprint_changes(tmp_path):
    one = load_encoder(build_model(tmp_path / "a.onnx", seed=1))
    same = load_encoder(build_model(tmp_path / "b.onnx", seed=1))
    other = load_encoder(build_model(tmp_path / "c.onnx", seed=2))

    assert one.fingerprint == same.fingerprint != other.fingerprint


# -- settings ------------------------------------------------------------------------------------------


def test_when_settings_name_no_encoder_then_there_is_none_and_pdq_works_alone(monkeypatch):
    monkeypatch.delenv("KYODAKU_IMAGE_ENCODER", raising=False)

    assert encoder_from_settings(Settings()) is None


def test_when_settings_name_an_encoder_then_it_is_loaded(model_path, monkeypatch):
    monkeypatch.setenv("KYODAKU_IMAGE_ENCODER", str(model_path))

    encoder = encoder_from_settings(Settings())

    assert encoder is not None and encoder.name == model_path.stem and encoder.dim == DIM


# -- exact search --------------------------------------------------------------------------------------


def _references(count: int = 200, seed: int = 11) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_when_a_planted_vector_is_searched_then_it_comes_first():
    references = _references()
    planted = 137
    query = references[planted] + 0.05 * np.random.default_rng(5).standard_normal(DIM).astype(np.float32)
    index = EmbeddingIndex.build(references)

    hits = index.search(query, min_similarity=0.0)

    assert len(index) == len(references) and hits[0].row == planted
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)


def test_when_a_minimum_similarity_is_given_then_only_references_at_or_above_it_are_returned():
    references = _references()
    query = _references(1, seed=99)[0]
    scores = references @ query
    threshold = float(np.median(scores))
    index = EmbeddingIndex.build(references)

    hits = index.search(query, min_similarity=threshold)

    assert {h.row for h in hits} == set(np.flatnonzero(scores >= threshold).tolist())
    assert all(h.similarity >= threshold for h in hits)
    assert index.search(query, min_similarity=threshold, limit=3) == hits[:3]


def test_when_many_queries_are_searched_then_each_answer_equals_its_single_search():
    references = _references()
    queries = references[[3, 50, 199]] + 0.1 * _references(3, seed=2)
    index = EmbeddingIndex.build(references)

    many = index.search_many(queries, min_similarity=0.3)

    singles = [index.search(q, min_similarity=0.3) for q in queries]
    assert [[h.row for h in answer] for answer in many] == [[h.row for h in answer] for answer in singles]
    for answer, single in zip(many, singles, strict=True):
        np.testing.assert_allclose([h.similarity for h in answer], [h.similarity for h in single], atol=1e-5)
    assert [answer[0].row for answer in many] == [3, 50, 199]


def test_when_reference_vectors_are_not_unit_length_then_the_index_scores_cosine():
    references = _references(20)
    scaled = references * np.arange(1, 21, dtype=np.float32)[:, None]

    hits = EmbeddingIndex.build(scaled).search(references[4] * 7.0, min_similarity=0.99)

    assert hits[0] == EmbeddingHit(row=4, similarity=pytest.approx(1.0, abs=1e-5))


def test_when_encoded_images_are_indexed_then_the_copy_finds_its_original(encoder):
    originals = [scene(seed) for seed in range(20, 30)]
    index = EmbeddingIndex.build(encoder.encode(originals))
    copy = ImageEnhance.Brightness(originals[6]).enhance(1.1).resize((80, 80))

    hits = index.search(encoder.encode([copy])[0], min_similarity=-1.0)

    assert hits[0].row == 6


def test_when_dimensions_do_not_match_then_invalid_input():
    index = EmbeddingIndex.build(_references())

    with pytest.raises(InvalidInput, match="dimension"):
        index.search(np.ones(DIM // 2, dtype=np.float32), min_similarity=0.5)
    with pytest.raises(InvalidInput, match="dimension"):
        index.search_many(np.ones((2, DIM + 1), dtype=np.float32), min_similarity=0.5)
    with pytest.raises(InvalidInput, match="2-D"):
        EmbeddingIndex.build(np.ones(DIM, dtype=np.float32))


def test_when_the_index_is_empty_then_searches_find_nothing():
    index = EmbeddingIndex.build(np.zeros((0, DIM), dtype=np.float32))

    assert len(index) == 0 and index.search(np.ones(DIM), min_similarity=-1.0) == []
