"""Content credentials on allowed outputs: stamped with c2pa-python by a test CA's leaf, read back.

The main signer is the samples' throwaway CA (ES256, emailProtection leaf); `_make_ca` makes other
CAs (a stranger's root, RSA and Ed25519 leaves, and certificates C2PA refuses) the same way.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from kyodaku.domain.errors import ConfigurationError, InvalidInput, UnsupportedMedia
from kyodaku.provenance.credentials import (
    LEDGER_LABEL,
    TRAINED_ALGORITHMIC_MEDIA,
    CredentialSigner,
    kyodaku_version,
    read_credentials,
    stamp,
)
from kyodaku_samples.optout import image_with_xmp, sign_image, tamper, throwaway_ca

PEM = serialization.Encoding.PEM


@dataclass(frozen=True)
class Creds:
    root_pem: bytes
    chain_pem: bytes  # leaf, then root
    key_pem: bytes
    leaf_pem: bytes


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, cn)]
    )


def _make_ca(
    leaf_key: object | None = None,
    *,
    eku: bool = True,
    self_signed: bool = False,
    days: int = 30,
    root_cn: str = "stranger root",
    leaf_cn: str = "stranger signer",
) -> Creds:
    """A root and a leaf (issued by it, or self-signed), shaped as C2PA requires unless told not to."""
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name(root_cn))
        .issuer_name(_name(root_cn))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = leaf_key or ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(leaf_cn))
        .issuer_name(_name(leaf_cn) if self_signed else root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not self_signed:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
    if eku:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    signing_key = key if self_signed else root_key
    digest = None if isinstance(signing_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    leaf = builder.sign(signing_key, digest)
    key_pem = key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    root_pem = root.public_bytes(PEM)
    leaf_pem = leaf.public_bytes(PEM)
    return Creds(root_pem, leaf_pem + (b"" if self_signed else root_pem), key_pem, leaf_pem)


def _write(folder: Path, creds: Creds, stem: str = "op") -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    chain, key, root = folder / f"{stem}-chain.pem", folder / f"{stem}-key.pem", folder / f"{stem}-root.pem"
    chain.write_bytes(creds.chain_pem)
    key.write_bytes(creds.key_pem)
    root.write_bytes(creds.root_pem)
    return chain, key, root


@pytest.fixture(scope="module")
def operator(tmp_path_factory: pytest.TempPathFactory) -> tuple[CredentialSigner, Path, Path, Path]:
    """The operator's signer (the samples' throwaway CA), with its chain, key and root files."""
    ca = throwaway_ca()
    creds = Creds(ca.root_pem.encode(), ca.chain_pem.encode(), ca.key_pem.encode(), b"")
    chain, key, root = _write(tmp_path_factory.mktemp("operator"), creds)
    return CredentialSigner.from_files(chain, key), chain, key, root


@pytest.fixture(scope="module")
def stranger_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trust anchor of a CA that did not issue the operator's certificate."""
    return _write(tmp_path_factory.mktemp("stranger"), _make_ca())[2]


@pytest.fixture(scope="module")
def stamped_png(operator) -> bytes:
    return stamp(image_with_xmp("png", None), None, "entry-0042", operator[0], generator="acme-diffusion")


def _video(container: str) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream("libx264", rate=4)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(4):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 50, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def _media(fmt: str) -> bytes:
    return _video(fmt) if fmt in ("mp4", "mov") else image_with_xmp(fmt, None)


def _decodes(fmt: str, data: bytes) -> bool:
    if fmt in ("mp4", "mov"):
        with av.open(io.BytesIO(data)) as container:
            return sum(1 for _ in container.decode(video=0)) == 4
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.size == (24, 16)


def _flip_in_mdat(data: bytes) -> bytes:
    out = bytearray(data)
    out[data.index(b"mdat") + 12] ^= 0x01
    return bytes(out)


# --- stamp, then read -------------------------------------------------------------------------------


