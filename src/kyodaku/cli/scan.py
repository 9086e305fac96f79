"""`kyodaku scan` (training-data consent scan) and `kyodaku manifest keygen|verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, database_url, err, out
from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import to_utc

manifest_app = typer.Typer(no_args_is_help=True, help="Signing keys and verification of scan manifests.")


def scan(
    dataset: Annotated[
        Path,
        typer.Argument(help="A folder, a .tar / folder of WebDataset shards, or a .jsonl/.parquet manifest."),
    ],
    licensee: Annotated[str, typer.Option(help="The trainer whose `train` permissions are checked.")],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder (new, or this same scan to resume).")
    ],
    signing_key: Annotated[
        Path | None,
        typer.Option(
            "--signing-key",
            envvar="KYODAKU_SCAN_SIGNING_KEY",
            help="Ed25519 private key (kyodaku manifest keygen).",
        ),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Region of the training (ISO country code).")] = None,
    at: Annotated[
        str | None,
        typer.Option(help="Read permissions as of this time (ISO); default: when the scan starts."),
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", "-c", help="A catalog file instead of the registry database.")
    ] = None,
    db: DbOpt = None,
    layout: Annotated[
        str | None, typer.Option(help="folder, webdataset, jsonl or parquet (default: detected).")
    ] = None,
    executor: Annotated[str, typer.Option(help="local (all cores) or ray.")] = "local",
    workers: Annotated[
        int | None, typer.Option(help="Processes (local) or CPUs (local Ray); default: every core.")
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option(help="A running Ray cluster (e.g. auto); default: start a local one.")
    ] = None,
    caption_column: Annotated[str, typer.Option(help="Manifest column holding the caption.")] = "caption",
    path_column: Annotated[str, typer.Option(help="Manifest column holding the media file's path.")] = "path",
    id_column: Annotated[
        str | None, typer.Option(help="Manifest column holding a stable sample id (default: the row number).")
    ] = None,
    media_root: Annotated[
        Path | None,
        typer.Option(help="Folder a manifest's relative paths start from (default: the manifest's)."),
    ] = None,
    shard_size: Annotated[int, typer.Option(help="Samples per shard for folders and manifests.")] = 1000,
    checks: Annotated[
        str, typer.Option(help="Comma-separated: caption, media, signals.")
    ] = "caption,media,signals",
    media: Annotated[
        str,
        typer.Option(
            help="How images are matched: full (PDQ and local features, as the generation guard) or "
            "pdq (about twice as fast; crops of a tenth or more are no longer found).",
        ),
    ] = "full",
    report_unreadable: Annotated[
        bool,
        typer.Option(
            "--report-unreadable",
            help="Keep samples whose only fault is something unreadable (listed as warnings) "
            "instead of excluding them.",
        ),
    ] = False,
    semantic: Annotated[
        bool | None,
        typer.Option("--semantic/--no-semantic", help="The multilingual embedding model for captions."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Screen a training dataset against the registry and every opt-out signal; write the kept samples,
    the excluded list with reasons, a summary, and a signed manifest into --out."""
    from kyodaku.scan.engine import scan as run_scan
    from kyodaku.scan.layout import ReaderOptions
    from kyodaku.scan.options import ScanOptions
    from kyodaku.scan.progress import progress_bar

    when = None
    if at:
        try:
            from datetime import datetime

            when = to_utc(datetime.fromisoformat(at))
        except ValueError as exc:
            raise InvalidInput(f"--at {at!r} is not an ISO date/time") from exc
    options = ScanOptions(
        dataset=dataset,
        licensee=licensee,
        out=out_dir,
        region=region,
        at=when,
        catalog=catalog,
        database_url=None if catalog is not None else database_url(db),
        signing_key=signing_key,
        layout=layout,
        reader=ReaderOptions(
            caption_column=caption_column,
            path_column=path_column,
            id_column=id_column,
            shard_size=shard_size,
            media_root=media_root,
        ),
        checks=tuple(c.strip() for c in checks.split(",") if c.strip()),
        media=media,
        report_unreadable=report_unreadable,
        semantic=semantic,
        executor=executor,
        workers=workers,
        ray_address=ray_address,
    )
    with progress_bar(err) as hooks:
        report = run_scan(options, hooks)
    if as_json:
        out.print_json(json.dumps(report.summary, ensure_ascii=False))
        return
    c = report.counts
    if report.already_complete:
        err.print(f"{out_dir} already holds this scan, complete: nothing to do")
    elif report.resumed_shards:
        err.print(f"resumed: {report.resumed_shards} of {report.shards} shards were done by an earlier run")
    err.print(
        f"[bold]{c.get('samples', 0):,}[/] samples: [green]{c.get('kept', 0):,} kept[/], "
        f"[red]{c.get('excluded', 0):,} excluded[/]"
        + (
            f" ({report.samples_per_second:,.0f} samples/s, {report.samples_per_cpu_second:,.0f} per "
            f"CPU second; {report.setup_seconds:.1f} s loading the guard)"
            if report.samples_scanned
            else ""
        )
    )
    for reason, n in report.summary.get("by_reason", {}).items():
        err.print(f"  {reason}: {n:,}", markup=False)
    err.print(
        f"outputs in {out_dir}: data/, kept.jsonl, excluded.jsonl, summary.json, summary.md, "
        "manifest.json, manifest.sig"
    )


@manifest_app.command("keygen")
def keygen(
    private: Annotated[
        Path, typer.Option("--private", help="Where to write the private key (PEM, mode 0600).")
    ] = Path("kyodaku-scan.key"),
    public: Annotated[
        Path, typer.Option("--public", help="Where to write the public key (PEM) for auditors.")
    ] = Path("kyodaku-scan.pub"),
) -> None:
    """Create an Ed25519 key pair for signing scan manifests (refuses to overwrite a key)."""
    from kyodaku.audit.signing import generate_keypair, key_id, load_public_key

    generate_keypair(private, public)
    err.print(
        f"wrote {private} (keep it secret) and {public} (give it to auditors); "
        f"key id {key_id(load_public_key(public))}"
    )


@manifest_app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="A scan's --out folder.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="The signer's public key (PEM).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check a scan's signature, Merkle roots and every output file; name whatever changed."""
    from kyodaku.audit.signing import load_public_key
    from kyodaku.scan.manifest import raise_for, verify_output

    report = verify_output(folder, load_public_key(public_key))
    if as_json:
        out.print_json(
            json.dumps(
                {"ok": report.ok, "problems": [p.__dict__ for p in report.problems]}, ensure_ascii=False
            )
        )
    elif report.ok:
        counts = report.manifest.get("counts", {})
        err.print(
            f"[green]verified[/]: signature, Merkle roots and "
            f"{len(report.manifest.get('outputs', []))} output files "
            f"match ({counts.get('kept', 0):,} kept, {counts.get('excluded', 0):,} excluded)"
        )
    raise_for(report)
