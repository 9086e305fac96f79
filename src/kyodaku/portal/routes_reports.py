"""The parity report in the portal: are every country's rightsholders protected alike?

The same report as `kyodaku report parity` and `GET /v1/reports/parity` (the shipped labelled set
screened by this server's guard, cached per registry snapshot), shown inside the portal's layout;
a rightsholder sees the per-country figures and its own rows only (`ParityReport.for_viewer`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from markupsafe import Markup

from kyodaku.portal.web import PREFIX, render, viewer
from kyodaku.reports.cache import cached_report

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/parity")
def parity(request: Request):
    who = viewer(request)
    guard = request.app.state.guard
    from kyodaku.reports.labelled import load_parity_set
    from kyodaku.reports.parity import parity_report
    from kyodaku.reports.render import parity_sections

    pair, threshold = ("JP", "US"), 0.05  # the API's defaults: the same cache entry serves both

    def compute():
        return parity_report(guard, load_parity_set(), None, threshold, region=None, pair=pair)

    key = (guard.snapshot.label, "set", None, None, threshold, pair)
    report = cached_report(request.app.state, key, compute)
    if who.rightsholder:
        report = report.for_viewer(who.rightsholder)
    return render(request, "parity.html", who, sections=Markup("\n".join(parity_sections(report, who.lang))))
