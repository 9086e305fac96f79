"""Content Credentials (C2PA) on outputs the guard allowed, signed offline with the operator's certificate.

A generation platform that asked kyodaku's guard about an output and got ALLOW can stamp that output
before it leaves: `stamp()` embeds a C2PA manifest, signed with the operator's certificate chain and
private key (`CredentialSigner.from_files`), that says

* `c2pa.actions`: `c2pa.created`, with `digitalSourceType` trainedAlgorithmicMedia (the output is
  AI-generated) and the generator (the model or platform) as `softwareAgent`;
* the claim generator: kyodaku and its version;
* `org.kyodaku.ledger`: `{"entry_id": <the ledger entry that let it out>, "ledger": <ledger or tree
  head id, or null>, "generator": ..., "extra": <the caller's extra fields as JSON text, if any>}`.

Anyone can later read it back (`read_credentials`) and learn who signed it and which ledger record
let it out, and whether to believe that: the claim is only as good as the signature and the signer.

* `trusted`: the signature and the file's hash check out AND the signing certificate chains to the
  trust anchors the reader passed (the operator's published root): the entry id can be relied on.
* `valid`: intact, but no trust anchors were given, so the signer is not verified.
* `untrusted`: intact, but the certificate does not chain to the given anchors: anyone can make a
  certificate and write any entry id; it is reported, never relied on.
* `invalid`: the file changed after signing (a data hash mismatch), or the signature or manifest is
  broken. Stricter than the scanner's C2PA opt-out reading (`scan/signals/c2pa_signal.py`), which
  reads the validation state the same way but keeps reading an opt-out from an untrusted signer:
  here every failure code other than `signingCredential.untrusted` makes the credential invalid.

Formats: kyodaku stamps JPEG, PNG, WebP, GIF, TIFF, MP4 and QuickTime (each tested with c2pa-python
0.38 / c2pa-rs 0.91); the type is detected from the bytes and a declared type that contradicts them is
refused. AVIF and HEIF are refused (untested here). Reading takes those and whatever else the library
detects when the caller names the type.

Signing: ES256/384/512, PS256/384/512 (RSA, at least 2048 bits) and Ed25519, the algorithm inferred
from the key unless named. The certificate and key are checked with `cryptography` before c2pa sees
them, so a mismatch, an expired certificate or one C2PA refuses (self-signed, a CA certificate, no
emailProtection / documentSigning extended key usage) is named in a ConfigurationError rather than the
library's "the certificate is invalid"; `from_files` then signs a tiny picture once, so whatever the
library still refuses shows at start-up and not on the first output. An optional timestamp authority
(`tsa_url`) is called at each stamp; without one, the signature carries no trusted time.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import io
import json
import math
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kyodaku.domain.errors import ConfigurationError, InvalidInput, UnsupportedMedia

LEDGER_LABEL = "org.kyodaku.ledger"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
UNTRUSTED = "signingCredential.untrusted"
ALGORITHMS = ("es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519")
#: What `stamp` embeds into, by MIME type (the name used in messages).
STAMPABLE = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/tiff": "TIFF",
    "video/mp4": "MP4",
    "video/quicktime": "QuickTime",
}
_BMFF_VIDEO = frozenset({"video/mp4", "video/quicktime"})
_MIME_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/x-webp": "image/webp",
    "image/tif": "image/tiff",
    "video/x-m4v": "video/mp4",
    "application/mp4": "video/mp4",
}
#: ISO BMFF brands of still images (HEIF, AVIF): `ftyp` files that are not video.
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
)
#: Extended key usages C2PA accepts on a signing certificate (its default trust configuration).
_C2PA_EKUS = {
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.36": "documentSigning",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "1.3.6.1.4.1.62558.2.1": "c2pa claimSigning",
}
_ANY_EKU = "2.5.29.37.0"
_MAX_TEXT = 256


def load_c2pa() -> Any:
    """The c2pa-python module, or a ConfigurationError saying how to get it."""
    try:
        import c2pa
    except Exception as exc:  # ImportError, or OSError from its native library
        raise ConfigurationError(
            "content credentials need the c2pa-python package (pip install c2pa-python), "
            f"which could not be imported: {type(exc).__name__}: {exc}"
        ) from exc
    return c2pa


def kyodaku_version() -> str:
    """kyodaku's version, as the claim generator names it."""
    import kyodaku

    version = getattr(kyodaku, "__version__", None)
    if version:
        return str(version)
    try:
        return importlib.metadata.version("kyodaku")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- media types ------------------------------------------------------------------------------------


