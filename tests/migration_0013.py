"""Undo migration 0013 on a SQLite database, for tests that rebuild "the database as the
previous release left it" from a current one (they set ``alembic_version`` back)."""

from __future__ import annotations

from typing import Any

ADDED = [(t, "hsds_extra") for t in (
    "dir_organization", "dir_location", "dir_service", "dir_phone", "dir_schedule",
    "dir_attribute", "dir_taxonomy", "dir_taxonomy_term")] + [
    ("dir_location", c) for c in ("alternate_name", "latitude", "longitude", "address_2")] + [
    ("dir_schedule", c) for c in ("byday", "opens_at", "closes_at")]


def without_0013(connection: Any) -> None:
    for table, column in ADDED:
        connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
