"""LocalIndex: the immutable bank of reference keypoints, shortlisted then verified per query."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from kyodaku.domain.errors import InvalidInput
from kyodaku.media.local.features import DESCRIPTOR_BYTES, LocalFeatures, readonly
from kyodaku.media.local.options import DEFAULT_OPTIONS, LocalOptions
from kyodaku.media.local.shortlist import WindowTables
from kyodaku.media.local.verify import LocalMatch, ReferencePicture, Verdict, verify_reference


@dataclass(frozen=True, eq=False)
class _Item:
    key: int
    start: int
    stop: int
    size: tuple[int, int]
    thumbnail: np.ndarray
    band: str = "coarse"
    """"coarse" (keypoints found at 256 px) or "fine" (a reference's finer band, features.extract_finer)."""


class LocalIndex:
    """Immutable bank of reference keypoints; `match` returns the verified references, best first."""

    def __init__(
        self,
        items: list[_Item],
        descriptors: np.ndarray,
        points: np.ndarray,
        owner: np.ndarray,
        options: LocalOptions,
    ) -> None:
        self._items = items
        self._descriptors = descriptors
        self._points = points
        self._owner = owner
        self.options = options
        self._search = WindowTables(descriptors) if len(descriptors) else None
        self._fine = np.array([item.band != "coarse" for item in items], bool)
        self._keys = np.array([item.key for item in items], np.int64)

    @classmethod
    def build(
        cls, items: Sequence[tuple[int, LocalFeatures]], options: LocalOptions | None = None
    ) -> LocalIndex:
        """Stack the references' descriptors; `items` are (key, features) pairs (keys may repeat:
        one work with several pictures; each picture is verified alone, the best one reported).
        A reference's finer band is an item of its own with the same key: verified alone (so the
        ratio test and the coverage count compare keypoints of one band), in the same frame."""
        opts = options or DEFAULT_OPTIONS
        entries: list[_Item] = []
        descs, points = [], []
        start = 0
        for n, entry in enumerate(items):
            try:
                key, features = entry
            except (TypeError, ValueError):
                raise InvalidInput(f"item {n} must be a (key, LocalFeatures) pair") from None
            if isinstance(key, bool) or not isinstance(key, int | np.integer):
                raise InvalidInput(f"item {n}: key must be an integer, got {key!r}")
            if not isinstance(features, LocalFeatures):
                raise InvalidInput(f"item {n}: expected LocalFeatures, got {type(features).__name__}")
            bands = [("coarse", features)]
            if features.finer is not None and len(features.finer):
                bands.append(("fine", features.finer))
            for band, f in bands:
                entries.append(_Item(int(key), start, start + len(f), f.size, f.thumbnail, band))
                descs.append(f.descriptors)
                points.append(f.points)
                start += len(f)
        descriptors = readonly(np.concatenate(descs) if descs else np.zeros((0, DESCRIPTOR_BYTES), np.uint8))
        stacked_points = readonly(np.concatenate(points) if points else np.zeros((0, 2), np.float32))
        owner = np.repeat(np.arange(len(entries), dtype=np.int32), [e.stop - e.start for e in entries])
        return cls(entries, descriptors, stacked_points, readonly(owner), opts)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def descriptor_count(self) -> int:
        return len(self._descriptors)

    @property
    def nbytes(self) -> int:
        """Bytes of the index's arrays (descriptors, points, owners, and the search structure)."""
        search = self._search.nbytes if self._search is not None else 0
        thumbs = sum(item.thumbnail.nbytes for item in self._items)
        return self._descriptors.nbytes + self._points.nbytes + self._owner.nbytes + search + thumbs

    def key_of(self, item_no: int) -> int:
        """The key of the reference with this item number (`build`'s order, a finer band after its
        coarse one)."""
        return self._items[item_no].key

    def shortlist(
        self,
        query: LocalFeatures,
        min_votes: int | None = None,
        limit: int | None = None,
        skip: Collection[int] = (),
    ) -> list[tuple[int, int]]:
        """(item number, votes) of the references worth verifying, most votes first.

        A reference's votes are the query descriptors with at least one of its descriptors within
        `vote_radius` bits. `min_votes` and `limit` default to the options' `min_votes` and
        `max_verify` (the bench passes 1 and the bank's size to see every reference's votes).
        References whose key is in `skip` (found already, by PDQ) are left out before the limit.
        """
        if not isinstance(query, LocalFeatures):
            raise InvalidInput(f"expected LocalFeatures, got {type(query).__name__}")
        opts = self.options
        floor = opts.min_votes if min_votes is None else min_votes
        if self._search is None or len(query) == 0:
            return []
        q, rows = self._search.pairs(query.descriptors, opts.vote_radius)
        if len(q) == 0:
            return []
        # One vote per (query descriptor, reference): unique pairs, then count per reference.
        n_items = len(self._items)
        pair_ids = np.unique(q.astype(np.int64) * n_items + self._owner[rows])
        votes = np.bincount(pair_ids % n_items, minlength=n_items)
        need = np.full(n_items, max(1, floor), np.int64)
        if min_votes is None or floor >= opts.min_votes:
            fine_floor = (
                opts.enlarged_fine_min_votes if query.enlarged >= opts.enlarged_from else opts.fine_min_votes
            )
            need[self._fine] = max(1, floor, fine_floor)
        if skip:
            need[np.isin(self._keys, np.fromiter(skip, np.int64))] = np.iinfo(np.int64).max
        (chosen,) = np.nonzero(votes >= need)
        order = np.lexsort((chosen, -votes[chosen]))
        if min_votes is None or floor >= opts.min_votes:
            # At most `fine_max_verify` finer bands, the ones with the most votes (each costs ~4 coarse).
            fine_rank = np.cumsum(self._fine[chosen[order]])
            order = order[~self._fine[chosen[order]] | (fine_rank <= opts.fine_max_verify)]
        order = order[: opts.max_verify if limit is None else max(0, limit)]
        return [(int(chosen[i]), int(votes[chosen[i]])) for i in order]

    def match(
        self,
        query: LocalFeatures,
        skip: Collection[int] = (),
        min_votes: int | None = None,
        limit: int | None = None,
    ) -> list[LocalMatch]:
        """The verified references for `query`, best (most inliers) first, one per key (a reference
        its coarse band verified is not verified again in its finer band); keys in
        `skip` (references an earlier tier found) are not verified at all: verification is the cost.
        `min_votes` and `limit` tighten the shortlist (`shortlist`; a finer band still needs at least
        `fine_min_votes`): the bank's second look inside an output's insets asks for more votes."""
        best: dict[int, LocalMatch] = {}
        if min_votes is not None:
            min_votes = max(min_votes, self.options.min_votes)
        chosen = self.shortlist(query, min_votes, limit, skip=skip)
        shortlisted = [(self._items[n], votes) for n, votes in chosen]
        # Coarse bands first (most votes first within each): a reference its coarse band verified is
        # found, and its finer band, ~4 times the keypoints, is not verified again (bench/media_real.py's
        # timed outputs: 8 of the 37 finer bands verified were of references their coarse band found).
        # What is found is the same; the evidence is then the coarse band's.
        for item, votes in sorted(shortlisted, key=lambda pair: pair[0].band != "coarse"):
            if item.band != "coarse" and item.key in best:
                continue
            verdict = self._verify(query, item, votes)
            m = verdict.match
            if m is not None and (m.key not in best or _rank(m) < _rank(best[m.key])):
                best[m.key] = m
        return sorted(best.values(), key=_rank)

    def verify(self, query: LocalFeatures, item_no: int) -> tuple[LocalMatch | None, str]:
        """Verify `query` against one reference (by item number), skipping the shortlist.

        Returns the match, or None and the reason it failed (for calibration and debugging).
        """
        if not isinstance(query, LocalFeatures):
            raise InvalidInput(f"expected LocalFeatures, got {type(query).__name__}")
        if not 0 <= item_no < len(self._items):
            raise InvalidInput(f"item {item_no} is not in this index of {len(self._items)}")
        v = self._verify(query, self._items[item_no])
        return v.match, v.reason

    def _verify(self, query: LocalFeatures, item: _Item, votes: int | None = None) -> Verdict:
        verdict = verify_reference(
            query,
            ReferencePicture(
                item.key,
                self._descriptors[item.start : item.stop],
                self._points[item.start : item.stop],
                item.size,
                item.thumbnail,
                item.band,
                votes,
            ),
            self.options,
        )
        if verdict.match is not None and item.band != "coarse":
            return Verdict(replace(verdict.match, band=item.band), verdict.reason)
        return verdict


def _rank(m: LocalMatch) -> tuple[int, float, int]:
    return (-m.inliers, -m.coverage, m.key)
