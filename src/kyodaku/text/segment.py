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

# Korean particles and endings that attach to a noun, longest first, plus style words (풍, 스타일,
# and the suffixes 식 "-style" and 스럽다 "-ish": 디즈니식, 디즈니스러운).
_FOLLOWERS = (
    "이", "가", "은", "는", "을", "를", "의", "와", "과", "도", "로", "으로", "에", "에서", "에게",
    "한테", "께", "처럼", "같이", "같은", "만", "까지", "부터", "랑", "이랑", "하고", "보다", "이다",
    "이야", "야", "아", "님", "씨", "들", "풍", "스타일", "느낌", "화풍", "그림체", "버전", "캐릭터",
    "식", "스러운", "스럽게", "스런", "감성",
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
    return frozenset([0, *(b for _, b, _ in _chinese_words(text))])


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


TRANSLITERATED_NAME_TAG = "nrt"
"""jieba's part-of-speech tag for a transliterated foreign name (音译人名): 卡比, 巴拉, 路易吉, 斯特."""


COMMON_NOUN_TAG = "n"
COMMON_NOUN_COUNT = 100  # jieba's corpus counts: 龙 9,197, 猫 1,908, 宠物 203; 老鸭 8, 灶门 3


PROPER_NOUN_TAG = "nz"
"""jieba's tag for other proper nouns (其他专名): titles, brands, named things (七龙珠, Dragon Ball)."""


@lru_cache(maxsize=1)
def _tagged_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """From the dictionary file jieba's tokenizer loads: the words it tags as transliterated names
    (`nrt`, two characters or more: syllables of foreign names written with characters chosen for
    their sound, about 5,900), the common nouns it counts often (`n`, count >= 100), and the other
    proper nouns (`nz`)."""
    path = _tokenizer().get_dict_file()
    try:
        lines = path.read().decode("utf-8").splitlines()
    finally:
        path.close()
    names, nouns, proper = set(), set(), set()
    for line in lines:
        parts = line.split()
        if len(parts) != 3:
            continue
        if parts[2] == TRANSLITERATED_NAME_TAG and len(parts[0]) >= 2:
            names.add(parts[0])
        elif parts[2] == COMMON_NOUN_TAG and parts[1].isdigit() and int(parts[1]) >= COMMON_NOUN_COUNT:
            nouns.add(parts[0])
        elif parts[2] == PROPER_NOUN_TAG:
            proper.add(parts[0])
    return frozenset(names), frozenset(nouns), frozenset(proper)


def inside_proper_noun(text: str, start: int, end: int) -> bool:
    """Whether the Han name at text[start:end] lies inside one word jieba knows as a proper noun
    (`nz`) and takes up at least half of it: 龙珠 in 七龙珠, the name Dragon Ball goes by in Chinese.
    A longer *ordinary* word around a name (超人 in 超人类, "transhuman") is another word; a
    longer proper noun around it is the same thing named more fully, a title's common form."""
    proper = _tagged_words()[2]
    for a, b, w in _chinese_words(text):
        if a <= start and end <= b and (a, b) != (start, end):
            return w in proper and 2 * (end - start) >= b - a
    return False


def _transliterated_words() -> frozenset[str]:
    return _tagged_words()[0]


@lru_cache(maxsize=10_000)
def compound_of_common_nouns(name: str) -> bool:
    """A Han name that jieba cuts into two or more common nouns it counts often: 龙猫 (龙 "dragon"
    + 猫 "cat", also the ordinary word for the chinchilla). Such a name reads as an ordinary noun
    compound as easily as a name, the way "black cat" does in English; a transliterated name
    (皮卡丘, 马力欧) or one with a person's or a place's name in it (蜘蛛侠: 侠 is tagged a name)
    does not."""
    from kyodaku.text.variants import chinese_script_forms

    nouns = _tagged_words()[1]
    for form in {name, *(other for other, _ in chinese_script_forms(name))}:
        with _LOCK:
            pieces = list(_tokenizer().cut(form, HMM=False))
        if len(pieces) >= 2 and all(p in nouns for p in pieces):
            return True
    return False


# jieba's words for a pet and for keeping or feeding an animal (simplified: a clause is read in
# simplified characters). A word, not a character: 养 alone is "to raise", but jieba keeps 营养
# (nutrition) and 保养 (upkeep) whole.
_KEEPING_WORDS = frozenset(["宠物", "萌宠", "养", "饲养", "喂养", "圈养", "喂食", "宠物店"])
_CLAUSE_MARKS = frozenset("，。、；：！？,.;:!?\n（）()")


def kept_animal_clause(text: str, start: int, end: int) -> bool:
    """Whether the clause around text[start:end] holds jieba's word for a pet or for keeping an
    animal (宠物, 养, 饲养): "宠物龙猫", "养龙猫需要注意什么". A name that reads as an animal's
    common name (龙猫, the chinchilla) is that animal there: pets and livestock are kinds of
    animal that people keep, and a character is not kept."""
    a = start
    while a > 0 and text[a - 1] not in _CLAUSE_MARKS:
        a -= 1
    b = end
    while b < len(text) and text[b] not in _CLAUSE_MARKS:
        b += 1
    clause = _simplified(text[a:b])  # jieba's dictionary is in simplified characters
    return any(w in _KEEPING_WORDS for x, y, w in _chinese_words(clause) if y <= start - a or x >= end - a)


def _simplified(text: str) -> str:
    """`text` in simplified characters (OpenCC), where that keeps every offset; else as it is."""
    from kyodaku.text.variants import chinese_script_forms

    for out, how in chinese_script_forms(text):
        if how.startswith("simplified") and len(out) == len(text):
            return out
    return text


def is_han_char(c: str) -> bool:
    return 0x4E00 <= ord(c) <= 0x9FFF or 0x3400 <= ord(c) <= 0x4DBF


@lru_cache(maxsize=50_000)
def _chinese_words(text: str) -> tuple[tuple[int, int, str], ...]:
    """jieba's words of `text` with their offsets."""
    with _LOCK:  # jieba's tokenizer is not documented as thread-safe
        words = list(_tokenizer().cut(text, HMM=False))
    out = []
    at = 0
    for w in words:
        out.append((at, at + len(w), w))
        at += len(w)
    return tuple(out)


def inside_transliteration(text: str, start: int, end: int) -> bool:
    """Whether the Han name at text[start:end] is written straight against a transliterated
    foreign name (a word jieba tags `nrt`, two characters or more), and so is only the first or
    last syllables of a longer foreign word: 卡比 (Kirby) in 卡比巴拉 ("capybara": 卡比 + 巴拉).

    Chinese writes a foreign word by sound, syllable by syllable, with the same few hundred
    characters, so one transliterated name can begin another; jieba knows both pieces, and its
    boundary between them is no word boundary. Two names of one text side by side are kept apart
    with a conjunction or a dot (马力欧和路易吉, 克劳德·斯特莱夫), which this does not touch."""
    han_after = end < len(text) and is_han_char(text[end])
    han_before = start > 0 and is_han_char(text[start - 1])
    if not (han_after or han_before):
        return False
    names = _transliterated_words()
    return any((a == end or b == start) and w in names for a, b, w in _chinese_words(text))
