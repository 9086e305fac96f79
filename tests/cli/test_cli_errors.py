"""How `kyodaku` ends when something goes wrong: the exit code says what kind of failure it was,
stderr says what failed in one line, and the traceback appears only when asked for (--debug)."""

from pathlib import Path

import pytest

from kyodaku.domain.errors import (
    ConfigurationError,
    Conflict,
    Forbidden,
    NotFound,
    ScreeningUnavailable,
    Unauthenticated,
)

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"


@pytest.fixture
def broken_loader(monkeypatch):
    """`kyodaku catalog validate` whose catalog loader raises what the test gives it."""

    def arm(exc: BaseException) -> None:
        def load_catalog(*_args, **_kwargs):
            raise exc

        monkeypatch.setattr("kyodaku.registry.catalog.load_catalog", load_catalog)

    return arm


def test_when_a_command_fails_unexpectedly_then_exit_code_70_and_one_line_without_traceback(
    cli, broken_loader
):
    broken_loader(RuntimeError("the disk\nvanished"))
    r = cli("catalog", "validate", str(MINI))
    assert r.code == 70
    assert r.stderr.strip().splitlines() == [
        "error (internal): RuntimeError: the disk vanished — rerun with --debug for the traceback"
    ]
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_when_debug_is_given_then_an_unexpected_error_prints_its_traceback(cli, broken_loader):
    broken_loader(RuntimeError("the disk vanished"))
    r = cli("--debug", "catalog", "validate", str(MINI))
    assert r.code == 70
    assert "Traceback (most recent call last)" in r.stderr
    assert "raise exc" in r.stderr  # the frame that raised, not only the message
    assert r.stderr.strip().splitlines()[-1] == "error (internal): RuntimeError: the disk vanished"


def test_when_kyodaku_debug_is_set_then_an_unexpected_error_prints_its_traceback(
    cli, broken_loader, monkeypatch
):
    monkeypatch.setenv("KYODAKU_DEBUG", "1")
    broken_loader(KeyError("pikachu"))
    r = cli("catalog", "validate", str(MINI))
    assert r.code == 70
    assert "Traceback (most recent call last)" in r.stderr
    assert "error (internal): KeyError: 'pikachu'" in r.stderr


def test_when_a_debug_run_follows_then_the_next_run_is_quiet_again(cli, broken_loader):
    broken_loader(RuntimeError("boom"))
    assert "Traceback" in cli("--debug", "catalog", "validate", str(MINI)).stderr
    assert "Traceback" not in cli("catalog", "validate", str(MINI)).stderr


@pytest.mark.parametrize(
    "error", [NotFound, Conflict, Unauthenticated, Forbidden, ScreeningUnavailable, ConfigurationError]
)
def test_when_a_kyodaku_error_is_raised_then_its_own_exit_code_and_message_are_kept(
    cli, broken_loader, error
):
    broken_loader(error("what went wrong [in brackets]"))
    r = cli("catalog", "validate", str(MINI))
    assert r.code == error.exit_code
    assert r.stderr.strip() == f"error ({error.code}): what went wrong [in brackets]"


def test_when_an_option_is_unknown_then_click_usage_error_exit_code_2(cli):
    r = cli("screen", "--no-such-option", "Pikachu")
    assert r.code == 2
    assert "No such option" in r.stderr and "internal" not in r.stderr


def test_when_interrupted_then_exit_code_130(cli, broken_loader):
    broken_loader(KeyboardInterrupt())
    r = cli("catalog", "validate", str(MINI))
    assert r.code == 130
    assert "Traceback" not in r.stderr