def test_when_a_stamped_png_is_read_under_the_operator_root_then_trusted_with_entry_and_generator(
    operator, stamped_png
) -> None:
    reading = read_credentials(stamped_png, trust_anchors=operator[3])
    assert reading.present and reading.validation == "trusted" and reading.trusted
    assert reading.entry_id == "entry-0042"
    assert reading.generator == "acme-diffusion"
    assert reading.claim_generator == f"kyodaku {kyodaku_version()}"
    assert reading.digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert reading.signer == "kyodaku test signer" and reading.signer_org == "kyodaku tests"
    assert reading.problems == []
    assert "entry-0042" in reading.why


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "gif", "tiff", "mp4", "mov"])
def test_when_each_supported_format_is_stamped_then_it_still_decodes_and_reads_trusted(operator, fmt) -> None:
    signer, _, _, root = operator
    out = stamp(_media(fmt), None, f"entry-{fmt}", signer, generator="gen")
    assert _decodes(fmt, out)
    reading = read_credentials(out, trust_anchors=root)
    assert (reading.validation, reading.entry_id, reading.generator) == ("trusted", f"entry-{fmt}", "gen")


def test_when_the_stamped_file_is_read_against_another_ca_then_untrusted_and_not_relied_on(
    stamped_png, stranger_root
) -> None:
    reading = read_credentials(stamped_png, "image/png", trust_anchors=stranger_root)
    assert reading.validation == "untrusted" and reading.trusted is False
    assert reading.entry_id == "entry-0042"  # reported as claimed ...
    assert "NOT to be relied on" in reading.why  # ... and flagged
    assert any(p.startswith("signingCredential.untrusted") for p in reading.problems)


def test_when_no_trust_anchors_are_given_then_valid_but_not_trusted(stamped_png) -> None:
    reading = read_credentials(stamped_png)
    assert reading.validation == "valid" and not reading.trusted
    assert reading.problems == []
    assert "no trust anchors" in reading.why


@pytest.mark.parametrize("fmt", ["jpeg", "png"])
def test_when_stamped_pixels_are_changed_then_invalid(operator, fmt) -> None:
    signer, _, _, root = operator
    out = stamp(image_with_xmp(fmt, None), None, "entry-7", signer)
    reading = read_credentials(tamper(out), trust_anchors=root)
    assert reading.present and reading.validation == "invalid" and not reading.trusted
    assert any("dataHash.mismatch" in p for p in reading.problems)
    assert "not evidence" in reading.why


def test_when_a_stamped_video_is_changed_then_invalid(operator) -> None:
    signer, _, _, root = operator
    out = stamp(_video("mp4"), "video/mp4", "entry-v", signer)
    reading = read_credentials(_flip_in_mdat(out), trust_anchors=root)
    assert reading.validation == "invalid"
    assert any("mismatch" in p for p in reading.problems)


def test_when_ledger_and_extra_fields_are_given_then_they_are_read_back(operator) -> None:
    signer, _, _, root = operator
    # numeric arrays: c2pa-rs would read them back as byte strings if stored as plain fields
    extra = {
        "decision": "allow",
        "registry_version": 12,
        "scores": [0.1, 0.2],
        "ids": [3, 4],
        "n": {"x": [1]},
    }
    out = stamp(image_with_xmp("webp", None), "image/webp", "e-1", signer, "g", extra, ledger="tree-head-9")
    reading = read_credentials(out, trust_anchors=root)
    assert (reading.entry_id, reading.ledger, reading.extra) == ("e-1", "tree-head-9", extra)


def test_when_an_image_has_no_manifest_then_not_present(operator) -> None:
    reading = read_credentials(image_with_xmp("jpeg", None), trust_anchors=operator[3])
    assert reading.present is False and reading.validation is None and reading.entry_id is None
    assert not reading.trusted


def test_when_a_manifest_was_not_made_by_kyodaku_then_present_without_entry_id(operator) -> None:
    other = sign_image("png", {"c2pa.ai_training": {"use": "notAllowed"}})
    reading = read_credentials(other, trust_anchors=operator[3])
    assert reading.present and reading.validation == "trusted"
    assert reading.entry_id is None and "not stamped by kyodaku" in reading.why


