"""`kyodaku serve`: the HTTP API (FastAPI under uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, database_url


def serve(
    db: DbOpt = None,
    catalog: Annotated[Path | None, typer.Option(help="Import this catalog at start.")] = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--no-semantic", help="Use the multilingual embedding model.")
    ] = None,
    ledger: Annotated[
        bool | None,
        typer.Option(
            "--ledger/--no-ledger", help="Append every decision to the generation ledger (default on)."
        ),
    ] = None,
    ledger_key: Annotated[
        Path | None, typer.Option(help="Ed25519 key that signs tree heads for GET /v1/ledger/head.")
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from kyodaku.api.app import create_app
    from kyodaku.screening import guard_options
    from kyodaku.settings import load_settings

    settings = load_settings()
    keep = settings.ledger if ledger is None else ledger
    key = ledger_key or (Path(settings.ledger_key) if settings.ledger_key else None)
    application = create_app(
        database_url(db), guard_options(semantic), catalog=catalog, ledger=keep, ledger_key=key,
        ledger_prompt_text=settings.ledger_prompt_text,
    )  # fmt: skip
    from kyodaku.refresh import settle_heap

    application.state.refresher.settle_after_rebuild = True
    settle_heap()  # the snapshot just built: out of the collector's sight (see settle_heap)
    uvicorn.run(application, host=host, port=port, log_level="info")
