"""Alembic environment for the registry.

`RegistryStore.migrate()` runs this with an open connection (in
`config.attributes["connection"]`) inside its own transaction, so migrations
need no ini file and no URL in a config. The plain `alembic` command also
works, from this folder's alembic.ini with `-x url=...` or sqlalchemy.url.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from kyodaku.registry.database import make_engine
from kyodaku.registry.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # the plain `alembic` command: an engine of its own
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
