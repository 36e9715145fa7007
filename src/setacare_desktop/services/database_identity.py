"""Which database this is: the random id a day package is bound to, and the key that only it
holds (``store.models.DatabaseIdentity``, one row made by migration 0012).

Called inside the caller's transaction. The row is made on first use when it is missing (a
database whose row was lost, or one created from the models without the migrations), so a
package never goes out without a binding.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import DatabaseIdentity


@dataclass(frozen=True, slots=True)
class Identity:
    database_id: str  # a UUID: public, goes into package headers
    package_key: bytes  # 32 bytes: secret, never leaves the database


def identity(session: Session) -> Identity:
    """This database's identity, made now if the row is missing."""
    row = session.scalar(select(DatabaseIdentity).order_by(DatabaseIdentity.id).limit(1))
    if row is None:
        row = DatabaseIdentity(id=1, database_id=str(uuid.uuid4()),
                               package_key=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return Identity(row.database_id, bytes.fromhex(row.package_key))


@use_case
def database_id(db: Database) -> str:
    """The id of the database ``db`` (``setacare info`` and tests)."""
    with db.transaction() as session:
        return identity(session).database_id
