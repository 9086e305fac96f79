"""Dumping catalogs: load(dump(load(file))) == load(file), in both formats."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kyodaku.domain.model import Catalog, Conditions, Effect, Permission, Use
from kyodaku.registry.catalog import (
    catalog_to_dict,
    dump_catalog,
    dumps_catalog,
    format_timestamp,
    load_catalog,
    load_catalog_text,
)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_when_a_catalog_is_dumped_and_loaded_then_it_is_equal(tmp_path, two_owners, suffix):
    path = tmp_path / f"out{suffix}"
    dump_catalog(two_owners, path)
    assert load_catalog(path) == two_owners
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def test_when_permissions_carry_times_of_day_then_they_survive_the_round_trip(two_owners):
    jst = timezone(timedelta(hours=9))
    timed = Permission(
        id="timed", owner="studio-a", subject="saga-a", uses=(Use.TRAIN, Use.STYLE), effect=Effect.DENY,
        valid_from=datetime(2026, 3, 1, 9, 30, tzinfo=jst),
        valid_until=datetime(2026, 3, 2, 0, 0, 0, 500, tzinfo=UTC),
        conditions=Conditions(forbidden_themes=("self-harm",)),
    )  # fmt: skip
    catalog = replace(two_owners, permissions=(*two_owners.permissions, timed))
    for fmt in ("yaml", "json"):
        again = load_catalog_text(dumps_catalog(catalog, fmt), f"x.{fmt}")
        assert again == catalog
        assert again.permissions[-1].valid_from == datetime(2026, 3, 1, 0, 30, tzinfo=UTC)


def test_when_a_time_is_midnight_utc_then_it_is_written_as_a_day():
    assert format_timestamp(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01"
    assert format_timestamp(datetime(2026, 1, 1, 12, tzinfo=UTC)) == "2026-01-01T12:00:00Z"
    assert format_timestamp(None) is None


def test_when_converted_to_a_dict_then_sections_follow_the_file_format(two_owners):
    data = catalog_to_dict(two_owners)
    assert list(data) == ["version", "rightsholders", "works", "characters", "styles", "permissions"]
    hero = data["characters"][0]
    assert hero["work"] == "saga-a" and hero["owner"] == "studio-a" and hero["names"]["ja"] == ["ヒーローA"]
    assert data["permissions"][0]["valid_from"] == "2026-01-01"


def test_when_the_catalog_is_empty_then_the_dump_still_loads():
    assert load_catalog_text(dumps_catalog(Catalog(), "yaml"), "e.yaml") == Catalog()


def test_when_an_upload_arrives_as_bytes_then_it_loads_like_the_file(two_owners):
    raw = dumps_catalog(two_owners, "json").encode("utf-8")
    assert load_catalog_text(raw, "upload", fmt="json") == two_owners
    assert load_catalog_text(b"\xef\xbb\xbf" + raw, "upload.json") == two_owners  # with a BOM
