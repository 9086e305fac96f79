"""One ledger entry in the portal: why a request was decided as it was.

The entry's facts as recorded (time, licensee, region, use, verdict, registry version), the policy's
answer per registered entry (rule and reason) and every finding with its matcher, score and
evidence. Who may read it is the ledger's rule (`LedgerEntry.visible_to`), as for the API: a
rightsholder only entries about its own works, any other id answering 404 like an unknown one.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from kyodaku.domain.access import Action, require
from kyodaku.domain.errors import ConfigurationError, NotFound
from kyodaku.portal.web import PREFIX, render, viewer

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/ledger/{entry_id}")
def ledger_entry(request: Request, entry_id: str):
    who = viewer(request)
    require(who.principal, Action.READ_LEDGER)
    ledger = getattr(request.app.state, "ledger", None)
    if ledger is None:
        raise ConfigurationError("this server keeps no ledger (KYODAKU_LEDGER=false)")
    entry = ledger.get(entry_id)
    if not entry.visible_to(who.principal):
        raise NotFound(f"no ledger entry {entry_id!r}")
    return render(request, "ledger_entry.html", who, entry=entry, data=entry.data)
