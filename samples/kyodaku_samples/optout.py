"""Real files carrying machine-readable opt-outs, made on the spot for the signal readers' tests.

Every opt-out signal lives in a file format (XMP inside a JPEG, PNG, WebP, GIF or TIFF; a C2PA
manifest signed into an image; a tdmrep.json; a saved HTML page), and a reader tested against a
hand-written byte string tests only its author's idea of the format. So these makers write the
files the way real writers do: Pillow embeds the XMP (as cameras and editors place it), the
c2pa-python library signs the manifest with a certificate chain from a throwaway CA, and the
hostile cases (a truncated packet, an entity bomb, a tampered image) are derived from those.

The C2PA certificate authority is made once per process (`throwaway_ca`): an ES256 root and a leaf with
the emailProtection extended key usage, as C2PA requires (a self-signed leaf is rejected). No
timestamp authority is used (the machine is offline).
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image, PngImagePlugin

PLUS_NS = "http://ns.useplus.org/ldf/xmp/1.0/"
VOCAB = "http://ns.useplus.org/ldf/vocab/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_XMP_HEAD = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
    f'<rdf:RDF xmlns:rdf="{RDF_NS}">\n'
)
_XMP_TAIL = '</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>'


def xmp_packet(value: str | None, *, form: str = "attribute", prefix: bool = True) -> bytes:
    """An XMP packet whose plus:DataMining is `value` (a vocabulary code like "DMI-PROHIBITED", or
    anything), written as exiv2 does (`form="attribute"`), as an element with the value as text
    (`"element"`) or as `rdf:resource` (`"resource"`). `value` None: a packet without DataMining.
    `prefix`: write the full vocabulary URI before a code."""
    full = f"{VOCAB}{value}" if value is not None and prefix else value
    about = (
        f'<rdf:Description rdf:about="" xmlns:plus="{PLUS_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    )
    if value is None:
        body = f'{about} dc:format="image/jpeg"/>\n'
    elif form == "attribute":
        body = f'{about} plus:DataMining="{full}"/>\n'
    elif form == "element":
        body = f"{about}>\n<plus:DataMining>{full}</plus:DataMining>\n</rdf:Description>\n"
    elif form == "resource":
        body = f'{about}>\n<plus:DataMining rdf:resource="{full}"/>\n</rdf:Description>\n'
    else:
        raise ValueError(f"unknown form {form!r}")
    return (_XMP_HEAD + body + _XMP_TAIL).encode("utf-8")


def entity_bomb_xmp(levels: int = 10) -> bytes:
    """A "billion laughs" packet: nested entities that would expand to 10**levels strings."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return (
        f"<!DOCTYPE x:xmpmeta [{''.join(entities)}]>\n"
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF_NS}">'
        f'<rdf:Description xmlns:plus="{PLUS_NS}"><plus:DataMining>&lol{levels - 1};</plus:DataMining>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def _picture(size: tuple[int, int] = (24, 16), colour: tuple[int, int, int] = (200, 40, 90)) -> Image.Image:
    im = Image.new("RGB", size, colour)
    for x in range(size[0]):  # some structure, so a flipped byte in the data changes pixels
        im.putpixel((x, x % size[1]), (x * 9 % 256, 255 - x * 7 % 256, 30))
    return im


def _gif_xmp_extension(xmp: bytes) -> bytes:
    """The `XMP DataXMP` application extension: raw packet bytes, then the 258-byte magic trailer
    that lets a GIF decoder walk them as sub-blocks."""
    return b"\x21\xff\x0bXMP DataXMP" + xmp + b"\x01" + bytes(range(255, -1, -1)) + b"\x00"


def image_with_xmp(
    fmt: str, xmp: bytes | None, *, png_chunk: str = "iTXt", exif: bytes | None = None
) -> bytes:
    """A small image in `fmt` ("jpeg", "png", "webp", "gif", "tiff") carrying `xmp` where that format
    keeps it (None: no XMP). `png_chunk`: "iTXt", "iTXt-z" (compressed), "zTXt" or "tEXt". `exif`: raw
    EXIF bytes written too (WebP puts that chunk before XMP: an odd length tests the RIFF padding)."""
    im, buf = _picture(), io.BytesIO()
    if fmt == "jpeg":
        im.save(buf, "JPEG", quality=90, **({"xmp": xmp} if xmp else {}))
    elif fmt == "webp":
        im.save(
            buf, "WEBP", lossless=True, **({"xmp": xmp} if xmp else {}), **({"exif": exif} if exif else {})
        )
    elif fmt == "tiff":
        im.save(buf, "TIFF", **({"tiffinfo": {700: xmp}} if xmp else {}))
    elif fmt == "png":
        info = PngImagePlugin.PngInfo()
        if xmp:
            text, key = xmp.decode("utf-8"), "XML:com.adobe.xmp"
            if png_chunk in ("zTXt", "tEXt"):  # Latin-1 chunks: Pillow would turn them into iTXt
                text = text.replace("\ufeff", "")
            if png_chunk == "iTXt":
                info.add_itxt(key, text)
            elif png_chunk == "iTXt-z":
                info.add_itxt(key, text, zip=True)
            elif png_chunk == "zTXt":
                info.add_text(key, text, zip=True)
            elif png_chunk == "tEXt":
                info.add_text(key, text)
            else:
                raise ValueError(f"unknown PNG chunk {png_chunk!r}")
        im.save(buf, "PNG", pnginfo=info)
    elif fmt == "gif":
        im.convert("P").save(buf, "GIF")
        data = buf.getvalue()
        return data[:-1] + _gif_xmp_extension(xmp) + b";" if xmp else data
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return buf.getvalue()


