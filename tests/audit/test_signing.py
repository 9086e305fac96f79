"""Ed25519 key files, signing and verification: refusals and errors name the file and the cause."""

from __future__ import annotations

import hashlib
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from kyodaku.audit.signing import (
    generate_keypair,
    key_id,
    load_private_key,
    load_public_key,
    sign,
    verify,
)
from kyodaku.domain.errors import Conflict, IntegrityError, InvalidInput, NotFound


@pytest.fixture
def keys(tmp_path):
    return generate_keypair(tmp_path / "keys" / "scan.key", tmp_path / "keys" / "scan.pub")


def test_when_a_keypair_is_generated_then_the_private_key_is_0600_pkcs8_and_the_public_key_spki(keys):
    assert stat.S_IMODE(keys.private_path.stat().st_mode) == 0o600
    assert keys.private_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert keys.public_path.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----\n")
    private = load_private_key(keys.private_path)
    public = load_public_key(keys.public_path)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert (
        private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw
    )
    assert keys.key_id == hashlib.sha256(raw).hexdigest() == key_id(public)
    assert len(keys.key_id) == 64


def test_when_the_private_key_file_exists_then_generation_refuses_and_writes_nothing(tmp_path):
    private, public = tmp_path / "scan.key", tmp_path / "scan.pub"
    private.write_bytes(b"precious")
    with pytest.raises(Conflict, match=r"scan\.key already exists"):
        generate_keypair(private, public)
    assert private.read_bytes() == b"precious"
    assert not public.exists()


def test_when_the_public_key_file_exists_then_generation_refuses_and_keeps_both(tmp_path):
    private, public = tmp_path / "scan.key", tmp_path / "scan.pub"
    public.write_bytes(b"old public")
    with pytest.raises(Conflict, match=r"scan\.pub already exists"):
        generate_keypair(private, public)
    assert not private.exists()
    assert public.read_bytes() == b"old public"


def test_when_both_paths_are_one_file_then_generation_refuses(tmp_path):
    with pytest.raises(InvalidInput, match="the same file"):
        generate_keypair(tmp_path / "k", tmp_path / "k")


def test_when_data_is_signed_then_it_verifies_and_the_signature_is_deterministic(keys):
    private, public = load_private_key(keys.private_path), load_public_key(keys.public_path)
    signature = sign(private, b"manifest bytes\n")
    assert len(signature) == 64
    assert sign(private, b"manifest bytes\n") == signature
    assert verify(public, b"manifest bytes\n", signature) is None


def test_when_the_data_or_the_key_differs_then_verification_raises_integrity_error(keys):
    private = load_private_key(keys.private_path)
    signature = sign(private, b"manifest bytes\n")
    with pytest.raises(IntegrityError) as changed:
        verify(load_public_key(keys.public_path), b"manifest bytes!\n", signature)
    assert changed.value.message == (
        "signature does not match: the manifest was changed or signed with another key"
    )
    assert changed.value.exit_code == 9
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    with pytest.raises(IntegrityError, match="signature does not match"):
        verify(other, b"manifest bytes\n", signature)
    with pytest.raises(IntegrityError, match="signature does not match"):
        verify(other, b"manifest bytes\n", signature[:10])


def test_when_a_key_file_is_missing_then_not_found_names_it(tmp_path):
    with pytest.raises(NotFound, match=r"nope\.key does not exist"):
        load_private_key(tmp_path / "nope.key")
    with pytest.raises(NotFound, match=r"nope\.pub does not exist"):
        load_public_key(tmp_path / "nope.pub")


def test_when_an_ec_p256_key_is_loaded_then_invalid_input_says_it_is_not_ed25519(tmp_path):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    private = tmp_path / "ec.key"
    private.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public = tmp_path / "ec.pub"
    public.write_bytes(
        ec_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(InvalidInput) as err:
        load_private_key(private)
    assert err.value.message == f"{private} holds an EC secp256r1 private key, not an Ed25519 key"
    with pytest.raises(InvalidInput) as err:
        load_public_key(public)
    assert err.value.message == f"{public} holds an EC secp256r1 public key, not an Ed25519 key"


def test_when_a_file_is_not_pem_then_invalid_input_says_what_it_is(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    empty = tmp_path / "empty.key"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match=r"notes.txt is not a PEM key file \(no -----BEGIN"):
        load_private_key(text)
    with pytest.raises(InvalidInput, match=r"empty.key is not a PEM key file \(the file is empty\)"):
        load_public_key(empty)


def test_when_the_public_and_private_files_are_swapped_then_each_load_says_so(keys):
    with pytest.raises(InvalidInput, match=r"scan\.pub holds a public key; signing needs the private key"):
        load_private_key(keys.public_path)
    with pytest.raises(InvalidInput, match=r"scan\.key holds a private key; give the public key file"):
        load_public_key(keys.private_path)


def test_when_the_private_key_is_encrypted_then_invalid_input_says_to_decrypt_it(tmp_path):
    path = tmp_path / "enc.key"
    path.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(InvalidInput, match=r"enc\.key holds a passphrase-encrypted private key"):
        load_private_key(path)


def test_when_a_pem_block_is_garbage_then_invalid_input_names_the_label(tmp_path):
    path = tmp_path / "bad.key"
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InvalidInput, match=r"bad.key is a PEM file \(PRIVATE KEY\) that does not hold"):
        load_private_key(path)
