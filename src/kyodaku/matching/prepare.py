"""Prepare content once, for every matcher.

A prompt is normalized to its phonetic skeleton once and embedded once (in a batch, when many are
screened together); an image is decoded once and that one decoding gives its PDQ hashes, its local
features and, when the snapshot carries a learned encoder, its embedding. Matchers then only read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kyodaku.domain.errors import InvalidInput, PayloadTooLarge, ScreeningUnavailable
from kyodaku.matching.base import ContentKind
from kyodaku.media.hashing import Digested, MediaHashes, hash_media
from kyodaku.options import GuardOptions
from kyodaku.snapshot import Snapshot
from kyodaku.text.normalize import Skeleton, skeleton
from kyodaku.text.semantic import EncodedQuery

MediaSource = str | Path | bytes | Digested
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class PreparedPrompt:
    """A prompt as the text matchers read it. `query` is None when semantic matching is off; when it
    is on and embedding failed, `unavailable` says why (the guard then fails closed)."""

    text: str
    skeleton: Skeleton
    query: EncodedQuery | None = None
    unavailable: str | None = None
    kind: ContentKind = ContentKind.PROMPT


@dataclass(frozen=True)
class PreparedMedia:
    """A generated image or video as the media matchers read it: hashes, local features and the
    learned encoder's vector, all from one decoding."""

    hashes: MediaHashes

    @property
    def kind(self) -> ContentKind:
        return ContentKind(self.hashes.media_type)

    @property
    def name(self) -> str:
        return self.hashes.name or self.hashes.sha256[:12]


def check_prompt(text: object, options: GuardOptions) -> str:
    """The prompt, or the reason it cannot be screened (the caller's error, not a failure to close)."""
    if not isinstance(text, str):
        raise InvalidInput("prompt must be a string")
    if not text.strip():
        raise InvalidInput("prompt is empty")
    if len(text) > options.max_chars:
        raise PayloadTooLarge(
            f"prompt has {len(text)} characters; the limit is {options.max_chars}", limit=options.max_chars
        )
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate is not None:
        # Only reachable from Python or escaped JSON ("\\ud800"): no encoding can carry it, so no
        # model can read it. Refusing names the fault; screening it would fail closed for nothing.
        raise InvalidInput(
            f"prompt is not valid Unicode: a lone surrogate U+{ord(surrogate.group()):04X} "
            f"at character {surrogate.start()}"
        )
    return text


def prepare_prompts(texts: Sequence[str], snapshot: Snapshot, options: GuardOptions) -> list[PreparedPrompt]:
    """Skeletons and (in one batch) embeddings of already checked prompts."""
    queries: list[EncodedQuery | None] = [None] * len(texts)
    unavailable: str | None = None
    index = snapshot.match.semantic
    if options.semantic and texts:
        if index is None:
            unavailable = "the semantic index is missing from the snapshot"
        else:
            try:
                queries = list(index.encode(list(texts)))
            except ScreeningUnavailable as exc:
                unavailable = exc.message
    return [
        PreparedPrompt(text, skeleton(text), query, unavailable)
        for text, query in zip(texts, queries, strict=True)
    ]


def prepare_media(
    sources: Sequence[MediaSource],
    snapshot: Snapshot,
    options: GuardOptions,
    names: Sequence[str | None] | None = None,
    expect: str | None = None,
) -> list[PreparedMedia]:
    """Decode and hash each output once. Unreadable media raise InvalidInput naming the file: that is
    the caller's error (a corrupt upload), not a reason to fail closed."""
    names = list(names) if names is not None else [None] * len(sources)
    if len(names) != len(sources):
        raise InvalidInput("names must match media one to one")
    learned = snapshot.media.learned
    hashing = options.hash_options(query=True)
    if learned is not None:
        hashing = replace(hashing, keep_picture=True)
    out = []
    for source, name in zip(sources, names, strict=True):
        hashed = hash_media(source, hashing, name=name)
        if expect is not None and hashed.media_type != expect:
            raise InvalidInput(
                f"{hashed.name}: expected an {expect}, got a {hashed.media_type}", file=hashed.name
            )
        if learned is not None and hashed.picture is not None:
            # The picture is dropped once embedded, unless the local tier's second look at insets
            # (GuardOptions.local_insets) still needs it.
            kept = hashed.picture if options.local_features and options.local_insets else None
            hashed = replace(hashed, embedding=learned.encoder.encode([hashed.picture])[0], picture=kept)
        out.append(PreparedMedia(hashed))
    return out
