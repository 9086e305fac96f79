"""Reports that show, in figures, how the guard treats every rightsholder (issue 11, part 4).

* `transparency.py`: decisions and blocks from the generation ledger, by rightsholder, country,
  kind, matcher, script of the prompt and day, plus the claims desk's figures.
* `parity.py`: block rates of equivalent requests per rightsholder country, from a labelled prompt
  set (`labelled.py`, one shipped, built from the demo catalog) or from the ledger, with the JP − US
  gap, its interval and a flag when it is both real and large.
* `stats.py`: the Wilson and Newcombe intervals behind every figure.
* `render.py`: the same reports as self-contained HTML (inline SVG charts, English or Japanese).

Everything here reads: it screens the labelled set through a guard without recording it, and reads
the ledger; it changes nothing. The command line (`kyodaku report ...`) and the HTTP API
(`GET /v1/reports/...`) are thin layers over these functions.
"""

from kyodaku.reports.labelled import ParityItem, ParitySet, build_parity_set, load_parity_set
from kyodaku.reports.parity import ParityReport, parity_from_ledger, parity_report
from kyodaku.reports.render import render_parity_html, render_transparency_html
from kyodaku.reports.stats import Difference, Proportion, newcombe, wilson
from kyodaku.reports.transparency import ClaimsFigures, TransparencyReport, transparency_report

__all__ = [
    "ClaimsFigures",
    "Difference",
    "ParityItem",
    "ParityReport",
    "ParitySet",
    "Proportion",
    "TransparencyReport",
    "build_parity_set",
    "load_parity_set",
    "newcombe",
    "parity_from_ledger",
    "parity_report",
    "render_parity_html",
    "render_transparency_html",
    "transparency_report",
    "wilson",
]
