"""Plain-Python domain rules and reference data. Imports neither Qt nor SQLAlchemy."""
