"""Ed25519 keys for signing scan manifests: create, load with clear errors, sign, verify.

Why Ed25519: deterministic signatures (no per-signature randomness to get wrong), small keys and
signatures (32 and 64 bytes), no parameters to choose, and every language's standard crypto
library verifies it, so an auditor does not need kyodaku to check a manifest
(`openssl pkeyutl -verify -rawin -pubin -inkey key.pub -in manifest.json -sigfile sig.bin`).

Why PEM files: PKCS#8 for the private key and SubjectPublicKeyInfo for the public key are what
OpenSSL, ssh-keygen's `-m PKCS8` and cloud KMS exports read and write. The private key is written
unencrypted with mode 0600: a scan runs unattended in a pipeline, where a passphrase would only
move into an environment variable; keep it in the pipeline's secret store instead.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dh, dsa, ec, ed448, ed25519, rsa, x448, x25519

from kyodaku.domain.errors import Conflict, IntegrityError, InvalidInput, NotFound

SIGNATURE_MISMATCH = "signature does not match: the manifest was changed or signed with another key"

PRIVATE_KEY_MODE = 0o600
PUBLIC_KEY_MODE = 0o644


@dataclass(frozen=True)
class GeneratedKeys:
    """What `generate_keypair` wrote: both paths and the new key's id (to print and to record)."""

    private_path: Path
    public_path: Path
    key_id: str


