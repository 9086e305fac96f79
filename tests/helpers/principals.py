"""Callers of each role, as the API's authentication would produce them."""

from __future__ import annotations

from kyodaku.domain.access import Principal, Role

POKEMON = Principal("k-pokemon", Role.RIGHTSHOLDER, rightsholder="pokemon-company")
DC = Principal("k-dc", Role.RIGHTSHOLDER, rightsholder="dc")
OPERATOR = Principal("k-operator", Role.OPERATOR)
ADMIN = Principal("k-admin", Role.ADMIN)
