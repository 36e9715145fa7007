"""Reference data for pick lists (no personal data, so no login needed)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Area, District, Organisation


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    organisation_id: int
    name: str
    kind: str
    district_code: str | None
    area_code: str


@use_case
def organisations(db: Database) -> list[OrganisationRow]:
    with db.read() as session:
        return [
            OrganisationRow(o.id, o.name, o.kind, o.district_code, o.area_code)
            for o in session.scalars(select(Organisation).order_by(Organisation.id))
        ]


@use_case
def district_names(db: Database) -> list[tuple[str, str]]:
    """(code, name) of the 28 districts in the ward's order, as stored."""
    with db.read() as session:
        return [(d.code, d.name) for d in session.scalars(select(District)
                                                          .order_by(District.sort_order))]


@use_case
def area_names(db: Database) -> list[tuple[str, str]]:
    with db.read() as session:
        return [(a.code, a.name) for a in session.scalars(select(Area).order_by(Area.sort_order))]
