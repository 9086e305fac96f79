"""Find the XMP packets in an image file by walking its container, never its pixels.

Why walk the structure instead of decoding with Pillow or searching the bytes for `<x:xmpmeta`:
decoding costs milliseconds per image and runs codec code on hostile input, and a byte search
finds packets that are not metadata at all (an XMP document quoted inside a comment, a thumbnail's
own packet, a caption that mentions the tag). Each container puts XMP in one documented place:

* JPEG: APP1 segments starting `http://ns.adobe.com/xap/1.0/\\0` (the standard packet) and
  `http://ns.adobe.com/xmp/extension/\\0` (ExtendedXMP: a packet too big for one segment, split
  into chunks by GUID, offset and full length; reassembled here). The walk stops at the first
  scan (SOS): metadata segments come before the compressed data.
* PNG: an `iTXt` (or, from older writers, `tEXt` / `zTXt`) chunk with keyword `XML:com.adobe.xmp`,
  compressed or not; inflation is bounded. The walk goes to IEND, since XMP may follow IDAT.
* WebP: the RIFF `XMP ` chunk.
* GIF: the `XMP DataXMP` application extension (the packet's raw bytes, ended by the 258-byte
  "magic trailer" that lets a GIF decoder skip it as sub-blocks).
* TIFF: tag 700 (XMP) of the first IFD. BigTIFF is not read.

Not read (documented, not silently "no signal"): XMP in video containers (MP4 `uuid` box, WebM),
ImageMagick's hex "Raw profile type xmp" PNG text, TIFF IFDs after the first. The C2PA reader
covers MP4. A standalone `.xmp` sidecar member is read by `xmp.py` as one packet.

Broken structure never raises: the walk returns the packets found so far plus one packet whose
`error` says where the structure broke, but only when the break is where XMP may still be (a
JPEG truncated inside its compressed data is whole as far as metadata goes).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

#: Largest XMP packet read (the standard JPEG packet is under 64 KiB; ExtendedXMP and PNG text may be
#: larger, but megabytes of XMP are an attack, not metadata).
MAX_PACKET = 4 * 1024 * 1024

_JPEG_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_JPEG_EXT_XMP = b"http://ns.adobe.com/xmp/extension/\x00"
_PNG_KEYWORD = b"XML:com.adobe.xmp"
_GIF_XMP_APP = b"XMP DataXMP"
_GIF_MAGIC_TRAILER_START = b"\x01\xff\xfe\xfd\xfc"
_TIFF_XMP_TAG = 700


@dataclass(frozen=True)
class XmpPacket:
    """One XMP packet as found (`data`), or a place where one could not be read (`error`)."""

    where: str
    data: bytes = b""
    error: str | None = None


class _Broken(Exception):
    """The container's structure broke where XMP could still be."""