def sniff_mime(data: bytes) -> str | None:
    """The media type the first bytes announce (JPEG, PNG, WebP, GIF, TIFF, ISO BMFF), or None.
    HEIF/AVIF stills answer "image/heif" (which `stamp` refuses)."""
    head = bytes(data[:16])
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in _HEIF_BRANDS:
            return "image/heif"
        return "video/mp4"
    return None


def _normalise_mime(mime: str) -> str:
    base = mime.split(";", 1)[0].strip().lower()
    return _MIME_ALIASES.get(base, base)


def _supported_list() -> str:
    return ", ".join(dict.fromkeys(STAMPABLE.values()))


def _stamp_mime(data: bytes, mime: str | None) -> str:
    """The MIME type to stamp `data` as, or UnsupportedMedia / InvalidInput saying why not."""
    detected = sniff_mime(data)
    if detected == "image/heif":
        raise UnsupportedMedia(
            "HEIF/AVIF images are not stamped with content credentials by kyodaku; "
            f"it stamps {_supported_list()}",
            mime=mime,
        )
    if mime is None:
        if detected is None:
            raise UnsupportedMedia(
                "not an image or video kyodaku can stamp with content credentials: the first bytes "
                f"match none of {_supported_list()}"
            )
        return detected
    given = _normalise_mime(mime)
    if given not in STAMPABLE:
        raise UnsupportedMedia(
            f"{mime!r} cannot be stamped with content credentials by kyodaku; it stamps {_supported_list()}",
            mime=mime,
        )
    if detected is None:
        raise UnsupportedMedia(
            f"declared {STAMPABLE[given]} ({mime}), but the bytes are not a {STAMPABLE[given]} file",
            mime=mime,
        )
    if detected != given and not {detected, given} <= _BMFF_VIDEO:
        raise InvalidInput(
            f"declared {STAMPABLE[given]} ({mime}), but the bytes are {STAMPABLE[detected]}",
            mime=mime,
            detected=detected,
        )
    return given


# --- the signer ------------------------------------------------------------------------------------