# --- what stamp refuses -----------------------------------------------------------------------------


def test_when_stamping_text_then_unsupported_media(operator) -> None:
    with pytest.raises(UnsupportedMedia, match="not an image or video"):
        stamp(b"a poem about a cat, not a picture", None, "entry-1", operator[0])


def test_when_stamping_a_heif_image_then_kyodaku_says_it_does_not_stamp_heif(operator) -> None:
    heif = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(UnsupportedMedia, match="HEIF/AVIF"):
        stamp(heif, None, "entry-1", operator[0])


def test_when_c2pa_cannot_parse_a_broken_jpeg_then_unsupported_media_quoting_it(operator) -> None:
    broken = image_with_xmp("jpeg", None)[:40]
    with pytest.raises(UnsupportedMedia, match="c2pa could not embed content credentials in this JPEG"):
        stamp(broken, None, "entry-1", operator[0])


def test_when_the_declared_type_contradicts_the_bytes_then_invalid_input(operator) -> None:
    with pytest.raises(InvalidInput, match=r"declared PNG .* but the bytes are JPEG"):
        stamp(image_with_xmp("jpeg", None), "image/png", "entry-1", operator[0])


def test_when_a_declared_type_is_not_stampable_then_unsupported_media(operator) -> None:
    with pytest.raises(UnsupportedMedia, match="application/pdf"):
        stamp(b"%PDF-1.7\n", "application/pdf", "entry-1", operator[0])


@pytest.mark.parametrize("entry_id", ["", "   ", "a\nb", "x" * 300])
def test_when_the_entry_id_is_empty_or_not_printable_then_invalid_input(operator, entry_id) -> None:
    with pytest.raises(InvalidInput, match="entry_id"):
        stamp(image_with_xmp("png", None), None, entry_id, operator[0])


@pytest.mark.parametrize("extra", [{"when": float("nan")}, {"at": datetime.datetime.now()}, {"k": {1: "v"}}])
def test_when_extra_is_not_json_then_invalid_input(operator, extra) -> None:
    with pytest.raises(InvalidInput, match="extra"):
        stamp(image_with_xmp("png", None), None, "entry-1", operator[0], extra=extra)


# --- loading the operator's credentials -------------------------------------------------------------


def test_when_the_key_does_not_match_the_certificate_then_the_error_names_both_files(tmp_path) -> None:
    mine, theirs = _make_ca(), _make_ca()
    chain, _, _ = _write(tmp_path, mine, "mine")
    _, key, _ = _write(tmp_path, theirs, "theirs")
    with pytest.raises(ConfigurationError, match="does not match") as caught:
        CredentialSigner.from_files(chain, key)
    assert str(chain) in caught.value.message and str(key) in caught.value.message


def test_when_the_leaf_is_not_first_in_the_chain_then_the_error_says_to_put_it_first(tmp_path) -> None:
    creds = _make_ca()
    chain, key, _ = _write(tmp_path, creds)
    chain.write_bytes(creds.root_pem + creds.leaf_pem)
    with pytest.raises(
        ConfigurationError, match=r"certificate #2 .* put the signing \(leaf\) certificate first"
    ):
        CredentialSigner.from_files(chain, key)


def test_when_the_certificate_file_is_missing_then_configuration_error(tmp_path) -> None:
    _, key, _ = _write(tmp_path, _make_ca())
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(ConfigurationError, match=re.escape(f"{missing} does not exist")):
        CredentialSigner.from_files(missing, key)


def test_when_the_files_are_not_pem_then_configuration_error_says_which(tmp_path) -> None:
    chain, key, _ = _write(tmp_path, _make_ca())
    der = x509.load_pem_x509_certificate(chain.read_bytes()).public_bytes(serialization.Encoding.DER)
    bad = tmp_path / "cert.der"
    bad.write_bytes(der)
    with pytest.raises(ConfigurationError, match=r"cert\.der is not a PEM certificate chain"):
        CredentialSigner.from_files(bad, key)
    with pytest.raises(ConfigurationError, match=r"cert\.der is not a PEM private key"):
        CredentialSigner.from_files(chain, bad)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"self_signed": True}, "self-signed"),
        ({"eku": False}, "extended key usage"),
        ({"days": -1}, "expired"),
    ],
)
def test_when_c2pa_would_refuse_the_certificate_then_the_error_says_why(tmp_path, shape, message) -> None:
    chain, key, _ = _write(tmp_path, _make_ca(**shape))
    with pytest.raises(ConfigurationError, match=message):
        CredentialSigner.from_files(chain, key)


