"""API keys: the secret is shown once and never stored; unknown, revoked or missing keys are refused."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import create_engine, text

from kyodaku.domain.access import Principal, Role
from kyodaku.domain.errors import InvalidInput, NotFound, Unauthenticated
from kyodaku.registry.database import normalize_url


def test_when_a_key_is_created_then_its_secret_authenticates_as_its_role(loaded):
    admin = loaded.create_key(Role.ADMIN, label="ops laptop")
    holder = loaded.create_key("rightsholder", rightsholder="studio-a")
    assert admin.secret.startswith("kyk_") and len(admin.secret) > 40
    assert loaded.authenticate(admin.secret) == Principal(admin.id, Role.ADMIN, None)
    assert loaded.authenticate(holder.secret) == Principal(holder.id, Role.RIGHTSHOLDER, "studio-a")
    assert admin.secret not in repr(admin)


def test_when_keys_are_stored_then_only_a_hash_of_the_secret_is_kept(loaded, database_url):
    created = loaded.create_key(Role.OPERATOR)
    engine = create_engine(normalize_url(database_url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_keys")).mappings().all()
    engine.dispose()
    stored = " ".join(str(v) for row in rows for v in row.values())
    assert created.secret not in stored
    assert hashlib.sha256(created.secret.encode()).hexdigest() in stored


@pytest.mark.parametrize("secret", [None, "", "kyk_not-a-real-key", "Bearer nonsense", "kyk_" + "x" * 500])
def test_when_a_secret_is_missing_or_unknown_then_unauthenticated(loaded, secret):
    loaded.create_key(Role.ADMIN)
    with pytest.raises(Unauthenticated):
        loaded.authenticate(secret)


def test_when_a_key_is_revoked_then_it_no_longer_authenticates(loaded):
    created = loaded.create_key(Role.OPERATOR)
    loaded.revoke_key(created.id)
    with pytest.raises(Unauthenticated):
        loaded.authenticate(created.secret)
    loaded.revoke_key(created.id)  # again: still revoked, no error
    (info,) = loaded.list_keys()
    assert info.revoked_at is not None and info.prefix == created.secret[:12]


def test_when_a_key_is_wrongly_asked_for_then_it_is_refused(loaded):
    with pytest.raises(InvalidInput, match="unknown rightsholder"):
        loaded.create_key(Role.RIGHTSHOLDER, rightsholder="nobody")
    with pytest.raises(InvalidInput):
        loaded.create_key(Role.RIGHTSHOLDER)  # which rightsholder?
    with pytest.raises(InvalidInput):
        loaded.create_key(Role.OPERATOR, rightsholder="studio-a")
    with pytest.raises(InvalidInput, match="unknown role"):
        loaded.create_key("superuser")
    with pytest.raises(NotFound):
        loaded.revoke_key("key_missing")
    assert loaded.list_keys() == []
