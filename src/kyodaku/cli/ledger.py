"""`kyodaku ledger ...` (the generation ledger: verify, heads, proofs, entries) and `kyodaku trace`.

The ledger lives in the registry database (`--db`, KYODAKU_DATABASE_URL). `check-proof` needs no
database at all: it is what an auditor runs with a proof file and the operator's public key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, database_url, err, out
from kyodaku.domain.errors import IntegrityError, InvalidInput

ledger_app = typer.Typer(
    no_args_is_help=True, help="The generation ledger: verify, sign heads, prove entries."
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _open(db: str | None):
    from kyodaku.provenance.ledger import Ledger

    return Ledger(database_url(db))


def _print(value: object) -> None:
    out.print_json(json.dumps(value, ensure_ascii=False))


@ledger_app.command("verify")
def verify(
    db: DbOpt = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="Check the signed heads' signatures with this key.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every entry's hash, the chain, and every signed head; name each altered, removed or
    reordered entry (exit 9 when anything is wrong)."""
    from kyodaku.provenance.verify import verify_ledger

    ledger = _open(db)
    try:
        report = verify_ledger(ledger, public_key)
    finally:
        ledger.close()
    if as_json:
        _print(report.to_dict())
    elif report.ok:
        signed = (
            f", {report.signatures_checked} signatures" if public_key else " (signatures not checked: no key)"
        )
        err.print(
            f"[green]verified[/]: {report.entries:,} entries, chain and {report.heads} signed heads{signed}"
        )
    else:
        for problem in report.problems:
            err.print(f"[red]{problem.kind}[/]: ", end="")
            err.print(problem.message, markup=False)
    report.raise_for()


@ledger_app.command("head")
def head(
    db: DbOpt = None,
    signing_key: Annotated[
        Path | None,
        typer.Option("--signing-key", help="Sign a new head over every entry now (else print the latest)."),
    ] = None,
) -> None:
    """Sign a tree head over the ledger as it is now (with --signing-key), or print the latest one."""
    ledger = _open(db)
    try:
        tree_head = ledger.sign_head(signing_key) if signing_key else ledger.latest_head()
    finally:
        ledger.close()
    _print(tree_head.to_dict())


@ledger_app.command("show")
def show(
    entry_id: Annotated[str, typer.Argument(help="A ledger entry id (le_...).")], db: DbOpt = None
) -> None:
    """Print one ledger entry."""
    ledger = _open(db)
    try:
        _print(ledger.get(entry_id).to_dict())
    finally:
        ledger.close()


@ledger_app.command("proof")
def proof(
    entry_id: Annotated[str, typer.Argument(help="A ledger entry id (le_...).")],
    db: DbOpt = None,
    tree_size: Annotated[
        int | None, typer.Option(help="Prove against the head of this size (default: the latest).")
    ] = None,
) -> None:
    """Print an inclusion proof of an entry against a signed head (JSON, for `check-proof`)."""
    ledger = _open(db)
    try:
        _print(ledger.proof(entry_id, tree_size).to_dict())
    finally:
        ledger.close()