def _read_file(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(f"the {what} file {path} does not exist", file=str(path)) from None
    except IsADirectoryError:
        raise ConfigurationError(f"the {what} file {path} is a directory", file=str(path)) from None
    except OSError as exc:
        raise ConfigurationError(f"the {what} file {path} cannot be read: {exc}", file=str(path)) from exc


def _load_certificates(pem: bytes, name: str, what: str = "certificate chain") -> list[Any]:
    from cryptography import x509

    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise ConfigurationError(
            f"{name} is not a PEM {what}: it has no '-----BEGIN CERTIFICATE-----' block", file=name
        )
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise ConfigurationError(f"{name}: a certificate in it cannot be read: {exc}", file=name) from exc


def _load_key(pem: bytes, name: str, password: bytes | None) -> Any:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    if b"PRIVATE KEY-----" not in pem:
        raise ConfigurationError(
            f"{name} is not a PEM private key: it has no '-----BEGIN ... PRIVATE KEY-----' block", file=name
        )
    try:
        return serialization.load_pem_private_key(pem, password)
    except TypeError as exc:  # encrypted without a password, or a password for a plain key
        hint = (
            "it is encrypted: give its password"
            if password is None
            else "it is not encrypted: drop the password"
        )
        raise ConfigurationError(f"{name}: {hint} ({exc})", file=name) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ConfigurationError(
            f"{name} cannot be read as a private key "
            f"(damaged PEM, wrong password or unsupported type): {exc}",
            file=name,
        ) from exc


def _key_kind(key: Any) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return f"an EC {key.curve.name} key"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return f"an RSA {key.key_size}-bit key"
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "an Ed25519 key"
    return f"a {type(key).__name__}"


def _alg_needs(alg: str, key: Any) -> str | None:
    """What `alg` needs that `key` is not (None: they fit)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    curves = {"es256": "secp256r1", "es384": "secp384r1", "es512": "secp521r1"}
    if alg in curves:
        fits = isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == curves[alg]
        return None if fits else f"an EC {curves[alg]} key"
    if alg.startswith("ps"):
        return None if isinstance(key, rsa.RSAPrivateKey) else "an RSA key"
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else "an Ed25519 key"


def _infer_alg(key: Any, key_name: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}.get(key.curve.name)
        if alg:
            return alg
    elif isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise ConfigurationError(
        f"{key_name} holds {_key_kind(key)}, which C2PA cannot sign with; use an EC P-256/P-384/P-521, "
        "RSA (2048 bits or more) or Ed25519 key",
        file=key_name,
    )


def _spki(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _subject(cert: Any) -> str:
    return cert.subject.rfc4514_string() or "(empty subject)"


def _check_leaf(certs: list[Any], key: Any, cert_name: str, key_name: str) -> None:
    """The key belongs to the first certificate, and that certificate is one C2PA signs with."""
    from cryptography import x509

    leaf = certs[0]
    mine = _spki(key.public_key())
    if _spki(leaf.public_key()) != mine:
        index = next((i for i, c in enumerate(certs) if _spki(c.public_key()) == mine), None)
        if index is not None:
            raise ConfigurationError(
                f"the private key in {key_name} belongs to certificate #{index + 1} in {cert_name}, not the "
                "first: put the signing (leaf) certificate first, then its issuers",
                certificate=cert_name,
                key=key_name,
            )
        raise ConfigurationError(
            f"the private key in {key_name} ({_key_kind(key)}) does not match the signing certificate in "
            f"{cert_name} ({_subject(leaf)}, {_key_kind(leaf.public_key())}): they are not a pair",
            certificate=cert_name,
            key=key_name,
        )
    where = f"the signing certificate in {cert_name} ({_subject(leaf)})"
    now = datetime.datetime.now(datetime.UTC)
    if leaf.not_valid_after_utc < now:
        raise ConfigurationError(f"{where} expired on {leaf.not_valid_after_utc:%Y-%m-%d}", file=cert_name)
    if leaf.not_valid_before_utc > now:
        raise ConfigurationError(
            f"{where} is not valid before {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC", file=cert_name
        )
    if leaf.issuer == leaf.subject:
        raise ConfigurationError(
            f"{where} is self-signed; C2PA signs only with a certificate issued by a CA "
            "(put the leaf first, then the CA certificates)",
            file=cert_name,
        )

    def extension(kind: type) -> Any:
        try:
            return leaf.extensions.get_extension_for_class(kind).value
        except x509.ExtensionNotFound:
            return None

    constraints = extension(x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise ConfigurationError(
            f"{where} is a CA certificate; C2PA signs with an end-entity one", file=cert_name
        )
    usage = extension(x509.KeyUsage)
    if usage is not None and not usage.digital_signature:
        raise ConfigurationError(f"{where} does not allow digitalSignature key usage", file=cert_name)
    ekus = {oid.dotted_string for oid in (extension(x509.ExtendedKeyUsage) or [])}
    if _ANY_EKU in ekus or not ekus & _C2PA_EKUS.keys():
        raise ConfigurationError(
            f"{where} lacks an extended key usage C2PA accepts (one of {', '.join(_C2PA_EKUS.values())}; "
            "anyExtendedKeyUsage is refused)",
            file=cert_name,
        )


def _check_tsa(tsa_url: str | None) -> str | None:
    if tsa_url is None:
        return None
    parsed = urllib.parse.urlparse(tsa_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigurationError(f"the timestamp authority URL {tsa_url!r} is not an http(s) URL")
    return tsa_url


def _tiny_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


@dataclass(frozen=True, repr=False)
class CredentialSigner:
    """The operator's signing credentials, checked: a PEM chain (leaf first) and its PKCS#8 key.

    Holds the key in memory (unencrypted, as c2pa-python takes it); its repr names only the
    certificate. A native c2pa signer is made per stamp, so one CredentialSigner serves threads."""

    alg: str
    chain_pem: bytes
    key_pem: bytes
    subject: str
    not_after: datetime.datetime
    tsa_url: str | None = None
    cert_source: str = "certificate"
    key_source: str = "key"

    @classmethod
    def from_files(
        cls,
        cert_chain: Path,
        key: Path,
        alg: str | None = None,
        tsa_url: str | None = None,
        *,
        password: bytes | None = None,
        check: bool = True,
    ) -> CredentialSigner:
        """Load and check the operator's certificate chain and private key (PEM files).

        `alg`: one of ALGORITHMS (None: the one the key implies: es256 for P-256, ps256 for RSA...).
        `tsa_url`: an RFC 3161 timestamp authority called at each stamp (None: none; offline).
        `password`: the key file's password, if it is encrypted. `check`: sign a tiny picture now."""
        chain_pem = _read_file(cert_chain, "certificate chain")
        key_pem = _read_file(key, "private key")
        return cls.from_pem(
            chain_pem,
            key_pem,
            alg,
            tsa_url,
            password=password,
            check=check,
            cert_source=str(cert_chain),
            key_source=str(key),
        )

    @classmethod
    def from_pem(
        cls,
        chain_pem: bytes | str,
        key_pem: bytes | str,
        alg: str | None = None,
        tsa_url: str | None = None,
        *,
        password: bytes | None = None,
        check: bool = True,
        cert_source: str = "the certificate chain",
        key_source: str = "the private key",
    ) -> CredentialSigner:
        """As `from_files`, from PEM text; `cert_source` / `key_source` name them in errors."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        chain = chain_pem.encode() if isinstance(chain_pem, str) else bytes(chain_pem)
        key_bytes = key_pem.encode() if isinstance(key_pem, str) else bytes(key_pem)
        certs = _load_certificates(chain, cert_source)
        private = _load_key(key_bytes, key_source, password)
        if alg is None:
            name = _infer_alg(private, key_source)
        else:
            name = str(alg).lower()
            if name not in ALGORITHMS:
                raise ConfigurationError(
                    f"unknown signing algorithm {alg!r}; use one of {', '.join(ALGORITHMS)}"
                )
            needs = _alg_needs(name, private)
            if needs:
                raise ConfigurationError(
                    f"{name} signs with {needs}, but {key_source} holds {_key_kind(private)}",
                    key=key_source,
                )
        if isinstance(private, rsa.RSAPrivateKey) and private.key_size < 2048:
            raise ConfigurationError(
                f"{key_source}: C2PA needs RSA keys of 2048 bits or more", key=key_source
            )
        _check_leaf(certs, private, cert_source, key_source)
        pkcs8 = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        pem = serialization.Encoding.PEM
        signer = cls(
            alg=name,
            chain_pem=b"".join(c.public_bytes(pem) for c in certs),
            key_pem=pkcs8,
            subject=_subject(certs[0]),
            not_after=certs[0].not_valid_after_utc,
            tsa_url=_check_tsa(tsa_url),
            cert_source=cert_source,
            key_source=key_source,
        )
        if check:
            signer.check()
        return signer

    def __repr__(self) -> str:
        return (
            f"CredentialSigner(alg={self.alg!r}, subject={self.subject!r}, certificate={self.cert_source!r})"
        )

    def native(self, *, with_tsa: bool = True) -> Any:
        """A fresh c2pa.Signer (close it after use: `with signer.native() as s:`)."""
        c2pa = load_c2pa()
        tsa = self.tsa_url if with_tsa else None
        try:
            return c2pa.Signer.from_info(c2pa.C2paSignerInfo(self.alg, self.chain_pem, self.key_pem, tsa))
        except c2pa.C2paError as exc:
            raise ConfigurationError(
                f"c2pa refused the signing credentials in {self.cert_source} / {self.key_source}: {exc}",
                certificate=self.cert_source,
                key=self.key_source,
            ) from exc

    def check(self) -> None:
        """Sign a tiny picture once (without the timestamp authority), so that credentials the
        library refuses fail now, with a ConfigurationError, rather than on the first output."""
        _sign(
            _tiny_png(), "image/png", manifest_definition("check", generator="kyodaku"), self, with_tsa=False
        )


# --- stamping --------------------------------------------------------------------------------------


def _text(name: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} must be a non-empty string", field=name)
    if len(value) > _MAX_TEXT or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"{name} must be at most {_MAX_TEXT} printable characters", field=name)
    return value


def _check_json(value: Any, path: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"extra{path} is not a finite number", field=f"extra{path}")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json(item, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(
                    f"extra{path} has a key that is not a string: {key!r}", field=f"extra{path}"
                )
            _check_json(item, f"{path}.{key}")
        return
    raise InvalidInput(f"extra{path} is a {type(value).__name__}, not JSON", field=f"extra{path}")


def manifest_definition(
    entry_id: str,
    *,
    generator: str = "kyodaku",
    ledger: str | None = None,
    extra: Mapping[str, Any] | None = None,
    when: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The C2PA manifest definition `stamp` signs (the input c2pa's Builder takes)."""
    entry = _text("entry_id", entry_id)
    agent = _text("generator", generator)
    body: dict[str, Any] = {
        "entry_id": entry,
        "ledger": _text("ledger", ledger, optional=True),
        "generator": agent,
    }
    if extra:
        if not isinstance(extra, Mapping):
            raise InvalidInput("extra must be a JSON object", field="extra")
        _check_json(extra, "")
        # As JSON text: c2pa-rs 0.91 reads an array of numbers back as a byte string (or "").
        body["extra"] = json.dumps(extra, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    moment = (when or datetime.datetime.now(datetime.UTC)).isoformat()
    created = {
        "action": "c2pa.created",
        "when": moment,
        "softwareAgent": {"name": agent},
        "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
    }
    return {
        "claim_generator_info": [{"name": "kyodaku", "version": kyodaku_version()}],
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [created]}},
            {"label": LEDGER_LABEL, "data": body},
        ],
    }


