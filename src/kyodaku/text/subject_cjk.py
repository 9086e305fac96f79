"""Frames and person cues for names in Japanese, Chinese and Korean (`kyodaku.text.subject`).

These scripts have no letter case and no articles; what they have is particles and word order.
A picture noun follows the name (マリオのイラスト, 孙悟空的海报, 마리오 그림), a drawing verb follows
its object particle (マリオを描いて, 마리오를 그려줘) or, in Chinese, precedes it (画一个孙悟空); an
action is a relative clause before the name (サーフィンをするマリオ, 서핑하는 마리오) or a predicate
after its subject particle (マリオが…, 마리오가 …); honorifics and relations are suffixes
(マリオさん, 엘사 씨, 马里奥先生) or possessives before it (うちの, 우리, 我的).
"""

from __future__ import annotations

from kyodaku.text.segment import is_han_char
from kyodaku.text.subject_cues import (
    CJK_CLAUSE_BREAKS,
    CLAUSE_OPENERS,
    NOT_SUBJECT,
    Frame,
    NameRole,
    cues,
    ends_with,
    starts_with,
)
from kyodaku.text.surface import NAME_DOTS

_CJK = ("ja", "ko", "zh")
_HIRAGANA_VERB_ENDS = frozenset("るたうくすつぬぶむぐい")
_HANGUL_ADNOMINAL_ENDS = ("는", "은", "한", "던", "운", "인", "간", "할")  # 서핑하는, 귀여운, 날아간
_JA_SUBJECT = ("が", "は")
_KO_SUBJECT = ("이 ", "가 ", "은 ", "는 ")


def cjk_role(text: str, start: int, end: int) -> NameRole:
    """The role of the name at text[start:end] in a script without case (see `NameRole`)."""
    before, after = text[:start], text[end:]
    frame, cue = _cjk_frame(before, after)
    if frame is None:
        return NOT_SUBJECT
    acted_on = ""
    # The name is the subject (Xが…, X가 …) and starts a word of its own: a hiragana name right
    # after kanji or hiragana is the end of another word (たち in 剣士たち, "swordsmen").
    last = before[-1:]
    attached = _is_hiragana(text[start]) and last != "" and (_is_hiragana(last) or is_han_char(last))
    if frame is Frame.ACTION and after[:1] == cue and not attached:
        acted_on = _ja_object(after[1:]) if cue in _JA_SUBJECT else _ko_object(after[1:])
    return NameRole(frame=frame, cue=cue, person=cjk_person(before, after), object_cue=acted_on)


def _cjk_frame(before: str, after: str) -> tuple[Frame | None, str]:
    c = cues()
    rest = after.lstrip()
    # Japanese: Xのイラスト, Xを描いて
    if rest.startswith("の"):
        noun = starts_with(rest[1:].lstrip(), c.nouns_after.get("ja", ()))
        if noun:
            return Frame.DEPICTION, f"の{noun}"
    if rest.startswith("を"):
        verb = starts_with(rest[1:].lstrip(), c.verbs_after.get("ja", ()))
        if verb:
            return Frame.DEPICTION, f"を{verb}"
    # Chinese: X的海报, X 的同人图, X海报; 画一个X
    zh = rest[1:].lstrip() if rest.startswith("的") else rest
    noun = starts_with(zh, c.nouns_after.get("zh", ()))
    if noun and (rest.startswith("的") or len(noun) >= 2):
        return Frame.DEPICTION, ("的" if rest.startswith("的") else "") + noun
    verb = ends_with(before.rstrip(), c.verbs_before_zh)
    if verb:
        return Frame.DEPICTION, verb
    # Korean: X 그림, X의 그림, X를 그려줘
    ko = after[1:] if after.startswith("의") else after
    noun = starts_with(ko.lstrip(), c.nouns_after.get("ko", ()))
    if noun:
        return Frame.DEPICTION, noun
    if after[:1] in ("을", "를"):
        verb = starts_with(after[1:].lstrip(), c.verbs_after.get("ko", ()))
        if verb:
            return Frame.DEPICTION, f"{after[:1]} {verb}"
    # Actions: a relative clause before the name (サーフィンをするX, 서핑하는 X), or the name as the
    # grammatical subject (Xが..., X가 ...).
    tail = before.rstrip()
    ends_clause = not rest or rest[0] in CLAUSE_OPENERS or rest[0] in CJK_CLAUSE_BREAKS
    if tail and _is_hiragana(tail[-1]) and tail[-1] in _HIRAGANA_VERB_ENDS and ends_clause:
        return Frame.ACTION, tail[-3:]
    if after.startswith(_JA_SUBJECT) and len(after) > 1 and after[1] not in "、。":
        return Frame.ACTION, after[0]
    if before.endswith(" ") and tail.endswith(_HANGUL_ADNOMINAL_ENDS) and _is_hangul(tail[-1]):
        return Frame.ACTION, tail.split()[-1]
    if (after + " ").startswith(_KO_SUBJECT) and _is_hangul(after[0]):
        return Frame.ACTION, after[0]
    return None, ""


