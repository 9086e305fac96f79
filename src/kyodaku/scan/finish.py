"""Assembling a finished scan: the lists, the kept data, the summaries, the signed manifest.

Runs once every shard is done, from the shards' part folders only, in plan order, so the result
depends on what the shards produced and never on which worker finished first or whether the scan
was interrupted: a resumed scan and an uninterrupted one give the same bytes. Each final file is
written under a temporary name and renamed; the manifest is written last, so a folder with a
manifest is a finished scan, and a scan killed while finishing simply finishes again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kyodaku import __version__
from kyodaku.atomic import write_atomic
from kyodaku.scan.layout import DATA_DIR, Layout, Shard
from kyodaku.scan.state import ScanIdentity, ScanState, canonical
from kyodaku.scan.worker import EXCLUDED_LIST, KEPT_DIR, KEPT_LIST, ShardOutcome, reason_counts

SUMMARY_JSON = "summary.json"
SUMMARY_MD = "summary.md"
SUMMARY_FORMAT = "kyodaku-scan-summary/1"


def concatenate(parts: Sequence[Path], name: str, target: Path) -> None:
    """The shards' lists joined in plan order, written atomically."""
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part / name, "rb") as src:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
    tmp.replace(target)


def summarize(identity: ScanIdentity, outcomes: Sequence[ShardOutcome]) -> dict[str, Any]:
    holders: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        for owner_id, data in outcome.by_rightsholder.items():
            holder = holders.setdefault(
                owner_id,
                {
                    "id": owner_id,
                    "name": data["name"],
                    "country": data["country"],
                    "samples": 0,
                    "entities": {},
                },
            )
            holder["samples"] += data["samples"]
            for entity, n in data["entities"].items():
                holder["entities"][entity] = holder["entities"].get(entity, 0) + n
    for holder in holders.values():
        holder["entities"] = dict(sorted(holder["entities"].items()))
    counts = {
        "shards": len(outcomes),
        "samples": sum(o.samples for o in outcomes),
        "kept": sum(o.kept for o in outcomes),
        "excluded": sum(o.excluded for o in outcomes),
        "kept_with_warnings": sum(o.warned for o in outcomes),
    }
    return {
        "format": SUMMARY_FORMAT,
        "dataset": Path(identity.dataset).name,
        "layout": identity.layout,
        "settings": identity.settings,
        "registry": identity.registry,
        "counts": counts,
        "by_reason": reason_counts(outcomes),
        "by_rightsholder": [holders[k] for k in sorted(holders)],
    }


def render_markdown(summary: dict[str, Any]) -> str:
    """The summary for a person: counts, reasons, rightsholders and their entries."""
    c, s = summary["counts"], summary["settings"]
    lines = [
        f"# Scan of {summary['dataset']} ({summary['layout']})",
        "",
        f"Licensee `{s['licensee']}`, region {s['region'] or 'any'}, use `train`, "
        f"permissions as of {s['at']}.",
        f"Registry: {_registry(summary['registry'])}.",
        "",
        f"- samples: {c['samples']:,} in {c['shards']:,} shards",
        f"- kept: {c['kept']:,}"
        + (
            f" ({c['kept_with_warnings']:,} with unreadable parts reported)"
            if c["kept_with_warnings"]
            else ""
        ),
        f"- excluded: {c['excluded']:,}",
        "",
        "## By reason",
        "",
        "| reason | samples |",
        "| --- | ---: |",
    ]
    lines += [f"| `{reason}` | {n:,} |" for reason, n in summary["by_reason"].items()] or ["| (none) | 0 |"]
    lines += [
        "",
        "## By rightsholder",
        "",
        "| rightsholder | country | samples | entries |",
        "| --- | --- | ---: | --- |",
    ]
    for h in summary["by_rightsholder"]:
        entries = ", ".join(f"{e} ({n:,})" for e, n in h["entities"].items())
        lines.append(f"| {h['name']} (`{h['id']}`) | {h['country']} | {h['samples']:,} | {entries} |")
    if not summary["by_rightsholder"]:
        lines.append("| (none) | | 0 | |")
    return "\n".join(lines) + "\n"


def _registry(registry: dict[str, Any]) -> str:
    if registry.get("source") == "catalog":
        return f"catalog file {registry.get('file')} (sha256 {str(registry.get('sha256'))[:16]}...)"
    return f"database version {registry.get('version')}"


def finish(
    state: ScanState,
    identity: ScanIdentity,
    layout: Layout,
    shards: Sequence[Shard],
    signing_key: Path,
) -> dict[str, Any]:
    """Write the final outputs from the done shards; returns the summary."""
    from kyodaku.audit.signing import load_private_key
    from kyodaku.scan.manifest import build_manifest, write_signed

    private_key = load_private_key(signing_key)  # before writing anything: a bad key stops here
    out = state.out
    parts = [state.part(s.id) for s in shards]
    outcomes = [ShardOutcome.load(p) for p in parts]
    layout.merge([(s, p / KEPT_DIR) for s, p in zip(shards, parts, strict=True)], out / DATA_DIR)
    concatenate(parts, KEPT_LIST, out / KEPT_LIST)
    concatenate(parts, EXCLUDED_LIST, out / EXCLUDED_LIST)
    summary = summarize(identity, outcomes)
    write_atomic(out / SUMMARY_JSON, canonical(summary) + b"\n")
    write_atomic(out / SUMMARY_MD, render_markdown(summary).encode("utf-8"))
    # A manifest layout's shards all read the same manifest file: list each input file once.
    inputs = list({f["path"]: f for o in outcomes for f in o.inputs}.values())
    inputs.sort(key=lambda f: f["path"])
    manifest = build_manifest(
        out,
        input={"dataset": Path(identity.dataset).name, "layout": identity.layout, "shards": len(shards),
               "files": inputs},
        registry=identity.registry,
        settings=identity.settings,
        counts=summary["counts"],
        tool={"name": "kyodaku", "version": __version__},
        public_key=private_key.public_key(),
    )  # fmt: skip
    write_signed(out, manifest, private_key)
    state.mark_complete()  # before the parts go: a finished scan never looks unstarted
    state.drop_parts()
    return summary
