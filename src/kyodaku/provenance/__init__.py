"""Provenance of what kyodaku let out: content credentials and the ledger they point to."""