@ledger_app.command("check-proof")
def check_proof(
    proof_file: Annotated[Path, typer.Argument(help="A proof from `kyodaku ledger proof`.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="The ledger operator's public key.")],
) -> None:
    """Check a proof without the ledger: the head's signature, then the entry's path to its root."""
    import base64

    from kyodaku.audit.merkle import verify_inclusion
    from kyodaku.audit.signing import load_public_key
    from kyodaku.audit.signing import verify as verify_signature

    try:
        data = json.loads(proof_file.read_text("utf-8"))
        head = data["head"]
        signed = head["signed"].encode("utf-8")
        statement = json.loads(signed)
        path = [bytes.fromhex(p) for p in data["audit_path"]]
        body = data["entry_body"].encode("utf-8")
        index, size = int(data["leaf_index"]), int(statement["tree_size"])
        root = bytes.fromhex(statement["root_hash"])
        signature = base64.b64decode(head["signature"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            f"{proof_file}: not a kyodaku ledger proof ({exc})", file=str(proof_file)
        ) from None
    verify_signature(load_public_key(public_key), signed, signature)
    if not verify_inclusion(body, index, size, path, root):
        raise IntegrityError(
            f"{proof_file}: the entry is not entry {index} of the signed tree of {size} entries "
            "(the entry, the path or the head was changed)"
        )
    err.print(
        f"[green]proved[/]: entry {data.get('entry_id')} is entry {index} of the ledger whose signed head "
        f"covers {size} entries (root {statement['root_hash'][:16]}…)"
    )


def trace(
    file: Annotated[Path, typer.Argument(help="An output found later (image or video).")],
    db: DbOpt = None,
    trust_anchors: Annotated[
        Path | None,
        typer.Option(help="PEM roots whose C2PA signers are believed (the operator's published root)."),
    ] = None,
    radius: Annotated[int, typer.Option(help="PDQ distance that still counts as the same picture.")] = 31,
    as_json: JsonOpt = False,
) -> None:
    """Find the ledger entries an output leads to: exact bytes, perceptual hashes, the watermark and
    content credentials; each match says how it was found."""
    from kyodaku.provenance.trace import TraceOptions
    from kyodaku.provenance.trace import trace as run_trace

    if not file.is_file():
        raise InvalidInput(f"{file}: no such file", file=str(file))
    ledger = _open(db)
    try:
        options = TraceOptions(radius=radius, trust_anchors=trust_anchors)
        result = run_trace(ledger, file.read_bytes(), options=options, name=file.name)
    finally:
        ledger.close()
    if as_json:
        _print(result.to_dict())
        return
    if not result.matches:
        err.print(f"{file}: no ledger entry leads to this {result.media_type or 'file'}")
    for m in result.matches:
        data = m.entry.data
        distance = f" (PDQ distance {m.distance})" if m.distance is not None else ""
        out.print(
            f"{m.entry.entry_id}  {data.get('time')}  {data.get('verdict')}  "
            f"found by {', '.join(m.how)}{distance}",
            markup=False,
        )
    for note in result.notes:
        err.print(f"note: {note}", markup=False)


_SAVE = {"JPEG": {"quality": 95}, "WEBP": {"quality": 95}, "PNG": {}, "TIFF": {}, "GIF": {}}


def mark(
    file: Annotated[Path, typer.Argument(help="An output the guard allowed (image or video).")],
    entry: Annotated[str, typer.Option("--entry", help="Its ledger entry id (le_...).")],
    output: Annotated[Path, typer.Option("--out", "-o", help="Where to write the marked file.")],
    db: DbOpt = None,
    cert: Annotated[
        Path | None, typer.Option(help="Operator's certificate chain (PEM) to sign C2PA content credentials.")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="The private key (PEM) of --cert.")] = None,
    watermark: Annotated[
        bool, typer.Option("--watermark/--no-watermark", help="Embed the invisible watermark (default on).")
    ] = True,
) -> None:
    """Stamp an output with its ledger entry: an invisible watermark carrying the entry's short id
    (survives stripped metadata and re-encoding) and, with --cert/--key, signed content credentials."""
    import io
    import tempfile

    from PIL import Image, UnidentifiedImageError

    if not file.is_file():
        raise InvalidInput(f"{file}: no such file", file=str(file))
    if output.resolve() == file.resolve():
        raise InvalidInput("--out must be another file: the original is kept")
    if (cert is None) != (key is None):
        raise InvalidInput("content credentials need both --cert and --key")
    ledger = _open(db)
    try:
        found = ledger.get(entry)
    finally:
        ledger.close()
    data = file.read_bytes()
    if watermark:
        from kyodaku.provenance.watermark import embed, embed_video

        try:
            with Image.open(io.BytesIO(data)) as im:
                fmt = im.format or "PNG"
                im.load()
                marked = embed(im, found.short_id)
            buf = io.BytesIO()
            marked.save(buf, fmt, **_SAVE.get(fmt, {}))
            data = buf.getvalue()
        except UnidentifiedImageError:
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / f"marked{file.suffix or '.mp4'}"
                embed_video(file, target, found.short_id)
                data = target.read_bytes()
    if cert is not None and key is not None:
        from kyodaku.provenance.credentials import CredentialSigner, stamp

        data = stamp(data, None, found.entry_id, CredentialSigner.from_files(cert, key))
    from kyodaku.atomic import write_atomic

    write_atomic(output, data)
    what = " and content credentials" if cert else ""
    err.print(f"wrote {output}: watermark (short id {found.short_id}){what} for {found.entry_id}")
