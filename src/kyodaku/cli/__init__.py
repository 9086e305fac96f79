"""The `kyodaku` command: the command groups assembled on one typer app, and `main`.

Layout, so that dependencies flow one way and nothing imports this package back:

    common.py   consoles, shared options, database URL, screening context, decision rendering,
                progress bars, atomic JSONL output, attaching reference files
    screen.py   kyodaku screen            media.py    kyodaku screen-media
    catalog.py  kyodaku catalog ...       refs.py     kyodaku refs ...
    keys.py     kyodaku keys ...          serve.py    kyodaku serve
    scan.py     kyodaku scan, kyodaku manifest keygen|verify
    ledger.py   kyodaku ledger verify|head|show|proof|check-proof, kyodaku trace, kyodaku mark
    cases.py    kyodaku cases list|due|overdue|show|move
    report.py   kyodaku report transparency|parity
    demo.py     kyodaku demo

Each command module imports `common` (and the library), never another command module; this module
imports the command modules and registers them. Heavy libraries (the guard and its models, the SQL
store, Pillow, the API) are imported inside the command functions that need them, not to dodge a
cycle but so that `kyodaku --help`, shell completion and a mistyped option answer at once.

Errors become exit codes in one place (`run`): every KyodakuError carries its own code (README,
"Exit codes"), click's usage errors keep theirs (2), Ctrl-C is 130, and anything else is a bug:
exit 70 (EX_SOFTWARE) with one line on stderr, the traceback only with `--debug` (or
KYODAKU_DEBUG=1), so that users see what failed without a wall of frames.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, NoReturn

import typer

from kyodaku.cli import cases, catalog, demo, keys, ledger, media, refs, report, scan, screen, serve
from kyodaku.cli.common import err
from kyodaku.domain.errors import KyodakuError

INTERNAL_ERROR = 70
"""Exit code of an unexpected exception (a bug): sysexits' EX_SOFTWARE."""
INTERRUPTED = 130
"""Exit code after Ctrl-C: 128 + SIGINT, as shells report it."""

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="kyodaku (許諾): consent-first rights control for generative AI.",
)


@dataclass
class _RunOptions:
    debug: bool = False


_options = _RunOptions()
"""The global options of the command line being run. The callback records them here because the
error handling in `run` happens after click's context is gone."""


@app.callback()
def _global_options(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", envvar="KYODAKU_DEBUG", help="On an error, print the full traceback (for bug reports)."
        ),
    ] = False,
) -> None:
    # No docstring: typer would show it instead of the app's help.
    _options.debug = debug


app.command("screen")(screen.screen)
app.command("screen-media")(media.screen_media)
app.command("serve")(serve.serve)
app.command("scan")(scan.scan)
app.command("demo")(demo.demo)
app.command("trace")(ledger.trace)
app.command("mark")(ledger.mark)
app.add_typer(catalog.catalog_app, name="catalog")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(refs.refs_app, name="refs")
app.add_typer(scan.manifest_app, name="manifest")
app.add_typer(ledger.ledger_app, name="ledger")
app.add_typer(cases.cases_app, name="cases")
app.add_typer(report.report_app, name="report")


def run(args: Sequence[str] | None = None) -> int:
    """Run one command line (`args`, default sys.argv[1:]) and return its exit code; what went wrong
    is printed on stderr. In process, so that tests need no subprocess."""
    _options.debug = False
    try:
        code = app(args=None if args is None else list(args), prog_name="kyodaku", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except KyodakuError as exc:
        _print_traceback(exc)
        _print_error(exc)
        return exc.exit_code
    except typer.Exit as exc:  # a command chose its exit code
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return INTERRUPTED
    except Exception as exc:
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            return exc.exit_code  # type: ignore[attr-defined]
        _print_traceback(exc)
        name = type(exc).__qualname__
        if type(exc).__module__ != "builtins":
            name = f"{type(exc).__module__}.{name}"
        message = " ".join(str(exc).split())
        hint = "" if _options.debug else " — rerun with --debug for the traceback"
        err.print("[bold red]error[/] (internal): ", end="")
        err.print(f"{name}: {message}{hint}" if message else f"{name}{hint}", markup=False)
        return INTERNAL_ERROR


def main(args: Sequence[str] | None = None) -> NoReturn:
    """The console script `kyodaku` (and `python -m kyodaku`): run, then exit with the code."""
    sys.exit(run(args))


def _is_usage_error(exc: Exception) -> bool:
    """click's usage errors (bad option, missing argument, no command): they print themselves and
    carry their exit code. Recognised by shape, because typer now ships its own copy of click whose
    exception classes it does not export (and older typers use click's)."""
    return isinstance(getattr(exc, "exit_code", None), int) and callable(getattr(exc, "show", None))


def _print_error(exc: KyodakuError) -> None:
    issues = getattr(exc, "issues", None)
    if issues:
        err.print(f"[bold red]error[/] ({exc.code}): {len(issues)} problem(s)")
        for issue in issues[:50]:
            err.print(f"  {issue}", markup=False)
        if len(issues) > 50:
            err.print(f"  ... and {len(issues) - 50} more")
    else:
        err.print(f"[bold red]error[/] ({exc.code}): ", end="")
        err.print(exc.message, markup=False)


def _print_traceback(exc: BaseException) -> None:
    if _options.debug:
        sys.stderr.write("".join(traceback.format_exception(exc)))
        sys.stderr.flush()
