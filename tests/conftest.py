"""Shared fixtures.

`database_url` runs a test twice: on a fresh SQLite file and on a fresh
PostgreSQL database. The PostgreSQL server is a throwaway one this harness
starts from the machine's own PostgreSQL binaries (Debian's `postgresql`
package; `make system-deps` installs it) on 127.0.0.1, once per session. Set
KYODAKU_TEST_POSTGRES_URL (e.g. `postgresql+psycopg://postgres@db:5432/postgres`)
to use an existing server's database instead (tests make and drop schemas in
it). Without either, the PostgreSQL runs are skipped with the reason printed;
SQLite runs always happen.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from kyodaku.matching import ContentKind, MatchResult, Stage, register_matcher
from kyodaku.matching.base import unregister_matcher

POSTGRES_URL_ENV = "KYODAKU_TEST_POSTGRES_URL"


@dataclass
class PostgresServer:
    """A PostgreSQL database the tests may create and drop schemas in.

    Each test gets a schema of its own (selected through the connection's
    search_path) rather than a database: CREATE DATABASE costs about half a
    second, CREATE SCHEMA a millisecond, and both leave the test an empty registry.
    """

    url: str  # SQLAlchemy URL of the database

    def _connect(self):  # psycopg is imported lazily: SQLite-only runs need no driver
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.url)
        return psycopg.connect(
            host=url.host, port=url.port, user=url.username, password=url.password,
            dbname=url.database or "postgres", autocommit=True,
        )  # fmt: skip

    def create_schema(self) -> str:
        """A new empty schema; returns a URL whose connections use only it."""
        from sqlalchemy.engine import make_url

        name = "kyodaku_test_" + uuid.uuid4().hex[:12]
        with self._connect() as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        url = make_url(self.url).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def drop_schema(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).query["options"].removeprefix("-csearch_path=")
        with self._connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _LocalServer:
    """Start and stop a PostgreSQL cluster in a temporary folder, as a non-root user."""

    def __init__(self) -> None:
        self.base: Path | None = None
        self.pg_ctl: str | None = None
        self.prefix: list[str] = []

    def start(self) -> PostgresServer | str:
        """The running server, or the reason there is none."""
        initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
        initdb = initdbs[-1]
        if not initdb:
            return "PostgreSQL server binaries (initdb) not found; `make system-deps` installs them"
        self.pg_ctl = str(Path(initdb).with_name("pg_ctl"))
        uid = gid = None
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as the `postgres` system user
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no `postgres` user to run the server as"
            uid, gid = user.pw_uid, user.pw_gid
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.base = Path(tempfile.mkdtemp(prefix="kyodaku-pg-"))
        if uid is not None:
            os.chown(self.base, uid, gid)
        data, log, port = self.base / "data", self.base / "server.log", _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {self.base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        steps = [
            [initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
            [self.pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
        ]
        for step in steps:
            try:
                done = subprocess.run([*self.prefix, *step], capture_output=True, text=True, timeout=120)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return f"could not start PostgreSQL: {exc}"
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                log_tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
                return f"could not start PostgreSQL ({Path(step[0]).name}): {' | '.join(tail + log_tail)}"
        server = PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
        with server._connect() as conn:
            conn.execute("CREATE DATABASE kyodaku_test")
        return PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/kyodaku_test")

    def stop(self) -> None:
        if self.base is None:
            return
        data = self.base / "data"
        if self.pg_ctl and (data / "postmaster.pid").exists():
            subprocess.run([*self.prefix, self.pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                           capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session; skips (saying why) when none can be had."""
    external = os.environ.get(POSTGRES_URL_ENV)
    if external:
        yield PostgresServer(external)
        return
    local = _LocalServer()
    try:
        started = local.start()
        if isinstance(started, str):
            pytest.skip(started)
        yield started
    finally:
        local.stop()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of its own (PostgreSQL: a schema of its own), on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_schema()
    try:
        yield url
    finally:
        server.drop_schema(url)


class BuggyMatcher:
    """A plug-in matcher with a bug: raises IndexError on a prompt containing "poison" (any case)
    and on an image or video whose name contains it. The failure tests of the guard, the CLI and
    the API provoke an unexpected error with it, through the public `register_matcher`."""

    name: ClassVar[str] = "test-buggy"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset(ContentKind)
    stage: ClassVar[Stage] = Stage.FIND

    def __init__(self, options) -> None:
        self.options = options

    @classmethod
    def enabled(cls, options) -> bool:
        return True

    def match(self, content, snapshot, earlier) -> MatchResult:
        what = content.text if content.kind is ContentKind.PROMPT else content.name
        if "poison" in what.lower():
            raise IndexError("tuple index out of range")
        return MatchResult()


@pytest.fixture
def buggy() -> Iterator[type[BuggyMatcher]]:
    """BuggyMatcher registered for the test, unregistered after it."""
    register_matcher(BuggyMatcher)
    try:
        yield BuggyMatcher
    finally:
        unregister_matcher(BuggyMatcher.name)
