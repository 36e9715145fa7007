"""Alembic environment. Run by ``Database.upgrade`` with a connection in ``config.attributes``.

For development, ``alembic -x url=sqlite:///path.db revision --autogenerate -m "..."`` also works
with ``db/alembic.ini``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from setacare_desktop.store.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///setacare-dev.db")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
