"""The answer to the claimant, written from the evidence, in English and Japanese.

Why composed from facts rather than typed: CODA asked for *faithful* answers. Every sentence here
states something the case's evidence shows (the ledger entry, how the output was traced, what the
re-match found, the registry version, what upholding changed), so the answer cannot say more than
the desk knows, and the same facts read the same in both languages. The desk's own note is
appended as it was written.
"""

from __future__ import annotations

from typing import Any

from kyodaku.claims.model import Case, CaseState

HOW = {
    "sha256": ("the exact bytes", "完全に同一のデータ"),
    "pdq": (
        "a perceptual hash (a re-encoded or resized copy)",
        "知覚ハッシュ（再エンコードやリサイズされた複製）",
    ),
    "watermark": ("the invisible watermark", "不可視の電子透かし"),
    "credentials": ("signed content credentials (C2PA)", "署名付きコンテンツクレデンシャル（C2PA）"),
}


def compose_answer(
    case: Case, outcome: CaseState, evidence: dict[str, Any], note: str = ""
) -> dict[str, str]:
    en: list[str] = []
    ja: list[str] = []
    entities = ", ".join(case.entities)
    if outcome is CaseState.UPHELD:
        en.append(f"Your {case.kind.value} {case.id} about {entities} is upheld.")
        ja.append(f"{entities} に関する申立て {case.id} を認めました。")
    else:
        en.append(f"Your {case.kind.value} {case.id} about {entities} is rejected.")
        ja.append(f"{entities} に関する申立て {case.id} は認められませんでした。")
    entry = evidence.get("ledger_entry")
    if entry:
        en.append(
            f"The output was screened on {entry.get('time')} (ledger entry {entry.get('id')}): verdict "
            f"{entry.get('verdict')}, registry version {entry.get('registry_version')}."
        )
        ja.append(
            f"この出力は {entry.get('time')} に審査されました（台帳エントリ {entry.get('id')}）。判定: "
            f"{entry.get('verdict')}、登録簿バージョン {entry.get('registry_version')}。"
        )
    matches = (evidence.get("trace") or {}).get("matches") or []
    if matches:
        for m in matches[:5]:
            how_en = ", ".join(HOW.get(h, (h, h))[0] for h in m.get("how", []))
            how_ja = "、".join(HOW.get(h, (h, h))[1] for h in m.get("how", []))
            e = m.get("entry", {})
            when, verdict, version = e.get("time"), e.get("verdict"), e.get("registry_version")
            en.append(
                f"The file you sent leads to ledger entry {m.get('entry_id')} (found by {how_en}): screened "
                f"on {when}, verdict {verdict}, registry version {version}."
            )
            ja.append(
                f"送付されたファイルは台帳エントリ {m.get('entry_id')} に対応します（{how_ja}により特定）。"
                f"審査日時 {when}、判定 {verdict}、登録簿バージョン {version}。"
            )
    elif "trace" in evidence:
        en.append("The file you sent leads to no entry of the generation ledger: it was not screened here.")
        ja.append(
            "送付されたファイルは生成台帳のどのエントリにも対応しません（当サービスで審査されたものではありません）。"
        )
    rematch = evidence.get("rematch")
    if rematch is not None:
        found = [f.get("entity") for f in rematch.get("findings", [])]
        if found:
            en.append(f"Matched today against the registry: {', '.join(sorted(set(found)))}.")
            ja.append(f"現在の登録簿との照合で一致: {', '.join(sorted(set(found)))}。")
        else:
            en.append("Matched today against the registry: none of your entries is found in the file.")
            ja.append("現在の登録簿との照合では、貴社の登録作品は検出されませんでした。")
    added = evidence.get("references_added") or []
    if added:
        en.append(
            f"The output is now a reference of your entries ({len(added)} added): the same output, or a copy "
            "of it, is blocked from now on."
        )
        ja.append(
            f"この出力を貴社作品の参照として登録しました（{len(added)} 件）。"
            "今後、同一の出力やその複製はブロックされます。"
        )
    if note.strip():
        en.append(f"Note from the desk: {note.strip()}")
        ja.append(f"担当者より: {note.strip()}")
    return {"en": " ".join(en), "ja": "".join(ja)}
