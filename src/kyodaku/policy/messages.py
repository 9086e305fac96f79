"""End-user messages, in English and Japanese, built from the decision alone."""

from __future__ import annotations

from kyodaku.domain.findings import EntityDecision, Verdict


def _names(entities: list[EntityDecision], verdict: Verdict) -> str:
    return ", ".join(f"{e.name} ({e.rightsholder.get('name', '')})" for e in entities if e.verdict is verdict)


def messages(
    verdict: Verdict, entities: list[EntityDecision], failed_closed_reason: str | None = None
) -> dict[str, str]:
    if failed_closed_reason:
        why = failed_closed_reason
        return {
            "en": f"This request could not be checked ({why}); it is blocked until it can be.",
            "ja": f"このリクエストを確認できませんでした（{why}）。確認できるまでブロックします。",
        }
    if verdict is Verdict.BLOCK:
        who = _names(entities, Verdict.BLOCK)
        return {
            "en": f"Blocked: this request uses {who} without the rightsholder's permission.",
            "ja": f"ブロックしました：権利者の許諾なく {who} を利用するリクエストです。",
        }
    if verdict is Verdict.REVIEW:
        who = _names(entities, Verdict.REVIEW)
        return {
            "en": f"Held for review: this request may use {who}; a person will check it.",
            "ja": f"確認待ち：このリクエストは {who} を利用している可能性があります。担当者が確認します。",
        }
    if entities:
        who = _names(entities, Verdict.ALLOW)
        return {
            "en": f"Allowed: {who} may be used under the rightsholder's permission.",
            "ja": f"許可：権利者の許諾に基づき {who} を利用できます。",
        }
    return {
        "en": "Allowed: no registered work, character or style found.",
        "ja": "許可：登録された作品・キャラクター・画風は見つかりませんでした。",
    }
