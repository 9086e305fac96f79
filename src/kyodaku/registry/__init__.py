"""The registry: catalog files, the versioned SQL store, and who may change what.

- `catalog`        catalog files (YAML/JSON): load with located issues, dump, convert
- `integrity`      the rules between entries, shared by files and the store
- `store`          RegistryStore: SQLite or PostgreSQL, history kept; owns the engine and its parts:
  - `versions`       version rows, history, whole catalogs at a version
  - `entries`        puts, removals and reads of rightsholders, entities, permissions
  - `catalog_import` a whole catalog imported as one version
  - `reference_rows` references attached to entries, with a before-commit hook for their files
  - `content_rows`   hash rows and descriptors kept once per content
  - `apikeys`        API keys
- `service`        RegistryService: the same operations, authorized per caller

The registry records the hashes it is given and imports nothing of `kyodaku.media`; attaching
files (hashing them, keeping them) is `kyodaku.refs`. Import the submodules directly; this package
imports nothing heavy on its own.
"""