def _ja_object(rest: str) -> str:
    """The object noun phrase with its を when the clause after a subject particle goes on
    straight to one and then to its verb: "マスターソードを" in "リンクがマスターソードを抜く". The
    phrase holds no hiragana but の (katakana, kanji, letters): a verb or adjective before it
    would make the subject's own predicate a relative clause ("リンクがあるページを開く": the
    page that has a link), and the object that verb's. "" otherwise."""
    clause = rest
    for i, ch in enumerate(rest):
        if ch in CJK_CLAUSE_BREAKS:
            clause = rest[:i]
            break
    at = clause.find("を")
    if at < 1 or not clause[at + 1 :].strip():
        return ""
    phrase = clause[:at]
    if any(_is_hiragana(ch) and ch != "の" for ch in phrase):
        return ""
    return phrase.strip() + "を"


def _ko_object(rest: str) -> str:
    """The same for Korean: within the next three words after 이/가/은/는, a word ending in 을/를
    followed by another word, with no adnominal verb form before it (링크가 있는 페이지를: the
    page that has a link)."""
    words = rest.split()
    for n, word in enumerate(words[:3]):
        if word.endswith(("을", "를")) and len(word) > 1 and n + 1 < len(words):
            return " ".join(words[: n + 1])
        if word.endswith(_HANGUL_ADNOMINAL_ENDS) or any(ch in CJK_CLAUSE_BREAKS for ch in word):
            return ""
    return ""


def cjk_person(before: str, after: str) -> str:
    """An honorific or relation around the name ("" if none): マリオさん, 우리 엘사, 我的艾莎; or a
    name dot joining it to the rest of a person's full name (マリオ・ドラギ, 路易吉·皮兰德娄: see
    `kyodaku.text.surface.dotted_name_part`)."""
    c = cues()
    if after[:1] in NAME_DOTS and after[1:2].isalpha():
        return f'"{after[:2]}" after it: a full name'
    if before[-1:] in NAME_DOTS and before[-2:-1].isalpha():
        return f'"{before[-2:]}" before it: a full name'
    tail = before.rstrip()
    for lang in _CJK:
        word = ends_with(tail, c.person_before_cjk.get(lang, ()))
        if word and (lang != "ko" or tail == word or tail[: -len(word)].endswith(" ")):
            return f'"{word}" before it'
        word = starts_with(after.lstrip(), c.person_after_cjk.get(lang, ()))
        if word:
            return f'"{word}" after it'
    return ""


def _is_hiragana(c: str) -> bool:
    return 0x3041 <= ord(c) <= 0x309F


def _is_hangul(c: str) -> bool:
    return 0xAC00 <= ord(c) <= 0xD7AF