def _sign(
    data: bytes, mime: str, manifest: dict[str, Any], signer: CredentialSigner, *, with_tsa: bool
) -> bytes:
    c2pa = load_c2pa()
    out = io.BytesIO()
    with signer.native(with_tsa=with_tsa) as native:
        try:
            with c2pa.Builder(manifest) as builder:
                builder.sign(native, mime, io.BytesIO(data), out)
        except c2pa.C2paError.Signature as exc:
            tsa = f" or the timestamp authority {signer.tsa_url}" if with_tsa and signer.tsa_url else ""
            raise ConfigurationError(
                f"c2pa could not sign with {signer.cert_source} / {signer.key_source}{tsa}: {exc}",
                certificate=signer.cert_source,
                key=signer.key_source,
                tsa_url=signer.tsa_url if with_tsa else None,
            ) from exc
        except c2pa.C2paError as exc:
            raise UnsupportedMedia(
                f"c2pa could not embed content credentials in this {STAMPABLE.get(mime, mime)} file: {exc}",
                mime=mime,
            ) from exc
    return out.getvalue()


def stamp(
    data: bytes,
    mime: str | None,
    entry_id: str,
    signer: CredentialSigner,
    generator: str = "kyodaku",
    extra: Mapping[str, Any] | None = None,
    *,
    ledger: str | None = None,
) -> bytes:
    """`data` with a C2PA manifest embedded and signed by `signer`: AI-generated by `generator`, let
    out by ledger entry `entry_id` (of `ledger`, a ledger or tree-head id, when given). `extra`:
    more JSON fields for the `org.kyodaku.ledger` assertion. `mime` None: detected from the bytes.

    Raises UnsupportedMedia for bytes kyodaku does not stamp (or c2pa cannot parse), InvalidInput for
    a declared type the bytes contradict or a bad entry id, ConfigurationError when signing fails."""
    if not isinstance(data, bytes | bytearray | memoryview) or not len(data):
        raise InvalidInput("nothing to stamp: the content is empty")
    content = bytes(data)
    manifest = manifest_definition(entry_id, generator=generator, ledger=ledger, extra=extra)
    return _sign(content, _stamp_mime(content, mime), manifest, signer, with_tsa=True)


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialReading:
    """What a file's content credentials say, and how far to believe it (see the module doc)."""

    present: bool
    validation: str | None = None  # "trusted" | "valid" | "untrusted" | "invalid"; None when absent
    entry_id: str | None = None
    ledger: str | None = None
    generator: str | None = None
    claim_generator: str | None = None
    signer: str | None = None  # the signing certificate's common name
    signer_org: str | None = None  # its organization (c2pa's signature_info "issuer")
    alg: str | None = None
    signed_at: str | None = None  # from a timestamp authority, when one was used
    digital_source_type: str | None = None
    manifest: str | None = None  # the active manifest's label
    anchored: bool = False  # whether trust anchors were given
    problems: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    why: str = ""

    @property
    def trusted(self) -> bool:
        """Intact and signed under the given trust anchors: the entry id may be relied on."""
        return self.validation == "trusted"

    def to_dict(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "validation": self.validation,
            "trusted": self.trusted,
            "entry_id": self.entry_id,
            "ledger": self.ledger,
            "generator": self.generator,
            "claim_generator": self.claim_generator,
            "signer": self.signer,
            "signer_org": self.signer_org,
            "alg": self.alg,
            "signed_at": self.signed_at,
            "digital_source_type": self.digital_source_type,
            "manifest": self.manifest,
            "anchored": self.anchored,
            "problems": list(self.problems),
            "extra": dict(self.extra),
            "why": self.why,
        }


