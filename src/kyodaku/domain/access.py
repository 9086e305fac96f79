"""Who is calling, and what each role may attempt: roles, principals and the access table.

Plain values and one pure table (`RULES`), standard library only, so the registry service, the HTTP
API and the CLI all speak about callers the same way and ask the same table whether a role may do
something: a role check written inline in a route would drift from the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from kyodaku.domain.errors import Forbidden


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


class Action(StrEnum):
    """What a caller may ask for, at the grain where the role alone decides.

    Reading the registry is no action here: every role may, and what a rightsholder sees of it
    (its own part only) is ownership, decided in `registry/service.py`.
    """

    SCREEN = "screen"
    """Screen a prompt, image or video (`/v1/screen/*`)."""
    WRITE_REGISTRY = "change the registry"
    """Put or remove entries, permissions, rightsholders and references; import a catalog."""
    PRUNE_REGISTRY = "prune the registry"
    """Import a catalog that removes everything it does not name (registry-wide by nature)."""
    READ_HISTORY = "read the registry history"
    """List registry versions (every owner's changes are in it)."""
    MANAGE_KEYS = "manage API keys"
    """Create, list and revoke API keys."""
    READ_LEDGER = "read the generation ledger"
    """Read ledger entries and trace outputs to them (a rightsholder: those about its own entries)."""


@dataclass(frozen=True)
class Rule:
    """The roles that may attempt an action, and what a refused caller is told."""

    roles: frozenset[Role]
    refusal: str


def _rule(refusal: str, *roles: Role) -> Rule:
    return Rule(frozenset(roles), refusal)


RULES: Mapping[Action, Rule] = MappingProxyType(
    {
        Action.SCREEN: _rule("screening needs an operator or admin key", Role.OPERATOR, Role.ADMIN),
        Action.WRITE_REGISTRY: _rule(
            "operators read the registry and screen; they cannot change it", Role.ADMIN, Role.RIGHTSHOLDER
        ),
        Action.PRUNE_REGISTRY: _rule("only an admin can prune the registry", Role.ADMIN),
        Action.READ_HISTORY: _rule(
            "the registry history is for admins and operators", Role.ADMIN, Role.OPERATOR
        ),
        Action.MANAGE_KEYS: _rule("only an admin can manage API keys", Role.ADMIN),
        Action.READ_LEDGER: _rule(
            "the ledger is read by admins, operators and rightsholders",
            Role.ADMIN,
            Role.OPERATOR,
            Role.RIGHTSHOLDER,
        ),
    }
)
"""Which role may attempt what: the whole role table, in one place.

Why these rows: operators run a generator behind the guard, so they screen and read everything the
guard reads, and change nothing, since consent is only the rightsholders' to give. Rightsholders
neither screen (the guard is the operators' tool) nor read the history (it holds every owner's
changes). What a rightsholder may *touch* once allowed (only its own entries, and another's looking
like none at all) depends on the data, so `registry/service.py` decides that part on top of this.
"""


def allowed(principal: Principal, action: Action) -> bool:
    """Whether the caller's role may attempt the action at all (ownership is checked elsewhere)."""
    return principal.role in RULES[action].roles


def require(principal: Principal, action: Action) -> None:
    """Refuse, with `Forbidden`, a caller whose role may not attempt the action.

    Every role check of the API and the registry service goes through here, so a rule changes in
    `RULES` and nowhere else, and its refusal reads the same from every route.
    """
    if not allowed(principal, action):
        raise Forbidden(RULES[action].refusal, action=action.value, role=principal.role.value)
