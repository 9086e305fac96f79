"""Word boundaries for Chinese and Korean, where a name may sit inside a longer word.

Chinese has no spaces, so "超人" (Superman) is inside "超人类" ("transhuman": 超 + 人类) and
"皮卡" inside "皮卡车" ("pickup truck"). A maintained segmenter (jieba, with its dictionary of
349,000 words and their frequencies) cuts the prompt into words; a Han name counts only where its
start and end fall on word boundaries. A name jieba does not know ("皮卡丘") is cut into pieces,
but its ends are still boundaries, so it is found.

Korean writes particles straight after a noun (피카츄가, 슈퍼맨처럼), so a Hangul name may be
followed by a particle or a style word, and by nothing else inside the same word: "링크" in
"링크를" is the name Link, in "링크드인" it is not.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

_LOCK = threading.Lock()

# Korean particles and endings that attach to a noun, longest first, plus style words (풍, 스타일).
_FOLLOWERS = (
    "이", "가", "은", "는", "을", "를", "의", "와", "과", "도", "로", "으로", "에", "에서", "에게",
    "한테", "께", "처럼", "같이", "같은", "만", "까지", "부터", "랑", "이랑", "하고", "보다", "이다",
    "이야", "야", "아", "님", "씨", "들", "풍", "스타일", "느낌", "화풍", "그림체", "버전", "캐릭터",
)  # fmt: skip
KOREAN_FOLLOWERS = tuple(sorted(_FOLLOWERS, key=len, reverse=True))


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on stderr otherwise
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=50_000)
def chinese_boundaries(text: str) -> frozenset[int]:
    """Offsets in `text` where jieba puts a word boundary (0 and len(text) included)."""
    with _LOCK:  # jieba's tokenizer is not documented as thread-safe
        words = list(_tokenizer().cut(text, HMM=False))
    out = {0}
    at = 0
    for w in words:
        at += len(w)
        out.add(at)
    return frozenset(out)


@lru_cache(maxsize=100_000)
def chinese_word_count(word: str) -> int:
    """How often jieba's corpus counts `word` (in simplified characters) as a word of its own: 0 for
    a word it does not know. A character name counted often is an ordinary word or a figure of
    general culture as well (超人 "superhuman", 孙悟空 the Monkey King of Journey to the West)."""
    from kyodaku.text.variants import chinese_script_forms

    forms = [word, *(other for other, _ in chinese_script_forms(word))]
    tokenizer = _tokenizer()
    return max(tokenizer.FREQ.get(form) or 0 for form in forms)


def korean_end_ok(rest: str) -> bool:
    """Whether the letters after a Hangul name, up to the next space, are a particle or ending."""
    # A particle may carry a short ending of its own (처럼요, 에서도): at most two more syllables.
    return not rest or any(rest.startswith(f) and len(rest) - len(f) <= 2 for f in KOREAN_FOLLOWERS)
