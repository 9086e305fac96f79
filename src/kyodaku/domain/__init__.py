"""Plain domain types: no I/O, no third-party imports beyond the standard library."""
