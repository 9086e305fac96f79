"""Reference media between the registry and the media matchers.

The registry records bytes and hashes it is given and knows nothing of how they are made; the
media package hashes and matches and knows nothing of the registry. This package is the only one
that knows both: it attaches files to entries (`ingest`: stage, hash, record, store) and turns a
registry version's references into a media reference bank (`banks`).
"""
