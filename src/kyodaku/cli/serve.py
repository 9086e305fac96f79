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
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from kyodaku.api.app import create_app
    from kyodaku.screening import guard_options

    application = create_app(database_url(db), guard_options(semantic), catalog=catalog)
    uvicorn.run(application, host=host, port=port, log_level="info")