def _load_anchors(path: Path) -> str:
    pem = _read_file(path, "trust anchors")
    _load_certificates(pem, str(path), "certificate bundle (trust anchors)")
    return pem.decode("ascii", errors="replace")


def _read_mime(data: bytes, mime: str | None) -> str | None:
    """The type to hand the library (None: let it detect), or UnsupportedMedia for plain non-media."""
    detected = sniff_mime(data)
    if detected is not None:
        return detected
    if mime is not None:
        return _normalise_mime(mime)
    if b"c2pa" not in data:  # no JUMBF label: nothing the library could read either
        raise UnsupportedMedia(
            f"not an image or video kyodaku reads content credentials from ({_supported_list()}); "
            "name the type (mime) for other formats the C2PA library reads"
        )
    return None


def _failures(store: dict[str, Any]) -> list[dict[str, Any]]:
    results = store.get("validation_results") or {}
    if results:
        return list((results.get("activeManifest") or {}).get("failure") or [])
    return list(store.get("validation_status") or [])  # older stores: a flat list


def _ledger_assertion(manifest: dict[str, Any]) -> dict[str, Any] | None:
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if label == LEDGER_LABEL or label.startswith(f"{LEDGER_LABEL}.v"):
            data = assertion.get("data")
            return data if isinstance(data, dict) else {}
    return None


