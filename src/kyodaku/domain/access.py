"""Who is calling: roles and the principal an API key stands for.

Plain values, so the registry service (which decides what each role may do),
the HTTP API and the CLI all speak about callers the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    """Runs the registry: every entry, every permission, API keys."""
    OPERATOR = "operator"
    """Runs a generator behind the guard: reads the registry and screens; changes nothing."""
    RIGHTSHOLDER = "rightsholder"
    """Manages its own entries and permissions, and sees nothing of anyone else's."""


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. `rightsholder` is set exactly when `role` is RIGHTSHOLDER."""

    key_id: str
    role: Role
    rightsholder: str | None = None

    @property
    def actor(self) -> str:
        """How registry history names this caller."""
        who = f"{self.role.value}:{self.rightsholder}" if self.rightsholder else self.role.value
        return f"{who} (key {self.key_id})"


LOCAL_ADMIN = Principal(key_id="local", role=Role.ADMIN)
"""The principal of someone at the machine itself (the CLI): no key, full rights."""
