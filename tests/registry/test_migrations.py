"""The Alembic migrations and the SQLAlchemy models describe the same schema, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from kyodaku.registry.database import normalize_url
from kyodaku.registry.models import Base
from kyodaku.registry.store import RegistryStore


def test_when_migrated_then_the_schema_matches_the_models(database_url):
    store = RegistryStore(database_url)
    store.migrate()
    store.migrate()  # running it again changes nothing
    store.close()
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert {"registry_versions", "rightsholders", "entities", "permissions", "api_keys"} <= tables
