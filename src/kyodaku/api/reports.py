"""The reports over HTTP: `GET /v1/reports/transparency` and `GET /v1/reports/parity`.

Both answer JSON (`format=json`, the default) or a self-contained HTML page (`format=html`,
`lang=en|ja`), the same objects `kyodaku report ...` prints.

Who sees what, and why:

* Admins and operators see the whole report: they run the registry or the generator, and the
  ledger is theirs to account for.
* A rightsholder sees its own rows (the decisions about its own entries: their kinds, matchers,
  scripts, days; its own row of the rightsholder table; its own mismatches in the parity set) plus
  the aggregate per-country figures, because comparing its country's block rate with the others'
  is the very point of the parity report (the complaint was "US characters protected before
  Japanese ones"). A per-country figure is withheld from it where fewer than two *other*
  rightsholders contribute to it, since there it would reveal a competitor's figures by
  subtraction (`reports.common.suppressed_for`). Another rightsholder's name never appears.
* Transparency and ledger parity read the generation ledger, so they need the READ_LEDGER right
  (every role has it today; the check keeps them in step if the table changes). Parity over the
  labelled set screens synthetic prompts only, so any authenticated caller may run it.

Parity over the set screens a few hundred prompts (lexical guard: well under a second; with the
semantic matcher: seconds), in the threadpool (plain `def` routes), never recording them in the
ledger. The full report is cached per registry snapshot and parameters, so repeated reads cost
nothing until the registry changes.

`source=set` uses the shipped set (built from the demo catalog: items naming entries this registry
does not hold are left out and counted); `source=catalog` builds the same templates from this
registry's own entries; `source=ledger` groups the ledger's real decisions by country.

The claims section of the transparency report is a plug-in: when `app.state.claims_figures` is set
to a callable `(principal, since, until) -> figures | None` (the claims desk supplies it), its
figures are reported; otherwise the section says "no claims data".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kyodaku.api.auth import Caller
from kyodaku.domain.access import Action, Principal, Role, require
from kyodaku.domain.errors import ConfigurationError, InvalidInput
from kyodaku.reports.cache import cached_report

router = APIRouter(tags=["reports"])


class ReportUnavailable(ConfigurationError):
    """The server lacks what the report reads (no ledger, no guard): 409, the request cannot be
    answered in the server's current configuration, and retrying will not help until it changes."""

    http_status = 409


FormatQ = Annotated[Literal["json", "html"], Query(alias="format", description="json or html")]
LangQ = Annotated[Literal["en", "ja"], Query(description="Language of the HTML labels")]
SinceQ = Annotated[str | None, Query(description="ISO date/time (UTC): decisions from then on")]
UntilQ = Annotated[
    str | None, Query(description="ISO date/time: decisions before then (a bare date: to its end)")
]


def _viewer(who: Principal) -> str | None:
    return (who.rightsholder or "") if who.role is Role.RIGHTSHOLDER else None


def _ledger(request: Request):
    ledger = getattr(request.app.state, "ledger", None)
    if ledger is None:
        raise ReportUnavailable(
            "this server keeps no generation ledger (KYODAKU_LEDGER=false): there is nothing to report on"
        )
    return ledger


def _window(since: str | None, until: str | None):
    from kyodaku.reports.common import parse_when

    start, end = parse_when(since), parse_when(until, end=True)
    if start and end and start >= end:
        raise InvalidInput("since must be before until")
    return start, end


def _answer(report: Any, fmt: str, lang: str, html: Any) -> Any:
    if fmt == "html":
        return HTMLResponse(html(report, lang))
    return report.to_dict()


@router.get("/v1/reports/transparency", response_model=None)
def transparency(
    request: Request,
    who: Caller,
    fmt: FormatQ = "json",
    lang: LangQ = "en",
    since: SinceQ = None,
    until: UntilQ = None,
) -> Any:
    """Decisions and blocks from the ledger by rightsholder, country, kind, matcher, script and day
    (a rightsholder: its own rows and the per-country totals)."""
    require(who, Action.READ_LEDGER)
    from kyodaku.reports.render import render_transparency_html
    from kyodaku.reports.transparency import transparency_report

    ledger = _ledger(request)
    start, end = _window(since, until)
    supplier = getattr(request.app.state, "claims_figures", None)
    claims = supplier(who, start, end) if callable(supplier) else None
    report = transparency_report(ledger.entries(), since=start, until=end, viewer=_viewer(who), claims=claims)
    return _answer(report, fmt, lang, render_transparency_html)


def _cached(request: Request, key: tuple, compute: Any) -> Any:
    return cached_report(request.app.state, key, compute)


@router.get("/v1/reports/parity", response_model=None)
def parity(
    request: Request,
    who: Caller,
    fmt: FormatQ = "json",
    lang: LangQ = "en",
    source: Annotated[
        Literal["set", "catalog", "ledger"], Query(description="set, catalog or ledger")
    ] = "set",
    threshold: Annotated[float, Query(ge=0.0, lt=1.0, description="Flag gaps larger than this")] = 0.05,
    countries: Annotated[str, Query(description="The two countries compared")] = "JP,US",
    licensee: Annotated[str | None, Query(max_length=200)] = None,
    region: Annotated[str | None, Query(max_length=8)] = None,
    since: SinceQ = None,
    until: UntilQ = None,
) -> Any:
    """Block rates of equivalent requests per country with 95% intervals, and the flagged gap."""
    from kyodaku.reports.parity import parity_from_ledger, parity_report
    from kyodaku.reports.render import render_parity_html

    pair = tuple(c.strip().upper() for c in countries.split(",") if c.strip())
    if len(pair) != 2:
        raise InvalidInput(f"countries needs two country codes, not {countries!r}")
    viewer = _viewer(who)
    if source == "ledger":
        require(who, Action.READ_LEDGER)
        start, end = _window(since, until)
        report = parity_from_ledger(
            _ledger(request).entries(), threshold, since=start, until=end, pair=pair, viewer=viewer
        )
        return _answer(report, fmt, lang, render_parity_html)
    if since or until:
        raise InvalidInput("since/until apply to source=ledger only")
    guard = getattr(request.app.state, "guard", None)
    if guard is None:
        raise ReportUnavailable("this server has no guard to screen the parity set with")

    def compute() -> Any:
        from kyodaku.reports.labelled import ParitySet, build_parity_set, load_parity_set

        if source == "catalog":
            catalog = guard.snapshot.catalog
            items: Any = ParitySet(tuple(build_parity_set(catalog)), f"catalog v{guard.snapshot.version}")
        else:
            items = load_parity_set()
        return parity_report(guard, items, licensee, threshold, region=region, pair=pair)

    key = (guard.snapshot.label, source, licensee, region, threshold, pair)
    report = _cached(request, key, compute)
    if viewer is not None:
        report = report.for_viewer(viewer)
    return _answer(report, fmt, lang, render_parity_html)
