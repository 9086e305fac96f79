"""The optional learned tier wired into screening: a tiny ONNX encoder the test builds itself,
reference embeddings computed from the reference store and cached in the registry, and findings
that name the encoder, its fingerprint, the similarity and the threshold."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import ImageEnhance

from kyodaku.domain.access import LOCAL_ADMIN
from kyodaku.domain.errors import ConfigurationError
from kyodaku.domain.findings import Verdict
from kyodaku.media.learned import descriptor_kind
from kyodaku.media.refstore import ReferenceStore
from kyodaku.refs.ingest import ingest_files
from kyodaku.registry.catalog import load_catalog
from kyodaku.registry.store import RegistryStore
from kyodaku.screening import Guard, GuardOptions
from kyodaku_samples.synthetic import draw_image
from test_media_encoders import build_model

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture()
def setup(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.db'}")
    store.migrate()
    store.import_catalog(load_catalog(MINI), actor="t")
    refs = tmp_path / "refs"
    refs.mkdir()
    draw_image("character", 5).save(refs / "pika.png")
    refstore = ReferenceStore(tmp_path / "store")
    report = ingest_files(store, refstore, LOCAL_ADMIN, [("pikachu", refs / "pika.png")])
    assert not report.failed
    model = build_model(tmp_path / "tiny.onnx")
    options = GuardOptions(
        semantic=False,
        local_features=False,
        pdq_threshold=0,  # PDQ only for identical hashes: what remains is the encoder's work
        image_encoder=str(model),
        reference_store=str(refstore.root),
    )
    return store, options


def test_when_an_encoder_is_configured_then_a_heavily_edited_copy_is_found_by_it(setup):
    store, options = setup
    guard = Guard.from_store(store, options)
    edited = ImageEnhance.Brightness(draw_image("character", 5)).enhance(1.3)
    decision = guard.screen_image(_png(edited))
    encoder_findings = [f for f in decision.findings if f.matcher == "encoder"]
    assert decision.verdict is Verdict.BLOCK and encoder_findings
    media = encoder_findings[0].evidence.media
    assert media["similarity"] >= media["threshold"]
    assert media["encoder_fingerprint"] == guard.encoder.fingerprint
    assert media["reference"]["filename"] == "pika.png"


def test_when_the_guard_is_built_then_reference_embeddings_are_cached_in_the_registry(setup):
    store, options = setup
    guard = Guard.from_store(store, options)
    sha = store.list_references("pikachu")[0].sha256
    cached = store.get_descriptors(descriptor_kind(guard.encoder), [sha])
    assert len(cached[sha]) == 4 * guard.encoder.dim


def test_when_no_encoder_is_configured_then_the_edited_copy_needs_another_tier(setup):
    store, options = setup
    guard = Guard.from_store(store, replace(options, image_encoder=None))
    edited = ImageEnhance.Brightness(draw_image("character", 5)).enhance(1.3)
    assert not [f for f in guard.screen_image(_png(edited)).findings if f.matcher == "encoder"]


def test_when_the_configured_model_file_is_missing_then_start_up_fails_naming_it(setup, tmp_path):
    store, options = setup
    with pytest.raises(ConfigurationError, match=r"nowhere\.onnx"):
        Guard.from_store(store, replace(options, image_encoder=str(tmp_path / "nowhere.onnx")))


@pytest.mark.parametrize("insets", [True, False])
def test_when_an_encoder_embeds_an_output_then_its_picture_stays_only_for_the_inset_look(setup, insets):
    from kyodaku.matching.prepare import prepare_media

    store, options = setup
    options = replace(options, local_features=True, local_insets=insets)
    guard = Guard.from_store(store, options)
    [prepared] = prepare_media([_png(draw_image("character", 9))], guard.snapshot, options)

    assert prepared.hashes.embedding is not None
    assert (prepared.hashes.picture is not None) == insets
