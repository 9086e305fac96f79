"""The access table (`kyodaku.domain.access`): which role may attempt which action, and the refusal."""

import pytest

from kyodaku.domain.access import RULES, Action, Principal, Role, allowed, require
from kyodaku.domain.errors import Forbidden

ADMIN = Principal("k1", Role.ADMIN)
OPERATOR = Principal("k2", Role.OPERATOR)
RIGHTSHOLDER = Principal("k3", Role.RIGHTSHOLDER, rightsholder="pokemon-company")

EXPECTED = {
    #                          admin  operator rightsholder
    Action.SCREEN: (True, True, False),
    Action.WRITE_REGISTRY: (True, False, True),
    Action.PRUNE_REGISTRY: (True, False, False),
    Action.READ_HISTORY: (True, True, False),
    Action.MANAGE_KEYS: (True, False, False),
    Action.READ_LEDGER: (True, True, True),
}

CASES = [
    (action, who, may)
    for action, row in EXPECTED.items()
    for who, may in zip((ADMIN, OPERATOR, RIGHTSHOLDER), row, strict=True)
]


def test_when_the_table_is_read_then_every_action_has_a_rule_and_the_expectations_cover_them_all():
    assert set(RULES) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize(("action", "who", "may"), CASES, ids=lambda v: getattr(v, "value", None))
def test_when_a_role_attempts_an_action_then_the_table_allows_or_refuses_it(action, who, may):
    assert allowed(who, action) is may
    if may:
        require(who, action)
    else:
        with pytest.raises(Forbidden) as refused:
            require(who, action)
        assert refused.value.message == RULES[action].refusal
        assert refused.value.details == {"action": action.value, "role": who.role.value}


def test_when_someone_tries_to_change_the_table_then_it_is_read_only():
    with pytest.raises(TypeError):
        RULES[Action.SCREEN] = RULES[Action.MANAGE_KEYS]  # type: ignore[index]
