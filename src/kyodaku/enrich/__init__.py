"""Extra names for catalog entries from open data, with provenance (docs/enrich.md).

`sources` reads open data files (Danbooru tag aliases, PokeAPI species names) into records;
`match` matches records to catalog entries and proposes their other names, each with its source,
provenance and the ambiguity detector's verdict; `proposals` writes the proposals file and
accepts reviewed proposals into a new catalog; `report` is what the command line prints.

Nothing here changes a catalog by itself: the rightsholder (or the operator with its consent)
reviews the proposals and accepts them explicitly.
"""

from kyodaku.enrich.match import EnrichResult, Proposal, Report, enrich, guess_lang
from kyodaku.enrich.proposals import accept, load_proposals, proposals_document, select, write_json_atomic
from kyodaku.enrich.sources import READERS, Source, SourceData, SourceRecord, open_source

__all__ = [
    "READERS",
    "EnrichResult",
    "Proposal",
    "Report",
    "Source",
    "SourceData",
    "SourceRecord",
    "accept",
    "enrich",
    "guess_lang",
    "load_proposals",
    "open_source",
    "proposals_document",
    "select",
    "write_json_atomic",
]
