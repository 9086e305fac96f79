"""RFC 6962 (Certificate Transparency) Merkle tree hashes, built streaming, with inclusion proofs.

Why this tree and not a plain hash of the file: a Merkle root commits to an ordered list of items
the same way a file hash does, but it also lets someone prove that *one* item is in the list (an
audit path of log2(n) hashes) without handing over the other million items. A rightsholder who
asks "was my work excluded from this training set?" can be shown their sample id's inclusion proof
against the signed root in the scan manifest, and the provenance ledger reuses the same module.

Why exactly RFC 6962's definition (kept by RFC 9162, CT v2): it is the one public, widely
implemented Merkle tree with domain separation between leaves and nodes, so an auditor can
recompute our roots with any CT library:

    MTH({})       = SHA-256()                                  (the empty string's hash)
    MTH({d0})     = SHA-256(0x00 || d0)                        (leaf hash)
    MTH(D[n])     = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  k = largest power of two < n

The 0x00 / 0x01 prefixes make a leaf impossible to pass off as an inner node (the second-preimage
trick against naive Merkle trees). The split at the largest power of two keeps the tree
left-complete, which is what lets a CT log append leaves while keeping only O(log n) hashes:
`MerkleBuilder` does the same (see its docstring).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
"""Bytes of a SHA-256 digest: every leaf hash, node hash, root and proof element."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) per RFC 6962 §2.1: the hash of the empty string (e3b0c442...)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf's data (RFC 6962 §2.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an inner node from its two children's hashes."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


@dataclass(frozen=True)
class MerkleRoot:
    """A tree's root and how many leaves it has: a root means nothing without its size (the same
    root can never belong to two sizes of one list, but a verifier needs the size to check a proof)."""

    root_hex: str
    count: int

    @property
    def root(self) -> bytes:
        return bytes.fromhex(self.root_hex)

    def to_dict(self) -> dict[str, object]:
        return {"root": self.root_hex, "count": self.count}


class MerkleBuilder:
    """Appends leaves one at a time and gives the RFC 6962 root of everything added so far.

    Memory is O(log n): like a CT log's "compact range", the builder keeps only the roots of the
    perfect subtrees that the leaves so far decompose into, one per set bit of the count (for 13 =
    0b1101 leaves: the roots of leaves 0-7, 8-11 and 12). Adding a leaf pushes its hash and merges
    the two rightmost subtrees while they are the same size, exactly like incrementing a binary
    counter. Because RFC 6962 splits at the largest power of two, the tree over n leaves is those
    perfect subtrees joined right to left, which is what `root()` folds, so the result equals the
    recursive definition (tests check this for arbitrary lists).
    """

    __slots__ = ("_count", "_stack")

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self._count = 0

    @property
    def count(self) -> int:
        """Leaves added so far."""
        return self._count

    def add(self, data: bytes) -> None:
        """Append one leaf (its data, not its hash)."""
        self.add_leaf_hash(leaf_hash(data))

    def add_leaf_hash(self, digest: bytes) -> None:
        """Append one leaf given its already computed leaf hash (SHA-256(0x00 || data))."""
        if len(digest) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, got {len(digest)}")
        stack = self._stack
        stack.append(digest)
        self._count += 1
        n = self._count
        # Each trailing zero bit of the new count is a pair of equal-sized subtrees to merge.
        while n & 1 == 0:
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            n >>= 1

    def root(self) -> bytes:
        """MTH of the leaves added so far (the builder stays usable: more leaves may follow)."""
        if not self._stack:
            return EMPTY_ROOT
        stack = self._stack
        acc = stack[-1]
        for left in reversed(stack[:-1]):
            acc = node_hash(left, acc)
        return acc

    def result(self) -> MerkleRoot:
        return MerkleRoot(root_hex=self.root().hex(), count=self._count)


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """MTH of a sequence of leaf data, streamed (an iterator of any length is fine)."""
    builder = MerkleBuilder()
    for data in leaves:
        builder.add(data)
    return builder.root()


def _subtree_root(leaf_hashes: Sequence[bytes], start: int, stop: int) -> bytes:
    builder = MerkleBuilder()
    for i in range(start, stop):
        builder.add_leaf_hash(leaf_hashes[i])
    return builder.root()


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (n >= 2): RFC 6962's split point."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path PATH(index, D[n]) of RFC 6962 §2.1.1, leaf-to-root order.

    Each element is the root of the sibling subtree at one level, so a verifier holding only the
    leaf, its index, the tree size and the signed root can recompute the root (`verify_inclusion`).
    Computing it hashes every leaf once (the sibling subtrees partition the other leaves): O(n)
    time; callers with millions of leaves and many proofs should keep the leaf hashes instead
    (`inclusion_proof_from_hashes`, as the generation ledger does).
    """
    return inclusion_proof_from_hashes([leaf_hash(data) for data in leaves], index)


def inclusion_proof_from_hashes(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """`inclusion_proof` from the leaves' already computed hashes (SHA-256(0x00 || data))."""
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise IndexError(f"leaf index {index} is outside a tree of {size} leaves")
    path: list[bytes] = []
    start, stop, m = 0, size, index
    # Walk from the root down to the leaf, collecting siblings; reversed at the end (RFC order is
    # leaf upward, since PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k).
    while stop - start > 1:
        k = _largest_power_of_two_below(stop - start)
        if m < k:
            path.append(_subtree_root(leaf_hashes, start + k, stop))
            stop = start + k
        else:
            path.append(_subtree_root(leaf_hashes, start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """True when `proof` shows that `leaf` (its data, not its hash) is leaf number `index` of the
    tree of `size` leaves whose root is `root`.

    This is RFC 9162 §2.1.3.2's algorithm verbatim (the RFC 6962 audit path, verified without
    rebuilding the tree): it also rejects a proof with too many or too few elements, so an index
    or size that does not match the proof fails instead of verifying by accident.
    """
    if not 0 <= index < size or len(root) != HASH_SIZE:
        return False
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in proof:
        if len(p) != HASH_SIZE or sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root
