"""Thumbnails of reference files and claimed outputs, for the pages that show them side by side.

The files were checked when they came in (size, pixel count, decodable), so here they are only
shrunk to a small PNG. Thumbnails are cached by content digest (the same file is the same picture
whoever asks); who may see which file is decided by the page routes before this is called.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from fastapi.responses import Response
from PIL import Image

from kyodaku.portal.web import HEADERS

THUMB_SIDE = 240
PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="135" viewBox="0 0 240 135">'
    '<rect width="240" height="135" fill="#eceff1"/><text x="120" y="72" font-size="14" '
    'text-anchor="middle" fill="#555">{label}</text></svg>'
)


def _first_video_frame(data: bytes) -> Image.Image:
    import av

    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(video=0):
            return frame.to_image()
    raise ValueError("no video frame")


_CACHE: OrderedDict[str, bytes] = OrderedDict()
_CACHE_SIZE = 512
_LOCK = threading.Lock()


def _thumbnail(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (THUMB_SIDE * 2, THUMB_SIDE * 2))  # JPEG: decode at a smaller scale
            picture = im.convert("RGB")
    except Exception:  # not a still image: a clip's first frame
        picture = _first_video_frame(data).convert("RGB")
    picture.thumbnail((THUMB_SIDE, THUMB_SIDE))
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def thumbnail(refstore, sha256: str) -> bytes | None:
    """A PNG thumbnail of a stored file, or None when it is missing or cannot be drawn."""
    with _LOCK:
        if sha256 in _CACHE:
            _CACHE.move_to_end(sha256)
            return _CACHE[sha256]
    if not refstore.exists(sha256):
        return None
    with refstore.open(sha256) as fh:
        data = fh.read()
    try:
        png = _thumbnail(data)
    except Exception:
        return None
    with _LOCK:
        _CACHE[sha256] = png
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return png


def thumbnail_response(request, sha256: str, label: str) -> Response:
    """A stored file's thumbnail as a PNG answer, from the reference store the API writes or the
    claims desk's (the same folder unless configured apart); an SVG placeholder naming `label` when
    it cannot be drawn. Who may see the file is checked by the caller."""
    state = request.app.state
    png = None
    for store in (state.refstore, getattr(state.desk, "refstore", None)):
        if store is not None and (png := thumbnail(store, sha256)) is not None:
            break
    headers = {**HEADERS, "Cache-Control": "private, max-age=3600"}
    if png is None:
        return Response(PLACEHOLDER.format(label=label), media_type="image/svg+xml", headers=headers)
    return Response(png, media_type="image/png", headers=headers)
