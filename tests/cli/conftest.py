"""How the CLI tests run `kyodaku`.

`cli` runs a command line in this process (`kyodaku.cli.run`, stdout and stderr captured): no
interpreter start-up and no re-import of the guard per test, so a test costs what its command
costs. `kyodaku_process` runs the installed `kyodaku` entry point in a real process; each command
group keeps one such smoke test (tests/cli/test_cli_smoke.py), which is what proves that the
console script, `main` and the exit codes work end to end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

_ISOLATED_ENV = ("KYODAKU_DATABASE_URL", "KYODAKU_REFERENCE_STORE", "KYODAKU_DEBUG")
"""Settings a developer's shell may hold that would point a test at their own registry."""


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path) -> Callable[..., Ran]:
    """Run `kyodaku ARGS...` in process, in an empty working directory (so that a default
    `kyodaku.db` or reference store lands there, not in the checkout)."""
    from kyodaku.cli import run

    for name in _ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Ran:
        capsys.readouterr()  # what earlier calls or fixtures printed is not this command's output
        code = run(list(args))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def kyodaku_process(tmp_path) -> Callable[..., Ran]:
    """Run the real `kyodaku` console script (the venv's, else `python -m kyodaku`) in a process."""
    script = Path(sys.executable).with_name("kyodaku")
    command = [str(script)] if script.exists() else [shutil.which("kyodaku") or ""]
    if not command[0]:
        command = [sys.executable, "-m", "kyodaku"]
    env = {k: v for k, v in os.environ.items() if k not in _ISOLATED_ENV}

    def invoke(*args: str, extra_env: dict[str, str] | None = None) -> Ran:
        done = subprocess.run(
            [*command, *args], capture_output=True, text=True, cwd=tmp_path,
            env={**env, **(extra_env or {})}, timeout=180,
        )  # fmt: skip
        return Ran(done.returncode, done.stdout, done.stderr)

    return invoke
