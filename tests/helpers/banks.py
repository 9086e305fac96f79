"""A reference bank from pictures drawn by a test, registered as the guard registers references."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from helpers.pictures import jpeg, png
from kyodaku.media.bank import BankReference, MatchOptions, ReferenceBank, ReferenceHashes, with_finer_band
from kyodaku.media.hashing import hash_media
from kyodaku.options import GuardOptions


def picture_bank(
    pictures: Sequence, match: MatchOptions | None = None, *, finer: bool = False
) -> ReferenceBank:
    """Each picture (PNG-encoded) hashed with the references' options as reference `ref<n>` of entry
    `e<n>`; `finer` adds the finer keypoint band that registration stores."""
    options = GuardOptions().hash_options(query=False)
    rows = []
    for n, picture in enumerate(pictures):
        data = png(picture)
        media = hash_media(data, options, name=f"ref{n}.png")
        if finer:
            media = with_finer_band(media, data, options.max_pixels)
        reference = BankReference(f"ref{n}", f"e{n}", media.sha256, "image", f"ref{n}.png")
        rows.append(ReferenceHashes.from_media(reference, media))
    return ReferenceBank.build(rows, match)


def output_hashes(picture, border: int | None = None, quality: int = 90):
    """`picture` JPEG-encoded and hashed as the guard hashes an output; `border` overrides ORB's
    border on it (GuardOptions.query_keypoint_border; 0: the references' 31 px)."""
    guard = GuardOptions()
    if border is not None:
        guard = dataclasses.replace(guard, query_keypoint_border=border)
    return hash_media(jpeg(picture, quality), guard.hash_options(query=True))
