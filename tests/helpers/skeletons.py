"""The skeleton's offset-map invariant, checked by the property tests of every normalizer step."""

from __future__ import annotations


def assert_offsets_match_key(sk, text: str) -> None:
    """One map entry per key letter, each pointing inside `text`, in the order of the text."""
    n = len(sk.key)
    assert len(sk.start) == len(sk.end) == len(sk.gap) == len(sk.script) == len(sk.upper) == n
    for i in range(n):
        assert 0 <= sk.start[i] < sk.end[i] <= len(text)
        if i:
            assert sk.start[i] >= sk.start[i - 1]