def key_id(public_key: ed25519.Ed25519PublicKey) -> str:
    """The key's id: hex SHA-256 of the raw 32-byte public key, all 64 hex characters.

    Full length on purpose: the id is written into the manifest and compared by machines, so a
    shortened id would only add the question of whether two keys collide. It is a label to pick
    the right key with, never a substitute for checking the signature. Hashing the *raw* key (not
    the PEM or DER) makes the id independent of how the key file is encoded.
    """
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def generate_keypair(private_path: str | Path, public_path: str | Path) -> GeneratedKeys:
    """Create a new Ed25519 key pair: the private key as unencrypted PKCS#8 PEM with mode 0600, the
    public key as SubjectPublicKeyInfo PEM.

    Never overwrites: an existing file at either path raises Conflict before anything is written
    (replacing a signing key silently would orphan every manifest it signed). The files are
    created with O_EXCL, so two concurrent runs cannot both win; if the public key cannot be
    written, the private key just created is removed again.
    """
    private_path, public_path = Path(private_path), Path(public_path)
    if private_path.resolve() == public_path.resolve():
        raise InvalidInput(f"the private and public key paths are the same file: {private_path}")
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise Conflict(f"{path} already exists; refusing to overwrite a key file", path=str(path))
    private_key = ed25519.Ed25519PrivateKey.generate()
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(private_path, private_pem, PRIVATE_KEY_MODE)
    try:
        _write_new(public_path, public_pem, PUBLIC_KEY_MODE)
    except BaseException:
        private_path.unlink(missing_ok=True)
        raise
    return GeneratedKeys(private_path, public_path, key_id(private_key.public_key()))


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` exclusively with `mode` (set explicitly: the umask may only have narrowed it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise Conflict(f"{path} already exists; refusing to overwrite a key file", path=str(path)) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        if fd != -1:
            os.close(fd)
        path.unlink(missing_ok=True)
        raise


def load_private_key(path: str | Path) -> ed25519.Ed25519PrivateKey:
    """Read an unencrypted PKCS#8 PEM Ed25519 private key (as `generate_keypair` writes it).

    NotFound when the file is missing; InvalidInput naming the file and what it holds instead when
    it is not such a key (a public key, an encrypted key, an RSA or EC key, not PEM at all).
    """
    path = Path(path)
    data = _read_key_file(path)
    label = _pem_label(data)
    if label is None:
        raise InvalidInput(f"{path} is not a PEM key file ({_describe_bytes(data)})", path=str(path))
    if label in ("PUBLIC KEY", "RSA PUBLIC KEY"):
        raise InvalidInput(f"{path} holds a public key; signing needs the private key file", path=str(path))
    if label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in data:
        raise InvalidInput(
            f"{path} holds a passphrase-encrypted private key; kyodaku reads unencrypted PKCS#8 keys "
            "(decrypt it with `openssl pkey -in KEY -out KEY.pem`)",
            path=str(path),
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InvalidInput(
            f"{path} is a PEM file ({label}) that does not hold a readable private key: {exc}", path=str(path)
        ) from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise InvalidInput(
            f"{path} holds {_describe_key(key)} private key, not an Ed25519 key", path=str(path)
        )
    return key


def load_public_key(path: str | Path) -> ed25519.Ed25519PublicKey:
    """Read a SubjectPublicKeyInfo PEM Ed25519 public key (as `generate_keypair` writes it).

    A private key file is refused rather than used: verifying needs only the public key, and
    accepting the private one would invite handing it to every auditor.
    """
    path = Path(path)
    data = _read_key_file(path)
    label = _pem_label(data)
    if label is None:
        raise InvalidInput(f"{path} is not a PEM key file ({_describe_bytes(data)})", path=str(path))
    if "PRIVATE KEY" in label:
        raise InvalidInput(
            f"{path} holds a private key; give the public key file instead (never share the private key)",
            path=str(path),
        )
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InvalidInput(
            f"{path} is a PEM file ({label}) that does not hold a readable public key: {exc}", path=str(path)
        ) from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise InvalidInput(
            f"{path} holds {_describe_key(key)} public key, not an Ed25519 key", path=str(path)
        )
    return key


def sign(private_key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `data` (deterministic: the same key and data, the same bytes)."""
    if not isinstance(private_key, ed25519.Ed25519PrivateKey):
        raise InvalidInput(f"signing needs an Ed25519 private key, got {type(private_key).__name__}")
    return private_key.sign(data)


def verify(public_key: ed25519.Ed25519PublicKey, data: bytes, signature: bytes) -> None:
    """Return quietly when `signature` is `public_key`'s signature of exactly `data`; otherwise raise
    IntegrityError. The two causes (changed data, another key) cannot be told apart by
    cryptography, so the message names both; the manifest's recorded key id helps decide."""
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise InvalidInput(f"verifying needs an Ed25519 public key, got {type(public_key).__name__}")
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise IntegrityError(SIGNATURE_MISMATCH, key_id=key_id(public_key)) from None


def _read_key_file(path: Path) -> bytes:
    if not path.exists():
        raise NotFound(f"key file {path} does not exist", path=str(path))
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file", path=str(path))
    if path.stat().st_size > 64 * 1024:
        raise InvalidInput(f"{path} is {path.stat().st_size} bytes, too large for a key file", path=str(path))
    return path.read_bytes()


def _pem_label(data: bytes) -> str | None:
    """The label of the first PEM block ("PRIVATE KEY", "PUBLIC KEY", ...), or None if there is none."""
    start = data.find(b"-----BEGIN ")
    if start < 0:
        return None
    end = data.find(b"-----", start + 11)
    if end < 0:
        return None
    return data[start + 11 : end].decode("ascii", "replace").strip()


def _describe_bytes(data: bytes) -> str:
    if not data:
        return "the file is empty"
    if data.startswith(b"ssh-") or data.startswith(b"-----BEGIN OPENSSH"):
        return "an OpenSSH key; convert it with `ssh-keygen -e -m PKCS8`"
    if data[:1] == b"\x30":
        return "binary, probably a DER key; convert it with `openssl pkey -inform DER`"
    return "no -----BEGIN ...----- block found"


def _describe_key(key: object) -> str:
    """'an RSA 2048-bit', 'an EC secp256r1', ... for the error message."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return f"an RSA {key.key_size}-bit"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return f"an EC {key.curve.name}"
    if isinstance(key, dsa.DSAPrivateKey | dsa.DSAPublicKey):
        return f"a DSA {key.key_size}-bit"
    if isinstance(key, ed448.Ed448PrivateKey | ed448.Ed448PublicKey):
        return "an Ed448"
    if isinstance(key, x25519.X25519PrivateKey | x25519.X25519PublicKey):
        return "an X25519 (key agreement, not signing)"
    if isinstance(key, x448.X448PrivateKey | x448.X448PublicKey):
        return "an X448 (key agreement, not signing)"
    if isinstance(key, dh.DHPrivateKey | dh.DHPublicKey):
        return "a Diffie-Hellman"
    return f"a {type(key).__name__}"
