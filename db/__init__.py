"""Alembic migrations, shipped inside the package as ``setacare_desktop.migrations``."""
