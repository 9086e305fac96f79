"""`kyodaku keys`: API keys for the HTTP API, made at the machine itself (so with full rights)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kyodaku.cli.common import DbOpt, database_url, err

keys_app = typer.Typer(no_args_is_help=True, help="Manage API keys (admin).")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, operator or rightsholder")],
    rightsholder: Annotated[str | None, typer.Option(help="Rightsholder id (for role rightsholder).")] = None,
    label: str | None = None,
    db: DbOpt = None,
) -> None:
    """Create an API key (printed once; only its hash is stored)."""
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(database_url(db))
    store.migrate()
    created = store.create_key(role, rightsholder=rightsholder, label=label)
    err.print(
        f"created key {created.id} ({role}{' for ' + rightsholder if rightsholder else ''}); store it now:"
    )
    sys.stdout.write(created.secret + "\n")  # alone on stdout, so that a script can capture it
