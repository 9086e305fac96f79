"""Authorization: who may read and change what (the rules table in registry/service.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kyodaku.domain.access import LOCAL_ADMIN, Principal, Role
from kyodaku.domain.errors import Forbidden, NotFound
from kyodaku.domain.model import ANY, Catalog, Entity, EntityKind, Permission, Rightsholder, Use
from kyodaku.registry.service import RegistryService
from kyodaku.registry.store import ChangeAction

ADMIN = LOCAL_ADMIN
OPERATOR = Principal("key_op", Role.OPERATOR)
A = Principal("key_a", Role.RIGHTSHOLDER, "studio-a")
B = Principal("key_b", Role.RIGHTSHOLDER, "studio-b")


@pytest.fixture
def service(loaded):
    return RegistryService(loaded)


def style(entry_id: str, owner: str) -> Entity:
    return Entity(entry_id, EntityKind.STYLE, owner, {"en": (entry_id,)})


def grant(permission_id: str, owner: str, subject: str) -> Permission:
    return Permission(permission_id, owner, subject, (Use.GENERATE,))


def test_when_a_rightsholder_lists_then_it_sees_only_its_own(service):
    assert {e.owner for e in service.list_entities(A)} == {"studio-a"}
    assert {p.owner for p in service.list_permissions(A)} == {"studio-a"}
    assert [r.id for r in service.list_rightsholders(A)] == ["studio-a"]
    exported = service.export_catalog(A)
    assert {e.owner for e in exported.entities} == {"studio-a"} and exported.version == 1


def test_when_a_rightsholder_reads_anothers_entry_then_it_is_not_found(service):
    assert service.get_entity(A, "hero-a").owner == "studio-a"
    with pytest.raises(NotFound) as other:
        service.get_entity(A, "hero-b")
    with pytest.raises(NotFound) as missing:
        service.get_entity(A, "no-such-entry")
    assert str(other.value) == "no entry 'hero-b'" and str(missing.value) == "no entry 'no-such-entry'"
    with pytest.raises(NotFound):
        service.get_permission(A, "deny-b-train")
    with pytest.raises(NotFound):
        service.get_rightsholder(A, "studio-b")


def test_when_a_rightsholder_removes_anothers_entry_or_permission_then_it_is_not_found(service, loaded):
    with pytest.raises(NotFound):
        service.remove_entity(A, "style-b-missing")
    loaded.put_entity(style("style-b", "studio-b"), "t")
    with pytest.raises(NotFound):
        service.remove_entity(A, "style-b")
    with pytest.raises(NotFound):
        service.revoke_permission(A, "deny-b-train")
    assert loaded.get_entity("style-b").owner == "studio-b"


def test_when_a_rightsholder_puts_a_permission_on_anothers_entry_then_forbidden(service, loaded):
    with pytest.raises(Forbidden):
        service.put_permission(A, grant("steal", "studio-a", "hero-b"))
    with pytest.raises(Forbidden):
        service.put_permission(A, grant("steal", "studio-b", "hero-b"))  # in the other's name
    with pytest.raises(Forbidden):
        service.put_permission(
            A, replace(loaded.get_permission("deny-b-train"), owner="studio-a")
        )  # taking an id
    assert loaded.current_version() == 1


def test_when_a_rightsholder_puts_an_entry_for_another_then_forbidden(service, loaded):
    with pytest.raises(Forbidden):
        service.put_entity(A, style("mine", "studio-b"))
    with pytest.raises(Forbidden):
        service.put_entity(A, replace(loaded.get_entity("hero-b"), owner="studio-a"))  # taking it over
    with pytest.raises(Forbidden):
        service.put_entity(A, Entity("c", EntityKind.CHARACTER, "studio-a", {"en": ("C",)}, work="saga-b"))
    with pytest.raises(Forbidden):
        service.upsert_rightsholder(A, Rightsholder("studio-b", {"en": "Mine now"}, "JP"))
    assert loaded.current_version() == 1


def test_when_a_rightsholder_manages_its_own_entries_then_it_may(service, loaded):
    assert service.put_entity(A, style("style-a2", "studio-a")).action is ChangeAction.CREATED
    assert service.put_permission(A, grant("p-a", "studio-a", ANY)).action is ChangeAction.CREATED
    assert service.revoke_permission(A, "p-a").action is ChangeAction.REMOVED
    assert service.remove_entity(A, "style-a2").action is ChangeAction.REMOVED
    assert service.upsert_rightsholder(A, Rightsholder("studio-a", {"en": "Studio A Ltd"}, "JP")).version == 6
    assert loaded.history(limit=1)[0].actor == "rightsholder:studio-a (key key_a)"


def test_when_a_rightsholder_imports_then_only_its_own_part_is_accepted(service, two_owners):
    own = Catalog(
        entities=(style("style-a3", "studio-a"),), permissions=(grant("p-a3", "studio-a", "style-a3"),)
    )
    assert service.import_catalog(A, own).created == 2
    with pytest.raises(Forbidden):
        service.import_catalog(A, two_owners)  # holds studio-b's entries
    with pytest.raises(Forbidden):
        service.import_catalog(B, Catalog(entities=(style("style-a3", "studio-b"),)))  # A's id
    with pytest.raises(Forbidden):
        service.import_catalog(A, own, prune=True)


def test_when_a_non_admin_creates_or_lists_keys_then_forbidden(service):
    for principal in (A, OPERATOR):
        with pytest.raises(Forbidden):
            service.create_key(principal, Role.ADMIN)
        with pytest.raises(Forbidden):
            service.list_keys(principal)
        with pytest.raises(Forbidden):
            service.revoke_key(principal, "key_x")


def test_when_an_operator_writes_then_forbidden_but_it_reads_everything(service, loaded):
    with pytest.raises(Forbidden):
        service.put_entity(OPERATOR, style("x", "studio-a"))
    with pytest.raises(Forbidden):
        service.put_permission(OPERATOR, grant("x", "studio-a", ANY))
    with pytest.raises(Forbidden):
        service.remove_entity(OPERATOR, "style-a")
    with pytest.raises(Forbidden):
        service.revoke_permission(OPERATOR, "allow-hero-a")
    with pytest.raises(Forbidden):
        service.import_catalog(OPERATOR, Catalog())
    assert len(service.list_entities(OPERATOR)) == len(loaded.list_entities())
    assert len(service.list_permissions(OPERATOR)) == 2
    assert service.get_entity(OPERATOR, "hero-b").owner == "studio-b"
    assert service.history(OPERATOR)[0].version == 1
    with pytest.raises(Forbidden):
        service.history(A)


def test_when_an_admin_acts_then_everything_is_allowed(service, loaded):
    assert service.put_entity(ADMIN, style("x", "studio-b")).action is ChangeAction.CREATED
    assert service.put_permission(ADMIN, grant("x", "studio-b", "x")).action is ChangeAction.CREATED
    created = service.create_key(ADMIN, Role.RIGHTSHOLDER, rightsholder="studio-b", label="B's portal")
    assert loaded.authenticate(created.secret).rightsholder == "studio-b"
    assert [k.id for k in service.list_keys(ADMIN)] == [created.id]
    service.revoke_key(ADMIN, created.id)
    assert service.revoke_permission(ADMIN, "x").action is ChangeAction.REMOVED
    assert service.remove_entity(ADMIN, "x").action is ChangeAction.REMOVED