def sniff_format(data: bytes) -> str | None:
    """The container format from the magic bytes ("jpeg", "png", "webp", "gif", "tiff"), or None.
    The extension is not trusted: crawled files are often named for what they were, not what
    they are."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def find_xmp(data: bytes) -> list[XmpPacket]:
    """Every XMP packet of the image in `data` (empty: not a known container, or no XMP)."""
    fmt = sniff_format(data)
    if fmt is None:
        return []
    found: list[XmpPacket] = []
    try:
        _WALKERS[fmt](data, found)
    except _Broken as exc:
        found.append(XmpPacket(fmt, error=f"{fmt} structure broken: {exc}"))
    except (struct.error, IndexError, ValueError) as exc:  # a bound missed above: still not a crash
        found.append(XmpPacket(fmt, error=f"{fmt} structure broken: {exc}"))
    return found


def jpeg_metadata_end(data: bytes) -> int | None:
    """Where a JPEG's metadata segments end (its first scan, or the end of the image): every APPn
    segment, so XMP and C2PA's JUMBF boxes (APP11) lie before it. None when the segment chain is
    broken before that point, so that a caller falls back to reading the whole file."""
    pos, n = 2, len(data)
    while pos + 2 <= n and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
        elif marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
        elif marker in (0xDA, 0xD9):
            return pos
        elif pos + 4 > n:
            return None
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def _jpeg(data: bytes, found: list[XmpPacket]) -> None:
    extended: dict[bytes, tuple[int, dict[int, bytes]]] = {}
    pos, n = 2, len(data)
    while True:
        if pos + 2 > n:
            raise _Broken(f"file ends at byte {n} before the image data")
        if data[pos] != 0xFF:
            raise _Broken(f"no segment marker at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        if marker in (0xDA, 0xD9):  # start of scan / end of image: no metadata after this
            break
        if pos + 4 > n:
            raise _Broken(f"segment at byte {pos} is cut off")
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2 or pos + 2 + length > n:
            raise _Broken(f"segment at byte {pos} claims {length} bytes past the end of the file")
        if marker == 0xE1:
            payload = data[pos + 4 : pos + 2 + length]
            if payload.startswith(_JPEG_XMP):
                found.append(XmpPacket("jpeg APP1", payload[len(_JPEG_XMP) :]))
            elif payload.startswith(_JPEG_EXT_XMP):
                try:
                    _extended_chunk(payload[len(_JPEG_EXT_XMP) :], extended)
                except _Broken as exc:  # one bad chunk: say so, keep walking for the other packets
                    found.append(XmpPacket("jpeg ExtendedXMP", error=str(exc)))
        pos += 2 + length
    for guid, (total, chunks) in extended.items():
        found.append(_assemble_extended(guid, total, chunks))


def _extended_chunk(body: bytes, extended: dict[bytes, tuple[int, dict[int, bytes]]]) -> None:
    """One ExtendedXMP chunk: 32-byte GUID (hex MD5 of the full packet), full length, offset, data."""
    if len(body) < 40:
        raise _Broken("ExtendedXMP segment too short")
    guid = body[:32]
    total, offset = struct.unpack_from(">II", body, 32)
    if total > MAX_PACKET:
        raise _Broken(f"ExtendedXMP of {total} bytes is over the {MAX_PACKET}-byte limit")
    known_total, chunks = extended.setdefault(guid, (total, {}))
    if known_total != total:
        raise _Broken("ExtendedXMP chunks disagree on the packet's length")
    chunks[offset] = body[40:]


def _assemble_extended(guid: bytes, total: int, chunks: dict[int, bytes]) -> XmpPacket:
    where = f"jpeg ExtendedXMP {guid.decode('ascii', 'replace')}"
    packet = bytearray(total)
    covered = 0
    for offset, chunk in chunks.items():
        if offset + len(chunk) > total:
            return XmpPacket(where, error="ExtendedXMP chunk past the packet's length")
        packet[offset : offset + len(chunk)] = chunk
        covered += len(chunk)
    if covered != total:
        return XmpPacket(where, error=f"ExtendedXMP incomplete: {covered} of {total} bytes")
    return XmpPacket(where, bytes(packet))


def _inflate(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(compressed, MAX_PACKET + 1)
    except zlib.error as exc:
        raise _Broken(f"compressed XMP text: {exc}") from exc
    if len(out) > MAX_PACKET:
        raise _Broken(f"compressed XMP text inflates past {MAX_PACKET} bytes")
    if not inflater.eof:
        raise _Broken("compressed XMP text is cut off")
    return out


def _png(data: bytes, found: list[XmpPacket]) -> None:
    pos, n = 8, len(data)
    while True:
        if pos + 8 > n:
            raise _Broken(f"file ends at byte {n} before IEND")
        length, ctype = struct.unpack_from(">I4s", data, pos)
        if pos + 12 + length > n:
            raise _Broken(f"chunk {ctype!r} at byte {pos} runs past the end of the file")
        if ctype == b"IEND":
            return
        if ctype in (b"iTXt", b"tEXt", b"zTXt"):
            body = data[pos + 8 : pos + 8 + length]
            keyword, _, rest = body.partition(b"\x00")
            if keyword == _PNG_KEYWORD:
                where = f"png {ctype.decode()}"
                try:
                    found.append(XmpPacket(where, _png_text(ctype, rest)))
                except _Broken as exc:
                    found.append(XmpPacket(where, error=str(exc)))
        pos += 12 + length


def _png_text(ctype: bytes, rest: bytes) -> bytes:
    if ctype == b"tEXt":
        return rest
    if ctype == b"zTXt":
        return _inflate(rest[1:])
    if len(rest) < 2:
        raise _Broken("iTXt chunk too short")
    compressed = rest[0] == 1
    _language, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return _inflate(text) if compressed else text


def _webp(data: bytes, found: list[XmpPacket]) -> None:
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = 8 + riff_size
    n = len(data)
    if end > n:
        raise _Broken(f"RIFF says {end} bytes, the file has {n}")
    pos = 12
    while pos + 8 <= end:
        fourcc, size = struct.unpack_from("<4sI", data, pos)
        if pos + 8 + size > end:
            raise _Broken(f"chunk {fourcc!r} at byte {pos} runs past the end of the RIFF")
        if fourcc == b"XMP ":
            found.append(XmpPacket("webp XMP chunk", data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)


def _gif_skip_sub_blocks(data: bytes, pos: int) -> int:
    """Position after the sub-blocks starting at `pos` (each: a length byte, that many bytes; a zero
    length ends them)."""
    n = len(data)
    while True:
        if pos >= n:
            raise _Broken("sub-blocks run past the end of the file")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _gif(data: bytes, found: list[XmpPacket]) -> None:
    n = len(data)
    if n < 13:
        raise _Broken("no logical screen descriptor")
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while True:
        if pos >= n:
            raise _Broken(f"file ends at byte {n} before the trailer")
        block = data[pos]
        if block == 0x3B:  # trailer
            return
        if block == 0x2C:  # image: descriptor, optional local colour table, LZW data as sub-blocks
            if pos + 10 > n:
                raise _Broken("image descriptor cut off")
            local = data[pos + 9]
            pos += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            pos = _gif_skip_sub_blocks(data, pos + 1)
        elif block == 0x21:  # extension: label, then sub-blocks
            if pos + 2 > n:
                raise _Broken("extension cut off")
            label = data[pos + 1]
            start = pos + 2
            if label == 0xFF and data[start : start + 12] == b"\x0b" + _GIF_XMP_APP:
                body = start + 12
                end = _gif_skip_sub_blocks(data, body)
                raw = data[body:end]
                cut = raw.find(_GIF_MAGIC_TRAILER_START)
                if cut < 0:
                    raise _Broken("XMP application extension without its magic trailer")
                found.append(XmpPacket("gif XMP DataXMP", raw[:cut]))
                pos = end
            else:
                pos = _gif_skip_sub_blocks(data, start)
        else:
            raise _Broken(f"unknown block 0x{block:02x} at byte {pos}")


def _tiff(data: bytes, found: list[XmpPacket]) -> None:
    order = "<" if data[:2] == b"II" else ">"
    n = len(data)
    (ifd,) = struct.unpack_from(order + "I", data, 4)
    if ifd + 2 > n:
        raise _Broken(f"first IFD at byte {ifd} is past the end of the file")
    (count,) = struct.unpack_from(order + "H", data, ifd)
    if ifd + 2 + 12 * count > n:
        raise _Broken("first IFD is cut off")
    for i in range(count):
        tag, kind, length, value = struct.unpack_from(order + "HHII", data, ifd + 2 + 12 * i)
        if tag != _TIFF_XMP_TAG:
            continue
        if kind not in (1, 7):  # BYTE or UNDEFINED, as the XMP spec says
            raise _Broken(f"XMP tag has TIFF type {kind}, not BYTE or UNDEFINED")
        if length > MAX_PACKET:
            raise _Broken(f"XMP of {length} bytes is over the {MAX_PACKET}-byte limit")
        start = ifd + 2 + 12 * i + 8 if length <= 4 else value
        if start + length > n:
            raise _Broken("XMP tag points past the end of the file")
        found.append(XmpPacket("tiff tag 700", data[start : start + length]))


_WALKERS = {"jpeg": _jpeg, "png": _png, "webp": _webp, "gif": _gif, "tiff": _tiff}
