"""The registry: catalog files, the versioned SQL store, and who may change what.

- `catalog`   catalog files (YAML/JSON): load with located issues, dump, convert
- `integrity` the rules between entries, shared by files and the store
- `store`     RegistryStore: SQLite or PostgreSQL, history kept, API keys
- `service`   RegistryService: the same operations, authorized per caller

Import the submodules directly; this package imports nothing heavy on its own.
"""
