"""Settings come from KYODAKU_* variables, with safe defaults, and refuse bad values clearly."""

from __future__ import annotations

import pytest

from kyodaku.domain.errors import ConfigurationError
from kyodaku.settings import Settings, load_settings


def test_when_nothing_is_set_then_the_safe_defaults_apply(monkeypatch):
    for name in ("DATABASE_URL", "MAX_PROMPT_CHARS", "SEMANTIC", "FAIL_CLOSED", "SNAPSHOT_POLL_SECONDS"):
        monkeypatch.delenv(f"KYODAKU_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///kyodaku.db"
    assert (settings.max_prompt_chars, settings.semantic, settings.fail_closed) == (20_000, True, True)
    assert settings.snapshot_poll_seconds == 0.5


def test_when_environment_variables_are_set_then_they_are_used(monkeypatch):
    monkeypatch.setenv("KYODAKU_DATABASE_URL", "postgresql+psycopg://u@db/kyodaku")
    monkeypatch.setenv("KYODAKU_SEMANTIC", "false")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u@db/kyodaku" and settings.semantic is False


def test_when_a_value_is_invalid_then_configuration_error_names_the_variable(monkeypatch):
    monkeypatch.setenv("KYODAKU_MAX_PROMPT_CHARS", "0")
    with pytest.raises(ConfigurationError, match="KYODAKU_MAX_PROMPT_CHARS"):
        load_settings()