def _created_action(manifest: dict[str, Any]) -> dict[str, Any]:
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).split(".v")[0] != "c2pa.actions":
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if isinstance(action, dict) and action.get("action") == "c2pa.created":
                return action
    return {}


def _extra_of(body: dict[str, Any]) -> dict[str, Any]:
    """The `extra` fields `stamp` wrote as JSON text (a value that is not such text, as found)."""
    raw = body.get("extra")
    if raw is None:
        return {}
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        parsed = None
    return parsed if isinstance(parsed, dict) else {"extra": raw}


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def judge_store(store: dict[str, Any], *, anchored: bool) -> CredentialReading:
    """The reading of one manifest store (the JSON c2pa's Reader reports). `anchored`: whether
    the reader was given trust anchors (without them no signer can be trusted)."""
    state = str(store.get("validation_state") or "").lower()
    failures = _failures(store)
    codes = [str(f.get("code", "")) for f in failures]
    tampering = [c for c in codes if c != UNTRUSTED]
    problems = [
        f"{f.get('code', '')}: {f.get('explanation', '')}".rstrip(": ")
        for f in failures
        if anchored or f.get("code") != UNTRUSTED
    ]
    manifest = (store.get("manifests") or {}).get(store.get("active_manifest") or "")
    if not isinstance(manifest, dict):
        return CredentialReading(
            True, "invalid", anchored=anchored, problems=[*problems, "no active manifest"],
            why="a C2PA manifest store without an active manifest: nothing in it can be relied on",
        )  # fmt: skip
    if state == "invalid" or tampering:
        validation = "invalid"
    elif UNTRUSTED in codes:
        validation = "untrusted" if anchored else "valid"
    elif state == "trusted":
        validation = "trusted"
    else:
        validation = "valid"
    body = _ledger_assertion(manifest)
    created = _created_action(manifest)
    info = manifest.get("signature_info") or {}
    generators = manifest.get("claim_generator_info") or []
    first = generators[0] if generators and isinstance(generators[0], dict) else {}
    claim_generator = " ".join(str(first[k]) for k in ("name", "version") if first.get(k)) or _opt_str(
        manifest.get("claim_generator")
    )
    agent = created.get("softwareAgent")
    agent_name = agent.get("name") if isinstance(agent, dict) else agent
    extra = _extra_of(body or {})
    reading = CredentialReading(
        present=True,
        validation=validation,
        entry_id=_opt_str((body or {}).get("entry_id")),
        ledger=_opt_str((body or {}).get("ledger")),
        generator=_opt_str((body or {}).get("generator") or agent_name),
        claim_generator=claim_generator,
        signer=_opt_str(info.get("common_name")),
        signer_org=_opt_str(info.get("issuer")),
        alg=_opt_str(info.get("alg")),
        signed_at=_opt_str(info.get("time")),
        digital_source_type=_opt_str(created.get("digitalSourceType")),
        manifest=_opt_str(manifest.get("label") or store.get("active_manifest")),
        anchored=anchored,
        problems=problems,
        extra=extra,
    )
    return _with_why(reading, codes)


