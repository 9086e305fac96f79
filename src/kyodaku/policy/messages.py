"""End-user messages, in English and Japanese, built from the decision alone.

The message says which entries stopped the request and, in a word, why: no
permission at all, an explicit refusal, or a permission whose conditions the
content breaks. The full trace is in the decision's `entities[].rule/reason`.
"""

from __future__ import annotations

from kyodaku.domain.findings import EntityDecision, Verdict


def _why(e: EntityDecision) -> tuple[str, str]:
    if e.rule.startswith("condition:"):
        detail = e.reason.rsplit(": ", 1)[-1]
        return (
            f"the permission's conditions forbid this content ({detail})",
            f"許諾の条件に反します（{detail}）",
        )
    if e.rule.startswith("deny:"):
        return "the rightsholder refuses this use", "権利者がこの利用を認めていません"
    return "no permission from the rightsholder", "権利者の許諾がありません"


def _list(entities: list[EntityDecision], verdict: Verdict, lang: str) -> str:
    parts = []
    for e in entities:
        if e.verdict is not verdict:
            continue
        who = f"{e.name} ({e.rightsholder.get('name', '')})"
        if verdict is Verdict.BLOCK:
            en, ja = _why(e)
            who += f": {en}" if lang == "en" else f"：{ja}"
        parts.append(who)
    return "; ".join(parts) if lang == "en" else "、".join(parts)


def messages(
    verdict: Verdict, entities: list[EntityDecision], failed_closed_reason: str | None = None
) -> dict[str, str]:
    if failed_closed_reason:
        why = failed_closed_reason
        return {
            "en": f"This request could not be checked ({why}); it is blocked until it can be.",
            "ja": f"このリクエストを確認できませんでした（{why}）。確認できるまでブロックします。",
        }
    en, ja = _list(entities, verdict, "en"), _list(entities, verdict, "ja")
    if verdict is Verdict.BLOCK:
        return {"en": f"Blocked: this request uses {en}.", "ja": f"ブロックしました：{ja}。"}
    if verdict is Verdict.REVIEW:
        return {
            "en": f"Held for review: this request may use {en}; a person will check it.",
            "ja": f"確認待ち：{ja} を利用している可能性があります。担当者が確認します。",
        }
    if entities:
        return {
            "en": f"Allowed: {en} may be used under the rightsholder's permission.",
            "ja": f"許可：権利者の許諾に基づき {ja} を利用できます。",
        }
    return {
        "en": "Allowed: no registered work, character or style found.",
        "ja": "許可：登録された作品・キャラクター・画風は見つかりませんでした。",
    }


def screening_error_messages(error_class: str) -> dict[str, str]:
    """The message of a decision failed closed because screening itself raised (a bug, named by its
    exception class): the content could not be checked, so it is blocked until it can be."""
    return {
        "en": f"Screening failed with an internal error ({error_class}); "
        "this request is blocked until it can be checked.",
        "ja": f"審査中に内部エラーが発生しました（{error_class}）。確認できるまでブロックします。",
    }
