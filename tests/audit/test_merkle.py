"""RFC 6962 Merkle tree: known answers, streaming == recursive definition, inclusion proofs."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodaku.audit.merkle import (
    EMPTY_ROOT,
    MerkleBuilder,
    MerkleRoot,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)


def reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 written out as the RFC states it (recursive, no shared code with the module)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


def reference_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 6962 §2.1.1 PATH(m, D[n]), recursive."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*reference_path(m, leaves[:k]), reference_mth(leaves[k:])]
    return [*reference_path(m - k, leaves[k:]), reference_mth(leaves[:k])]


# The Certificate Transparency reference tree (google/certificate-transparency merkle_tree_test):
# eight leaf inputs and the published root of the tree over the first n of them.
CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                        "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _items(n: int) -> list[bytes]:
    return [f"shard-0/{i:05d}".encode() for i in range(n)]


def test_when_the_tree_is_empty_then_the_root_is_the_sha256_of_the_empty_string():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    builder = MerkleBuilder()
    assert builder.root() == EMPTY_ROOT
    assert builder.count == 0
    assert merkle_root([]) == EMPTY_ROOT


def test_when_hashing_a_leaf_and_a_node_then_the_rfc_prefixes_are_used():
    assert leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()
    assert node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_when_n_leaves_are_added_then_the_root_equals_the_recursive_definition(n):
    leaves = _items(n)
    builder = MerkleBuilder()
    for leaf in leaves:
        builder.add(leaf)
    assert builder.count == n
    assert builder.root() == reference_mth(leaves)


def test_when_one_leaf_is_added_then_the_root_is_its_leaf_hash():
    builder = MerkleBuilder()
    builder.add(b"only")
    assert builder.root() == hashlib.sha256(b"\x00only").digest()


def test_when_three_leaves_are_added_then_the_root_splits_two_and_one():
    a, b, c = (hashlib.sha256(b"\x00" + x).digest() for x in (b"a", b"b", b"c"))
    ab = hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle_root([b"a", b"b", b"c"]) == hashlib.sha256(b"\x01" + ab + c).digest()


@pytest.mark.parametrize("n", range(1, 9))
def test_when_building_the_ct_reference_tree_then_each_prefix_has_the_published_root(n):
    assert merkle_root(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]
    assert reference_mth(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]


def test_when_leaves_are_added_one_by_one_then_each_intermediate_root_is_right():
    builder = MerkleBuilder()
    for n, leaf in enumerate(CT_LEAVES, 1):
        builder.add(leaf)
        assert builder.result() == MerkleRoot(root_hex=CT_ROOTS[n - 1], count=n)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=12), max_size=70))
def test_when_any_list_is_streamed_then_the_root_equals_the_recursive_one(leaves):
    builder = MerkleBuilder()
    for leaf in leaves:
        builder.add(leaf)
    assert builder.count == len(leaves)
    assert builder.root() == reference_mth(leaves)


def test_when_a_million_leaves_would_be_added_then_the_builder_keeps_one_hash_per_set_bit():
    builder = MerkleBuilder()
    for i in range(1000):
        builder.add(i.to_bytes(4, "big"))
    assert len(builder._stack) == bin(1000).count("1")


def test_when_a_leaf_changes_or_leaves_swap_then_the_root_changes():
    leaves = _items(6)
    root = merkle_root(leaves)
    assert merkle_root([*leaves[:3], b"other", *leaves[4:]]) != root
    assert merkle_root([leaves[1], leaves[0], *leaves[2:]]) != root
    assert merkle_root(leaves[:5]) != root


def test_when_a_leaf_hash_has_the_wrong_size_then_it_is_refused():
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleBuilder().add_leaf_hash(b"short")


@pytest.mark.parametrize(
    ("index", "size", "expected"),
    [
        (0, 1, []),
        (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    ],
)  # fmt: skip
def test_when_proving_a_ct_reference_leaf_then_the_path_is_the_published_one(index, size, expected):
    proof = inclusion_proof(CT_LEAVES[:size], index)
    assert [p.hex() for p in proof] == expected
    assert verify_inclusion(CT_LEAVES[index], index, size, proof, bytes.fromhex(CT_ROOTS[size - 1]))


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 31])
def test_when_proving_every_index_then_each_proof_matches_the_rfc_and_verifies(size):
    leaves = _items(size)
    root = reference_mth(leaves)
    for index in range(size):
        proof = inclusion_proof(leaves, index)
        assert proof == reference_path(index, leaves)
        assert verify_inclusion(leaves[index], index, size, proof, root)


@pytest.mark.parametrize("size", [2, 3, 5, 8, 13])
def test_when_the_leaf_index_size_or_root_is_wrong_then_the_proof_fails(size):
    leaves = _items(size)
    root = merkle_root(leaves)
    for index in range(size):
        proof = inclusion_proof(leaves, index)
        assert not verify_inclusion(b"not a leaf", index, size, proof, root)
        assert not verify_inclusion(leaves[index], (index + 1) % size, size, proof, root)
        # The size is bound through the proof's shape: one that needs more levels fails.
        assert not verify_inclusion(leaves[index], index, size * 4, proof, root)
        assert not verify_inclusion(leaves[index], index, size, proof, merkle_root(leaves[:-1]))
        assert not verify_inclusion(leaves[index], index, size, [*proof, root], root)
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)


def test_when_the_index_is_outside_the_tree_then_no_proof_is_made_or_verified():
    leaves = _items(4)
    with pytest.raises(IndexError, match="outside a tree of 4"):
        inclusion_proof(leaves, 4)
    assert not verify_inclusion(leaves[0], 4, 4, [], merkle_root(leaves))
    assert not verify_inclusion(leaves[0], 0, 0, [], EMPTY_ROOT)