def jpeg_with_extended_xmp(
    standard: bytes, extended: bytes, *, chunk: int = 400, drop_last: bool = False
) -> bytes:
    """A JPEG whose XMP is split as Adobe's ExtendedXMP: `standard` in the usual APP1 segment and
    `extended` in APP1 chunks of `chunk` bytes (GUID, full length, offset). `drop_last`: leave the
    last chunk out (an incomplete ExtendedXMP)."""
    import hashlib
    import struct

    plain = image_with_xmp("jpeg", standard)
    guid = hashlib.md5(extended).hexdigest().upper().encode()
    segments = b""
    offsets = list(range(0, len(extended), chunk))
    if drop_last:
        offsets = offsets[:-1]
    for offset in offsets:
        body = (
            b"http://ns.adobe.com/xmp/extension/\x00"
            + guid
            + struct.pack(">II", len(extended), offset)
            + extended[offset : offset + chunk]
        )
        segments += b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return plain[:2] + segments + plain[2:]


# --- C2PA -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrowawayCA:
    """A throwaway certificate authority: its root (the trust anchor) and an ES256 signing leaf."""

    root_pem: str
    chain_pem: str  # leaf, then root
    key_pem: str


@lru_cache(maxsize=1)
def throwaway_ca() -> ThrowawayCA:
    """The process's throwaway CA (made once: key generation is the slow part)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kyodaku tests"),
            ]
        )

    def usage(*, cert_sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=not cert_sign,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=cert_sign,
            crl_sign=cert_sign,
            encipher_only=False,
            decipher_only=False,
        )

    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(name("kyodaku test root"))
        .issuer_name(name("kyodaku test root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("kyodaku test signer"))
        .issuer_name(root.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    root_pem = root.public_bytes(pem).decode()
    key_pem = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return ThrowawayCA(root_pem, leaf.public_bytes(pem).decode() + root_pem, key_pem)


_MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def training_manifest(
    entries: Mapping[str, Any] | None, label: str = "c2pa.training-mining"
) -> dict[str, Any]:
    """A manifest definition: `c2pa.actions` starting with `c2pa.created` (required), then a
    training-mining assertion with `entries` (e.g. {"c2pa.ai_training": {"use": "notAllowed"}});
    `entries` None: no training-mining assertion at all."""
    assertions: list[dict[str, Any]] = [
        {
            "label": "c2pa.actions",
            "data": {
                "actions": [
                    {
                        "action": "c2pa.created",
                        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
                    }
                ]
            },
        }
    ]
    if entries is not None:
        assertions.append({"label": label, "data": {"entries": dict(entries)}})
    return {"claim_generator_info": [{"name": "kyodaku-tests", "version": "0.1"}], "assertions": assertions}


def sign_image(
    fmt: str,
    entries: Mapping[str, Any] | None,
    *,
    label: str = "c2pa.training-mining",
    image: bytes | None = None,
) -> bytes:
    """`image` (default: a small picture in `fmt`, "jpeg" / "png" / "webp") with a C2PA manifest
    signed in by the test CA's leaf, carrying a training-mining assertion with `entries`."""
    import c2pa

    ca = throwaway_ca()
    source = image if image is not None else image_with_xmp(fmt, None)
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, ca.chain_pem.encode(), ca.key_pem.encode(), None)
    )
    out = io.BytesIO()
    with signer, c2pa.Builder(training_manifest(entries, label)) as builder:
        builder.sign(signer, _MIME[fmt], io.BytesIO(source), out)
    return out.getvalue()


@lru_cache(maxsize=32)
def signed_image(fmt: str, entries_json: str, label: str = "c2pa.training-mining") -> bytes:
    """`sign_image`, cached by its arguments (entries as JSON text, so the cache key is hashable):
    signing costs tens of milliseconds and the tests reuse a few files."""
    return sign_image(fmt, json.loads(entries_json), label=label)


def tamper(data: bytes) -> bytes:
    """A copy of a signed JPEG or PNG with pixel bytes changed (the manifest left intact), as an
    edit after signing would: in the JPEG's entropy-coded scan, or in the PNG's first IDAT."""
    out = bytearray(data)
    if data.startswith(b"\xff\xd8"):
        start = data.rfind(b"\xff\xda")  # the last SOS: after every metadata segment
        pos = start + 4 + int.from_bytes(data[start + 2 : start + 4], "big")
        for i in range(pos + 8, len(data) - 2):  # a byte whose flip makes no marker
            if out[i] < 0xFE and out[i - 1] != 0xFF and out[i] ^ 0x01 < 0xFE:
                out[i] ^= 0x01
                return bytes(out)
    elif data.startswith(b"\x89PNG"):
        pos = data.find(b"IDAT")
        out[pos + 8] ^= 0x01
        return bytes(out)
    raise ValueError("tamper() knows JPEG and PNG only")


# --- TDMRep and robots pages ------------------------------------------------------------------------


def tdmrep_json(rules: Any) -> bytes:
    """A tdmrep.json with `rules` (a list of rule objects, or one object for a per-sample sidecar)."""
    return json.dumps(rules, indent=2).encode()


def html_page(
    metas: Mapping[str, str] | None = None, *, http_equiv: Mapping[str, str] | None = None, body: str = ""
) -> bytes:
    """A saved page with `<meta name=... content=...>` (and `http-equiv`) tags in its head."""
    tags = [f'<meta name="{k}" content="{v}">' for k, v in (metas or {}).items()]
    tags += [f'<meta http-equiv="{k}" content="{v}">' for k, v in (http_equiv or {}).items()]
    head = "\n    ".join(['<meta charset="utf-8">', "<title>a picture</title>", *tags])
    return (
        f"<!doctype html>\n<html>\n  <head>\n    {head}\n  </head>\n  <body>{body}</body>\n</html>\n".encode()
    )