def test_when_the_algorithm_does_not_fit_the_key_then_configuration_error(tmp_path) -> None:
    chain, key, _ = _write(tmp_path, _make_ca())
    with pytest.raises(
        ConfigurationError, match=r"ps256 signs with an RSA key, but .* holds an EC secp256r1 key"
    ):
        CredentialSigner.from_files(chain, key, alg="ps256")
    with pytest.raises(ConfigurationError, match="unknown signing algorithm"):
        CredentialSigner.from_files(chain, key, alg="hs256")


@pytest.mark.parametrize(
    ("make_key", "alg"),
    [
        (lambda: rsa.generate_private_key(65537, 2048), "Ps256"),
        (ed25519.Ed25519PrivateKey.generate, "Ed25519"),
    ],
    ids=["rsa-ps256", "ed25519"],
)
def test_when_the_operator_uses_rsa_or_ed25519_then_stamps_read_trusted(tmp_path, make_key, alg) -> None:
    chain, key, root = _write(tmp_path, _make_ca(make_key()))
    signer = CredentialSigner.from_files(chain, key)
    assert signer.alg == alg.lower()
    reading = read_credentials(stamp(image_with_xmp("png", None), None, "e-9", signer), trust_anchors=root)
    assert (reading.validation, reading.entry_id, reading.alg) == ("trusted", "e-9", alg)


def test_when_the_key_is_encrypted_then_its_password_is_needed(tmp_path) -> None:
    creds = _make_ca()
    chain, key, root = _write(tmp_path, creds)
    private = serialization.load_pem_private_key(creds.key_pem, None)
    key.write_bytes(
        private.private_bytes(
            PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"s3cret")
        )
    )
    with pytest.raises(ConfigurationError, match="encrypted: give its password"):
        CredentialSigner.from_files(chain, key)
    signer = CredentialSigner.from_files(chain, key, password=b"s3cret")
    assert read_credentials(stamp(image_with_xmp("png", None), None, "e", signer), trust_anchors=root).trusted


def test_when_the_timestamp_authority_is_unreachable_then_stamping_names_it(tmp_path) -> None:
    chain, key, _ = _write(tmp_path, _make_ca())
    signer = CredentialSigner.from_files(chain, key, tsa_url="http://127.0.0.1:9/tsa")  # the check skips TSA
    with pytest.raises(ConfigurationError, match=re.escape("timestamp authority http://127.0.0.1:9/tsa")):
        stamp(image_with_xmp("png", None), None, "e", signer)


def test_when_the_signer_is_printed_then_the_key_is_not(operator) -> None:
    signer = operator[0]
    assert "PRIVATE" not in repr(signer) and "kyodaku test signer" in repr(signer)


# --- what reading refuses ---------------------------------------------------------------------------


def test_when_reading_text_then_unsupported_media(operator) -> None:
    with pytest.raises(UnsupportedMedia):
        read_credentials(b"just some words", trust_anchors=operator[3])


def test_when_the_trust_anchor_file_is_missing_then_configuration_error(stamped_png, tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="trust anchors file"):
        read_credentials(stamped_png, trust_anchors=tmp_path / "roots.pem")


def test_when_the_manifest_is_read_then_its_ledger_assertion_carries_the_label(stamped_png) -> None:
    import json

    import c2pa

    with c2pa.Reader("image/png", io.BytesIO(stamped_png)) as reader:
        store = json.loads(reader.json())
    labels = [a["label"] for a in store["manifests"][store["active_manifest"]]["assertions"]]
    assert LEDGER_LABEL in labels and any(label.startswith("c2pa.actions") for label in labels)
