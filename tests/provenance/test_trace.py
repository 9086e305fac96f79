"""Lookup by content: an output found later (re-encoded, resized, mirrored) leads back to its entry."""

from __future__ import annotations

import pytest
from PIL import Image, ImageOps

from helpers.pictures import jpeg, png
from kyodaku.domain.errors import InvalidInput
from kyodaku.provenance.entry import Record
from kyodaku.provenance.ledger import Ledger
from kyodaku.provenance.trace import LedgerIndex, trace
from kyodaku_samples.synthetic import draw_image


@pytest.fixture
def ledger(tmp_path):
    book = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield book
    book.close()


def _generated(seed: int) -> Image.Image:
    return draw_image("scene", seed, (384, 384)).convert("RGB")


def _record_outputs(ledger, guard, seeds) -> dict[int, object]:
    return {
        seed: ledger.append(guard.screen_image(png(_generated(seed))), Record(source="python"))
        for seed in seeds
    }


def test_when_the_exact_output_is_traced_then_its_entry_is_found_by_sha256_and_pdq(ledger, guard):
    entries = _record_outputs(ledger, guard, [1, 2, 3])
    result = trace(ledger, png(_generated(2)))
    assert [m.entry.entry_id for m in result.matches] == [entries[2].entry_id]
    assert result.matches[0].how == ["sha256", "pdq"] and result.matches[0].distance == 0


def test_when_a_resized_reencoded_mirrored_copy_is_traced_then_pdq_finds_its_entry(ledger, guard):
    entries = _record_outputs(ledger, guard, [4, 5, 6])
    copy = ImageOps.mirror(_generated(5).resize((200, 200)))
    result = trace(ledger, jpeg(copy, quality=60))
    assert [m.entry.entry_id for m in result.matches] == [entries[5].entry_id]
    assert result.matches[0].how == ["pdq"] and 0 < result.matches[0].distance <= 31


def test_when_an_unrelated_picture_is_traced_then_no_entry_is_found(ledger, guard):
    _record_outputs(ledger, guard, [7, 8])
    assert trace(ledger, jpeg(draw_image("scene", 99, (384, 384)))).matches == []


def test_when_the_index_merges_its_tail_then_earlier_and_later_entries_are_both_found(ledger, guard):
    index = LedgerIndex(tail_limit=1)
    first = _record_outputs(ledger, guard, [10, 11])
    assert trace(ledger, png(_generated(10)), index).matches[0].entry.entry_id == first[10].entry_id
    later = _record_outputs(ledger, guard, [12])
    found = trace(ledger, jpeg(_generated(12).resize((300, 300))), index)
    assert [m.entry.entry_id for m in found.matches] == [later[12].entry_id]
    assert len(index) == 3


def test_when_a_flat_picture_is_traced_then_the_note_says_it_cannot_be(ledger, guard):
    _record_outputs(ledger, guard, [13])
    result = trace(ledger, png(Image.new("RGB", (256, 256), (40, 40, 40))))
    assert result.matches == [] and any("quality floor" in n for n in result.notes)


@pytest.mark.parametrize("data", [b"not media at all", b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 20])
def test_when_the_upload_is_not_media_then_trace_refuses_it(ledger, data):
    with pytest.raises(InvalidInput):
        trace(ledger, data)


def test_when_a_screened_video_is_reencoded_then_trace_finds_its_entry_by_its_frames(ledger, guard, tmp_path):
    from kyodaku_samples.synthetic import draw_frames, encode_video

    frames = list(draw_frames(61, seconds=3, fps=12))
    original = encode_video(tmp_path / "out.mp4", frames, fps=12, crf=20)
    entry = ledger.append(guard.screen_video(str(original)), Record())
    other = encode_video(tmp_path / "other.mp4", draw_frames(62, seconds=3, fps=12), fps=12)
    ledger.append(guard.screen_video(str(other)), Record())
    copy = encode_video(tmp_path / "copy.mp4", (f.resize((240, 180)) for f in frames), fps=12, crf=38)
    result = trace(ledger, copy.read_bytes())
    assert result.media_type == "video"
    assert [m.entry.entry_id for m in result.matches] == [entry.entry_id]
    assert result.matches[0].how[0] == "pdq" and result.matches[0].frames >= 2


def _other_root(path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "somebody else's root")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_when_credentials_name_an_entry_then_only_a_trusted_signer_is_relied_on(ledger, guard, tmp_path):
    from kyodaku.provenance.credentials import CredentialSigner, stamp
    from kyodaku.provenance.trace import TraceOptions
    from kyodaku_samples.optout import throwaway_ca

    ca = throwaway_ca()
    (tmp_path / "chain.pem").write_text(ca.chain_pem, "utf-8")
    (tmp_path / "key.pem").write_text(ca.key_pem, "utf-8")
    (tmp_path / "root.pem").write_text(ca.root_pem, "utf-8")
    output = png(_generated(71))
    entry = ledger.append(guard.screen_image(output), Record())
    signed = stamp(
        output,
        None,
        entry.entry_id,
        CredentialSigner.from_files(tmp_path / "chain.pem", tmp_path / "key.pem"),
    )
    trusted = trace(
        ledger, signed, options=TraceOptions(trust_anchors=tmp_path / "root.pem", watermark=False)
    )
    assert [m.entry.entry_id for m in trusted.matches] == [entry.entry_id]
    assert "credentials" in trusted.matches[0].how
    other = trace(
        ledger, signed, options=TraceOptions(trust_anchors=_other_root(tmp_path / "o.pem"), watermark=False)
    )
    assert "credentials" not in other.matches[0].how
    assert any("not relied on" in note for note in other.notes)
