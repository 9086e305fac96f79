"""Pages of the current registry: a stable order, a position to continue from, and the filters users
need, done in SQL so a 40,000-entry registry is never read whole to answer one page.

Order is by id (unique among current rows), so a page continues strictly after the last id of the
previous one: entries added or removed meanwhile never shift what comes next, and nothing is seen
twice. `updated_since` keeps the rows opened (created or changed) after that time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from kyodaku.domain.errors import InvalidInput

T = TypeVar("T")

MAX_PAGE = 1000
DEFAULT_PAGE = 100


@dataclass(frozen=True)
class PageQuery:
    """Which rows, from where, how many. Filters a model does not have are ignored by its reader."""

    limit: int = DEFAULT_PAGE
    after: str | None = None
    owner: str | None = None
    kind: str | None = None
    subject: str | None = None
    updated_since: datetime | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", limit=self.limit)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page, and whether more rows follow the last one."""

    items: list[T] = field(default_factory=list)
    more: bool = False

    @property
    def last_id(self) -> str | None:
        return getattr(self.items[-1], "id", None) if self.items else None