def _with_why(reading: CredentialReading, codes: list[str]) -> CredentialReading:
    from dataclasses import replace

    signer = reading.signer or "an unnamed signer"
    if reading.signer_org:
        signer = f"{signer} ({reading.signer_org})"
    claim = f"ledger entry {reading.entry_id}" if reading.entry_id else "no kyodaku ledger entry"
    if reading.validation == "invalid":
        why = (
            f"the credentials fail validation ({', '.join(c for c in codes if c != UNTRUSTED) or 'broken'}): "
            f"the file changed after signing or the signature is broken; the {claim} it names is not evidence"
        )
    elif reading.validation == "untrusted":
        why = (
            f"intact, but signed by {signer}, whose certificate does not chain to the given trust anchors: "
            f"anyone can sign such a claim, so the {claim} it names is NOT to be relied on"
        )
    elif reading.validation == "valid":
        why = (
            f"intact and signed by {signer}, but no trust anchors were given, so the signer is not verified: "
            f"the {claim} it names is not to be relied on until checked against the operator's trust anchors"
        )
    else:
        why = f"intact and signed by {signer} under the given trust anchors: {claim}"
        if reading.entry_id is None:
            why += " (the manifest was not stamped by kyodaku)"
    return replace(reading, why=why)


def read_credentials(
    data: bytes, mime: str | None = None, trust_anchors: Path | None = None
) -> CredentialReading:
    """The content credentials in `data`, validated; `trust_anchors`: a PEM bundle of the root
    certificates whose signers are trusted (the operator publishes its root). Without anchors an
    intact manifest reads "valid" and `trusted` is False. Remote manifests are not fetched."""
    if not isinstance(data, bytes | bytearray | memoryview) or not len(data):
        raise InvalidInput("nothing to read: the content is empty")
    content = bytes(data)
    anchors = _load_anchors(trust_anchors) if trust_anchors is not None else None
    fmt = _read_mime(content, mime)
    if b"c2pa" not in content and b"provenance" not in content:  # no manifest, embedded or remote
        return CredentialReading(
            False, anchored=anchors is not None, why="no content credentials in the file"
        )
    c2pa = load_c2pa()
    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if anchors is not None:
        settings["trust"] = {"trust_anchors": anchors}
    with c2pa.Context.from_dict(settings) as context:
        try:
            reader = c2pa.Reader.try_create(fmt, io.BytesIO(content), None, context)
        except c2pa.C2paError.NotSupported as exc:
            raise UnsupportedMedia(
                f"the C2PA library cannot read this file ({fmt or 'unknown type'}): {exc}"
            ) from exc
        except c2pa.C2paError as exc:
            return CredentialReading(
                True, "invalid", anchored=anchors is not None, problems=[f"unreadable manifest: {exc}"],
                why=f"the file carries C2PA data that cannot be read ({exc}): nothing in it can be relied on",
            )  # fmt: skip
        if reader is None:
            return CredentialReading(
                False, anchored=anchors is not None, why="no content credentials in the file"
            )
        with reader:
            store = json.loads(reader.json())
    return judge_store(store, anchored=anchors is not None)
